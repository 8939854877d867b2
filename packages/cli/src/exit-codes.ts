/**
 * The exit status of every `tessera` command. Scripts can tell apart "the server said no" (1), "the command
 * line is wrong" (2), "no server to talk to" (3) and "the local setup is wrong" (4).
 */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The server answered with an API error (unknown secret, bad signature, invalid parameter, …). */
  api: 1,
  /** The command line is wrong: unknown command or option, missing or invalid argument, unreadable input. */
  usage: 2,
  /** No API answer: the server is unreachable, timed out, or the endpoint is not a Tessera server. */
  connection: 3,
  /** The local setup is wrong: no credentials, an invalid endpoint, an unreadable profile file. */
  config: 4,
  /** A bug in the CLI itself. */
  internal: 70,
  /** Interrupted at a prompt (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
