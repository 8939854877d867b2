/** `tessera access-key`: a user's access keys (CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey). */
import type { AccessKeyStatus } from '@tessera/sdk';
import { CONNECTION_OPTIONS, HELP_OPTION, stringValue } from '../args.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { expectArgs, printJson, printTable, ramCommand, record } from './ram-command.js';
import type { SubcommandContext } from './ram-command.js';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  user: { type: 'string' },
  status: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function owner(context: SubcommandContext): string | undefined {
  return stringValue(context.parsed, 'user');
}

function status(context: SubcommandContext): AccessKeyStatus {
  const value = stringValue(context.parsed, 'status');
  if (value === undefined) throw context.usage('missing --status (Active or Inactive)');
  const lower = value.toLowerCase();
  if (lower === 'active') return 'Active';
  if (lower === 'inactive') return 'Inactive';
  throw context.usage(`--status must be Active or Inactive, not "${value}"`);
}

export const accessKey = ramCommand({
  name: 'access-key',
  summary:
    "create, list, activate, deactivate and delete a user's access keys (needs ram:*AccessKey* permissions)",
  options: OPTIONS,
  subcommands: {
    create: {
      synopsis: '[--user NAME]',
      async run(context) {
        expectArgs(context, []);
        const userName = owner(context);
        const answer = await context.call('access-key create', (client) =>
          client.ram.createAccessKey({ userName }),
        );
        const key = answer.accessKey;
        if (context.json) {
          printJson(context.io, key);
        } else {
          context.io.stdout.write(
            record([
              ['Access key id', key.accessKeyId],
              ['Access key secret', key.accessKeySecret],
              ['Status', key.status],
              ['Created', key.createDate],
            ]),
          );
        }
        context.io.stderr.write('tessera: the secret is shown this once; store it now.\n');
      },
    },
    list: {
      synopsis: '[--user NAME]',
      async run(context) {
        expectArgs(context, []);
        const userName = owner(context);
        const answer = await context.call('access-key list', (client) =>
          client.ram.listAccessKeys({ userName }),
        );
        if (context.json) {
          printJson(context.io, answer.accessKeys);
          return;
        }
        printTable(
          context.io,
          ['ACCESS KEY ID', 'STATUS', 'CREATED'],
          answer.accessKeys.map((k) => [k.accessKeyId, k.status, k.createDate]),
        );
      },
    },
    update: {
      synopsis: 'ID --status Active|Inactive [--user NAME]',
      async run(context) {
        const [userAccessKeyId = ''] = expectArgs(context, ['ID']);
        const newStatus = status(context);
        await context.call('access-key update', (client) =>
          client.ram.updateAccessKey({ userName: owner(context), userAccessKeyId, status: newStatus }),
        );
        context.io.stderr.write(`access key ${userAccessKeyId} is now ${newStatus}\n`);
      },
    },
    delete: {
      synopsis: 'ID [--user NAME]',
      async run(context) {
        const [userAccessKeyId = ''] = expectArgs(context, ['ID']);
        await context.call('access-key delete', (client) =>
          client.ram.deleteAccessKey({ userName: owner(context), userAccessKeyId }),
        );
        context.io.stderr.write(`deleted access key ${userAccessKeyId}\n`);
      },
    },
  },
  details: `Manages access keys (RAM API 2015-05-01). Without --user, the keys of the signing user.

  --user NAME                  the key owner
  --status Active|Inactive     (update) an inactive key's requests are refused until reactivated
  --json                       print the answer as JSON

A user has at most two keys, so a key can be rotated: create the second, switch the application over,
deactivate the first, then delete it. The secret is shown only by create; list never shows it. The
administrator's last active key can be neither deactivated nor deleted.

  tessera access-key create --user app-reader
  tessera access-key update TSRA… --status Inactive --user app-reader`,
  footer: `${CONNECTION_HELP}

${EXIT_HELP}`,
});
