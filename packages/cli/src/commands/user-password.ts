/** A console password for `tessera user password`: asked twice on a terminal (not echoed), else read from stdin. */
import { readAll } from '../io.js';
import type { Io } from '../io.js';
import type { UsageError } from '../errors.js';
import { Prompter } from '../prompt.js';

const MAX_PASSWORD_BYTES = 4096;

export async function readConsolePassword(io: Io, usage: (message: string) => UsageError): Promise<string> {
  if (io.stdin.isTTY === true) {
    const prompter = new Prompter(io);
    try {
      const first = await prompter.ask('New console password: ', { hidden: true });
      const second = await prompter.ask('Again: ', { hidden: true });
      if (first !== second) throw usage('the two passwords differ');
      return first;
    } finally {
      prompter.close();
    }
  }
  const bytes = await readAll(io.stdin, MAX_PASSWORD_BYTES);
  if (bytes === undefined) throw usage('the password on stdin is too long');
  // One trailing newline is how `echo` and most files end; it is not part of the password.
  const password = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw usage('give the password on stdin (or run on a terminal to be asked)');
  return password;
}
