/**
 * What the confused-deputy tests of rotation share (docs/threat-model.md): narrow RAM users made through
 * the real RAM SDK, the webhook receiver (one place to adjust when outbound webhook addresses are
 * restricted), and a "rogue server" that counts every TCP connection Tessera opens to it.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer } from './harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, clientsFor } from './harness.js';
import { $Ram, ram, ramClient } from './ram-clients.js';

/**
 * Server settings these tests need. Webhook receivers listen on 127.0.0.1, which the harness allows
 * webhooks to call (`RECEIVER_NETWORK_ENV` in test/fakes/webhook-receiver.ts).
 */
export const ROTATION_TEST_ENV: Readonly<Record<string, string>> = { TESSERA_ROTATION_TICK_SECONDS: '0' };

/** A started webhook receiver that answers every step (create with `value`). */
export async function startReceiver(value = 'from-the-webhook'): Promise<WebhookReceiver> {
  const receiver = new WebhookReceiver();
  await receiver.start();
  receiver.handler = (call) => (call.step === 'create' ? { status: 200, body: { value } } : { status: 204 });
  return receiver;
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

export const allow = (actions: readonly string[], resources: readonly string[]): PolicyStatement => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resources,
});

/** The ARN pattern of a secret, for policies. */
export const secretResource = (name: string): string => `acs:kms:*:*:secret/${name}`;

let users = 0;

/**
 * A RAM user with one custom policy of these statements and an access key, made by the administrator
 * through `@alicloud/ram20150501`; returns its pop-core POST client.
 */
export async function ramUser(server: ApiServer, ...statements: PolicyStatement[]): Promise<ApiClient> {
  const admin = ramClient(server.endpoint, {
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
  });
  const userName = `narrow-${++users}-${Date.now().toString(36)}`;
  await ram(admin.createUser(new $Ram.CreateUserRequest({ userName })));
  if (statements.length > 0) {
    const policyName = `policy-${userName}`;
    const policyDocument = JSON.stringify({ Version: '1', Statement: statements });
    await ram(admin.createPolicy(new $Ram.CreatePolicyRequest({ policyName, policyDocument })));
    await ram(
      admin.attachPolicyToUser(
        new $Ram.AttachPolicyToUserRequest({ userName, policyType: 'Custom', policyName }),
      ),
    );
  }
  const created = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName })));
  const credentials = {
    accessKeyId: created.accessKey?.accessKeyId ?? '',
    accessKeySecret: created.accessKey?.accessKeySecret ?? '',
  };
  const client = clientsFor(server, credentials).find((c) => c.name === 'pop-core-post');
  if (!client) throw new Error('no pop-core client');
  return client;
}

/** A TCP listener standing in for a server an attacker runs: it counts connections and closes them. */
export class RogueServer {
  connections = 0;
  readonly #server: Server = createServer((socket: Socket) => {
    this.connections++;
    socket.destroy();
  });

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
