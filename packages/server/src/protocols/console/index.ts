/** The console plugin as app.ts registers it: built files, sign-in, and calls through the pipeline. */
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../services/clock.js';
import type { ConsoleLoginService } from '../../services/console-login-service.js';
import type { OperationPipeline } from '../../services/operations/pipeline.js';
import { consoleDispatch } from './dispatch.js';
import { consolePlugin } from './plugin.js';
import { loadStaticFiles } from './static-files.js';

/**
 * Where `npm run build` puts the console: `packages/server/dist/console`. This file sits three levels
 * below the package both as source (`src/protocols/console/`) and built (`dist/protocols/console/`).
 */
export const CONSOLE_FILES = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

export function webConsole(options: {
  readonly logins: ConsoleLoginService;
  readonly pipeline: OperationPipeline;
  readonly serviceKeyId: string;
  readonly clock: Clock;
  readonly secure: boolean;
  readonly files?: string;
}) {
  return consolePlugin({
    files: loadStaticFiles(options.files ?? CONSOLE_FILES),
    sessions: options.logins,
    dispatch: consoleDispatch({ pipeline: options.pipeline, serviceKeyId: options.serviceKeyId }),
    clock: options.clock,
    secure: options.secure,
  });
}
