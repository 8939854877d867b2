/**
 * Questions on a terminal: the prompt and the typing go to stderr (stdout stays for results), and a
 * hidden answer is not echoed. Lines typed or pasted ahead of a prompt are kept for it. Ctrl-C or
 * Ctrl-D at a prompt cancels the command.
 */
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import type { Io, Output } from './io.js';

/** Forwards what readline writes (prompt, echo), except while muted (a hidden answer is being typed). */
class EchoOutput extends Writable {
  muted = false;
  readonly #target: Output;

  constructor(target: Output) {
    super();
    this.#target = target;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (!this.muted) this.#target.write(chunk.toString('utf8'));
    done();
  }
}

export class Prompter {
  readonly #io: Io;
  readonly #echo: EchoOutput;
  readonly #readline: Interface;
  readonly #lines: string[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #cancelled = false;

  constructor(io: Io) {
    this.#io = io;
    this.#echo = new EchoOutput(io.stderr);
    this.#readline = createInterface({ input: io.stdin, output: this.#echo, terminal: true });
    this.#readline.on('line', (line) => {
      this.#lines.push(line);
      this.#wake();
    });
    const cancel = () => {
      this.#cancelled = true;
      this.#wake();
    };
    this.#readline.on('SIGINT', cancel);
    this.#readline.on('close', cancel);
  }

  #wake(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    waiting(this.#cancelled ? undefined : this.#lines.shift());
  }

  #nextLine(): Promise<string | undefined> {
    if (this.#lines.length > 0) return Promise.resolve(this.#lines.shift());
    if (this.#cancelled) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  /** Asks one question; the answer is trimmed. */
  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    this.#readline.setPrompt(question);
    this.#readline.prompt();
    this.#echo.muted = options.hidden === true;
    let line: string | undefined;
    try {
      line = await this.#nextLine();
    } finally {
      this.#echo.muted = false;
    }
    if (options.hidden === true) this.#io.stderr.write('\n');
    if (line === undefined) {
      this.#io.stderr.write('\n');
      throw new CliError(EXIT.interrupted, 'cancelled; nothing was saved');
    }
    return line.trim();
  }

  close(): void {
    this.#readline.removeAllListeners('close');
    this.#readline.close();
  }
}
