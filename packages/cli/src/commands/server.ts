/** `tessera server`: the Tessera server in the foreground, exactly as `node packages/server/dist/main.js`. */
import { HELP_OPTION, parse, positionals } from '../args.js';
import type { Command } from '../command.js';
import { ConfigError } from '../errors.js';
import type { Io } from '../io.js';

const USAGE = 'tessera server';

export const server: Command = {
  name: 'server',
  summary: 'run the Tessera server in the foreground (what `npm start` runs)',
  usage: USAGE,
  help: `Usage: ${USAGE}

Runs the Tessera server in the foreground until SIGTERM or Ctrl-C, which let in-flight requests
finish. It takes its settings from the environment, for example:

  TESSERA_HOST        address to listen on (default 127.0.0.1)
  TESSERA_PORT        TCP port, 0 picks a free one (default 8080)
  TESSERA_DATA_DIR    data folder (default ./data)
  TESSERA_DATABASE_URL  PostgreSQL URL to keep the store in (default: SQLite in the data folder)
  TESSERA_ROOT_KEY / TESSERA_ROOT_KEY_FILE, TESSERA_ROOT_ACCESS_KEY_ID / _SECRET,
  TESSERA_REGION, TESSERA_LOG_LEVEL, TESSERA_MAX_SECRET_VERSIONS, TESSERA_SHUTDOWN_TIMEOUT_SECONDS,
  TESSERA_AUDIT_FILE

The repository README lists them all. On first start the server writes the administrator's access
key to bootstrap-credentials.json in the data folder (unless TESSERA_ROOT_ACCESS_KEY_ID/_SECRET are
set); \`tessera configure\` can save it as a profile. The console (http://127.0.0.1:8080/console/)
takes the administrator's first password from bootstrap-console-password.json beside it (unless
TESSERA_ROOT_CONSOLE_PASSWORD is set).

Exit status: the server's own: 0 after a clean stop, 2 for invalid settings, 1 if it cannot start.`,
  detaches: true,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, HELP_OPTION, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${server.help}\n`);
      return;
    }
    positionals(parsed, [], USAGE);
    try {
      // The server's entry module starts it on import and owns the process from then on: it handles
      // SIGTERM/SIGINT and exits with its own status.
      await import('@tessera/server');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND') {
        throw new ConfigError('the Tessera server is not built or not installed', [
          error.message,
          'run `npm run build` in the repository root',
        ]);
      }
      throw error;
    }
  },
};
