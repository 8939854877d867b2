/**
 * `tessera policy`: RAM policies (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
 * AttachPolicyToUser, DetachPolicyFromUser).
 */
import { readFileSync } from 'node:fs';
import type { PolicyType, RamPolicy, TesseraClient } from '@tessera/sdk';
import { TesseraApiError } from '@tessera/sdk';
import { CONNECTION_OPTIONS, HELP_OPTION, stringValue } from '../args.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { readAll } from '../io.js';
import { expectArgs, printJson, printTable, ramCommand, record } from './ram-command.js';
import type { SubcommandContext } from './ram-command.js';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  file: { type: 'string' },
  description: { type: 'string' },
  type: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** RAM documents are at most 6,144 bytes; read a little more so the server can say so. */
const READ_LIMIT = 64 * 1024;

function policyType(context: SubcommandContext, fallback: PolicyType | undefined): PolicyType | undefined {
  const value = stringValue(context.parsed, 'type');
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower === 'custom') return 'Custom';
  if (lower === 'system') return 'System';
  throw context.usage(`--type must be Custom or System, not "${value}"`);
}

function requiredUser(context: SubcommandContext): string {
  const user = stringValue(context.parsed, 'user');
  if (user === undefined) throw context.usage('missing --user NAME');
  return user;
}

