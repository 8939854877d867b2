/** The shape every subcommand has, and help text shared between them. */
import type { Io } from './io.js';

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis, shown with usage errors. */
  readonly usage: string;
  /** The full `--help` text (without the trailing newline). */
  readonly help: string;
  /**
   * Set when a successful run hands the process to something long-running (the server) that exits by
   * itself; after any other command the CLI exits as soon as its output is written.
   */
  readonly detaches?: boolean;
  run(argv: readonly string[], io: Io): Promise<void>;
}

export const CONNECTION_HELP = `Connection options (each falls back to the environment, then the profile file):
  --endpoint URL              server origin; env TESSERA_ENDPOINT; default http://127.0.0.1:8080
  --access-key-id ID          env ALIBABA_CLOUD_ACCESS_KEY_ID
  --access-key-secret SECRET  env ALIBABA_CLOUD_ACCESS_KEY_SECRET (a flag is visible in ps and shell
                              history: prefer the environment or \`tessera configure\`)
  --profile NAME              profile in ~/.tessera/config.json (or $TESSERA_CONFIG_FILE); env
                              TESSERA_PROFILE; default "default". --profile outranks the environment.`;

export const EXIT_HELP = `Exit status: 0 success, 1 API error, 2 usage error, 3 server unreachable, 4 configuration error.`;
