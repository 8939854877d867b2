/**
 * Failures the CLI reports itself. Each carries its exit status and the lines to print on stderr; the
 * entry point prints them and exits, so commands never call `process.exit`.
 */
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Further lines printed under the message (details, hints). */
  readonly details: readonly string[];

  constructor(exitCode: ExitCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** The command line is wrong; `usage` is the synopsis of the command it concerns. */
export class UsageError extends CliError {
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(EXIT.usage, message);
    this.usage = usage;
  }
}

/** The local setup is wrong (credentials, endpoint, profile file). */
export class ConfigError extends CliError {
  constructor(message: string, details: readonly string[] = []) {
    super(EXIT.config, message, details);
  }
}
