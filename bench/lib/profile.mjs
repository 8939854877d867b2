// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package or module, and the
// functions with the most self time. Enough to see where a request's CPU goes without a viewer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a function lives, coarsely: a dependency, a file of the Tessera build, a Node module, or V8. */
function area(url, functionName) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1];
  const tessera = /packages\/(server|sdk)\/dist\/(.+)$/.exec(url);
  if (tessera) return `tessera ${tessera[1]}: ${tessera[2]}`;
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}

/**
 * `fromMs`: samples from the first `fromMs` of the process's life (startup, warm-up) are left out, so
 * the summary covers the measured load only.
 */
export function summariseProfile(file, { top = 25, fromMs = 0 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const delta = profile.timeDeltas[i] ?? 0;
    elapsedUs += delta;
    if (elapsedUs < fromMs * 1000) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  let totalUs = 0;
  let idleUs = 0;
  const areas = new Map();
  const functions = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    totalUs += us;
    if (callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = area(callFrame.url, callFrame.functionName);
    areas.set(where, (areas.get(where) ?? 0) + us);
    const name =
      `${callFrame.functionName || '(anonymous)'} ${callFrame.url ? `${where}:${callFrame.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pctOfBusy: (us / busyUs) * 100 }));
  return {
    file,
    wallMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    idlePct: (idleUs / totalUs) * 100,
    byArea: rank(areas),
    byFunction: rank(functions),
  };
}

export function newestProfile(dir) {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is thread 0 (the server's WAL
  // checkpoint worker writes a profile of its own).
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')
    .sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, files[files.length - 1]);
}

export function formatProfile(summary) {
  const lines = [
    `profile ${summary.file}: ${summary.busyMs.toFixed(0)} ms busy of ${summary.wallMs.toFixed(0)} ms (${summary.idlePct.toFixed(0)}% idle)`,
    '  self time by area (% of busy):',
    ...summary.byArea.map((a) => `    ${a.pctOfBusy.toFixed(1).padStart(5)}%  ${a.name}`),
    '  top functions by self time (% of busy):',
    ...summary.byFunction.map((f) => `    ${f.pctOfBusy.toFixed(1).padStart(5)}%  ${f.name}`),
  ];
  return lines.join('\n');
}