async function document(context: SubcommandContext): Promise<string> {
  const file = stringValue(context.parsed, 'file');
  if (file === undefined) throw context.usage('missing --file PATH (a RAM policy document; "-" reads stdin)');
  if (file === '-') {
    const bytes = await readAll(context.io.stdin, READ_LIMIT);
    if (bytes === undefined) throw context.usage(`the document on stdin is over ${READ_LIMIT} bytes`);
    return bytes.toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw context.usage(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function printPolicy(context: SubcommandContext, policy: RamPolicy): void {
  if (context.json) {
    printJson(context.io, policy);
    return;
  }
  context.io.stdout.write(
    record([
      ['Policy name', policy.policyName],
      ['Type', policy.policyType],
      ['Description', policy.description],
      ['Attached to', policy.attachmentCount === undefined ? undefined : `${policy.attachmentCount} user(s)`],
      ['Created', policy.createDate],
      ['Updated', policy.updateDate],
    ]),
  );
  if (policy.policyDocument !== undefined) {
    let shown = policy.policyDocument;
    try {
      shown = JSON.stringify(JSON.parse(shown), null, 2);
    } catch {
      // Shown as stored.
    }
    context.io.stdout.write(`Document:\n${shown}\n`);
  }
}

async function attachment(context: SubcommandContext, attach: boolean): Promise<void> {
  const [policyName = ''] = expectArgs(context, ['POLICY']);
  const userName = requiredUser(context);
  const given = policyType(context, undefined);
  const send = (client: TesseraClient, type: PolicyType) => {
    const request = { policyName, userName, policyType: type };
    return attach ? client.ram.attachPolicyToUser(request) : client.ram.detachPolicyFromUser(request);
  };
  // Without --type: the custom policy of that name, else the built-in one (as `policy get`).
  const type = await context.call(attach ? 'policy attach' : 'policy detach', async (client) => {
    if (given !== undefined) {
      await send(client, given);
      return given;
    }
    try {
      await send(client, 'Custom');
      return 'Custom';
    } catch (error) {
      if (!(error instanceof TesseraApiError && error.code === 'EntityNotExist.Policy')) throw error;
      await send(client, 'System');
      return 'System';
    }
  });
  context.io.stderr.write(
    `${attach ? 'attached' : 'detached'} ${type.toLowerCase()} policy ${policyName} ${attach ? 'to' : 'from'} ${userName}\n`,
  );
}

export const policy = ramCommand({
  name: 'policy',
  summary: 'create, show, list, delete, attach and detach RAM policies (needs ram:*Policy* permissions)',
  options: OPTIONS,
  subcommands: {
    create: {
      synopsis: 'NAME --file PATH [--description TEXT]',
      async run(context) {
        const [policyName = ''] = expectArgs(context, ['NAME']);
        const policyDocument = await document(context);
        const description = stringValue(context.parsed, 'description');
        const answer = await context.call('policy create', (client) =>
          client.ram.createPolicy({ policyName, policyDocument, description }),
        );
        printPolicy(context, answer.policy);
      },
    },
    get: {
      synopsis: 'NAME [--type Custom|System]',
      async run(context) {
        const [policyName = ''] = expectArgs(context, ['NAME']);
        const type = policyType(context, undefined);
        // Without --type: the custom policy of that name, else the built-in one (names rarely clash).
        const answer = await context.call('policy get', async (client) => {
          if (type !== undefined) return client.ram.getPolicy({ policyName, policyType: type });
          try {
            return await client.ram.getPolicy({ policyName, policyType: 'Custom' });
          } catch (error) {
            if (!(error instanceof TesseraApiError && error.code === 'EntityNotExist.Policy')) throw error;
            return client.ram.getPolicy({ policyName, policyType: 'System' });
          }
        });
        printPolicy(context, answer.policy);
      },
    },
    list: {
      synopsis: '[--type Custom|System]',
      async run(context) {
        expectArgs(context, []);
        const type = policyType(context, undefined);
        const policies = await context.call('policy list', async (client) => {
          const all: RamPolicy[] = [];
          let marker: string | undefined;
          do {
            const page = await client.ram.listPolicies({ policyType: type, marker, maxItems: 1000 });
            all.push(...page.policies);
            marker = page.isTruncated ? page.marker : undefined;
          } while (marker !== undefined);
          return all;
        });
        if (context.json) {
          printJson(context.io, policies);
          return;
        }
        printTable(
          context.io,
          ['POLICY', 'TYPE', 'ATTACHED', 'DESCRIPTION'],
          policies.map((p) => [p.policyName, p.policyType, String(p.attachmentCount ?? 0), p.description]),
        );
      },
    },
    delete: {
      synopsis: 'NAME',
      async run(context) {
        const [policyName = ''] = expectArgs(context, ['NAME']);
        await context.call('policy delete', (client) => client.ram.deletePolicy({ policyName }));
        context.io.stderr.write(`deleted policy ${policyName}\n`);
      },
    },
    attach: {
      synopsis: 'POLICY --user NAME [--type Custom|System]',
      run: (context) => attachment(context, true),
    },
    detach: {
      synopsis: 'POLICY --user NAME [--type Custom|System]',
      run: (context) => attachment(context, false),
    },
  },
  details: `Manages RAM policies (RAM API 2015-05-01) and which users they are attached to.

  --file PATH             (create) the policy document, JSON; "-" reads stdin
  --description TEXT      (create) at most 1,024 characters
  --type Custom|System    the policy's type; default: a custom policy of that name, else the
                          built-in one (list: both)
  --user NAME             (attach, detach) the user
  --json                  print the answer as JSON

A document is RAM's, at most 6,144 bytes; one that lets an application read the secrets under app/
(the caching readers follow rotation with ListSecretVersionIds):
  {"Version":"1","Statement":[{"Effect":"Allow","Resource":["acs:kms:*:*:secret/app/*"],
   "Action":["kms:GetSecretValue","kms:DescribeSecret","kms:ListSecretVersionIds"]}]}
System policies are built in,
named and scoped as Alibaba Cloud's (docs/permissions.md lists their statements):
  AliyunKMSSecretUserAccess   applications: read secret values (GetSecretValue, DescribeSecret,
                              ListSecretVersionIds), nothing else
  AliyunKMSSecretAdminAccess  manage secrets, values included; AliyunKMSCryptoUserAccess: encrypt
                              and decrypt; AliyunKMSReadOnlyAccess: metadata, never values;
  AdministratorAccess, AliyunKMSFullAccess, AliyunRAMFullAccess, AliyunRAMReadOnlyAccess.
A caching reader (the SDK's SecretCache, tessera agent) also needs kms:ListSecretVersionIds.
A policy attached to a user cannot be deleted.

  tessera policy attach AliyunKMSSecretUserAccess --type System --user app-reader
  tessera policy create app-secrets --file app-secrets.json --description "read app secrets"
  tessera policy attach app-secrets --user app-reader
  tessera policy get AliyunKMSSecretUserAccess`,
  footer: `${CONNECTION_HELP}

${EXIT_HELP}`,
});
