/** What a command may touch of its process: arguments come separately; streams and environment here. */
import type { Readable } from 'node:stream';

export interface Output {
  write(chunk: string): unknown;
  /** Whether this is a terminal (a person is reading) rather than a pipe or a file. */
  readonly isTTY?: boolean | undefined;
}

export interface Io {
  readonly stdin: Readable & { readonly isTTY?: boolean | undefined };
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process. */
export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Reads a stream to its end, refusing more than `limit` bytes (a secret value is small). */
export async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
