/**
 * Process entry (`npm start`): read the settings, start Tessera, stop gracefully on SIGTERM/SIGINT.
 * A second signal during shutdown exits at once.
 */
import { createTessera, StartupError } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './logging/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tessera: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let tessera;
  try {
    tessera = await createTessera({ config, logger });
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }
  const address = await tessera.listen();
  logger.info({ address, dataDir: config.dataDir }, 'tessera is ready');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    tessera.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `tessera: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
