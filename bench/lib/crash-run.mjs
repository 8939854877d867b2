// The SIGKILL crash-safety test as a step of `bench/run.mjs --crash-cycles N`: runs
// packages/server/test/process/crash-safety.test.ts through vitest with TESSERA_CRASH_CYCLES=N (the
// test's own knob, default 12) against the built server, and reads its summary line.
import { join } from 'node:path';
import { REPO } from './common.mjs';

export const CRASH_TEST = 'packages/server/test/process/crash-safety.test.ts';

// eslint-disable-next-line no-control-regex -- vitest may colour its output; the record keeps plain text.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The step run.mjs runs: the command, its environment, and how to read its outcome. */
export function crashStep(cycles) {
  const args = [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', CRASH_TEST];
  return {
    id: 'crash',
    command: process.execPath,
    args,
    env: { ...process.env, TESSERA_CRASH_CYCLES: String(cycles), NO_COLOR: '1', FORCE_COLOR: '0' },
    display: `TESSERA_CRASH_CYCLES=${cycles} npx vitest run ${CRASH_TEST}`,
    /** A failing test is a result to record, not a failed benchmark. */
    failsOnExitCode: false,
    parse(lines, exitCode, durationMs) {
      const text = lines.map((line) => line.replace(ANSI, ''));
      const summary = text
        .map((line) =>
          /crash safety: (\d+) kills, (\d+) acknowledged lane writes, (\d+) secrets created/.exec(line),
        )
        .find(Boolean);
      return {
        benchmark: 'crash-safety',
        cycles,
        passed: exitCode === 0 && summary !== undefined,
        durationMs,
        summary: summary && {
          kills: Number(summary[1]),
          acknowledged: Number(summary[2]),
          created: Number(summary[3]),
        },
      };
    },
  };
}
