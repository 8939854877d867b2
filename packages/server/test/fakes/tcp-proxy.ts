/**
 * A TCP proxy in front of a real database server, on a fixed local port, that a test can take down and
 * bring back (`stop`/`start`: connections refused, as when the database is down) or `hold` (connections
 * accepted but never forwarded, as when the database hangs).
 */
import { createServer, Socket } from 'node:net';
import type { Server } from 'node:net';

export class TcpProxy {
  readonly #target: { readonly host: string; readonly port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  /** While true, new connections are accepted and left waiting. */
  holding = false;

  constructor(target: { readonly host: string; readonly port: number }) {
    this.#target = target;
  }

  get port(): number {
    return this.#port;
  }

  /** Listens (on the same port as before once it has one). */
  async start(): Promise<number> {
    const server = createServer((client) => {
      this.#track(client);
      if (this.holding) return;
      const upstream = new Socket();
      this.#track(upstream);
      upstream.connect(this.#target.port, this.#target.host);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    this.#port = address.port;
    this.#server = server;
    return this.#port;
  }

  /** Stops listening and cuts every connection: the database is down. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
