/**
 * `tessera user`: RAM users (CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, ListPoliciesForUser)
 * and their console sign-in (login profiles, MFA).
 */
import type { LoginProfile, RamUser } from '@tessera/sdk';
import { CONNECTION_OPTIONS, HELP_OPTION, stringValue } from '../args.js';
import { CONNECTION_HELP, EXIT_HELP } from '../command.js';
import { expectArgs, printJson, printTable, ramCommand, record } from './ram-command.js';
import type { SubcommandContext } from './ram-command.js';
import { readConsolePassword } from './user-password.js';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  'display-name': { type: 'string' },
  comments: { type: 'string' },
  email: { type: 'string' },
  'mobile-phone': { type: 'string' },
  'new-name': { type: 'string' },
  'reset-required': { type: 'boolean' },
  remove: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const PROFILE = '[--display-name TEXT] [--comments TEXT] [--email ADDRESS] [--mobile-phone CC-NUMBER]';

function printUser(context: SubcommandContext, user: RamUser): void {
  if (context.json) {
    printJson(context.io, user);
    return;
  }
  context.io.stdout.write(
    record([
      ['User name', user.userName],
      ['User id', user.userId],
      ['Display name', user.displayName],
      ['Comments', user.comments],
      ['Email', user.email],
      ['Mobile phone', user.mobilePhone],
      ['Created', user.createDate],
      ['Updated', user.updateDate],
    ]),
  );
}

function printLoginProfile(context: SubcommandContext, profile: LoginProfile): void {
  if (context.json) {
    printJson(context.io, profile);
    return;
  }
  context.io.stdout.write(
    record([
      ['User name', profile.userName],
      ['Console password', 'set'],
      ['Reset required', String(profile.passwordResetRequired)],
      ['MFA', profile.mfaEnabled ? 'enabled' : 'not enabled'],
      ['Created', profile.createDate],
    ]),
  );
}

function profile(context: SubcommandContext) {
  return {
    displayName: stringValue(context.parsed, 'display-name'),
    comments: stringValue(context.parsed, 'comments'),
    email: stringValue(context.parsed, 'email'),
    mobilePhone: stringValue(context.parsed, 'mobile-phone'),
  };
}

export const user = ramCommand({
  name: 'user',
  summary: 'create, show, list, update and delete users (needs ram:*User* permissions)',
  options: OPTIONS,
  subcommands: {
    create: {
      synopsis: `NAME ${PROFILE}`,
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        const answer = await context.call('user create', (client) =>
          client.ram.createUser({ userName, ...profile(context) }),
        );
        printUser(context, answer.user);
      },
    },
    get: {
      synopsis: 'NAME',
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        printUser(
          context,
          (await context.call('user get', (client) => client.ram.getUser({ userName }))).user,
        );
      },
    },
    list: {
      synopsis: '',
      async run(context) {
        expectArgs(context, []);
        const users = await context.call('user list', async (client) => {
          const all: RamUser[] = [];
          let marker: string | undefined;
          do {
            const page = await client.ram.listUsers({ marker, maxItems: 1000 });
            all.push(...page.users);
            marker = page.isTruncated ? page.marker : undefined;
          } while (marker !== undefined);
          return all;
        });
        if (context.json) {
          printJson(context.io, users);
          return;
        }
        printTable(
          context.io,
          ['USER NAME', 'DISPLAY NAME', 'USER ID', 'CREATED'],
          users.map((u) => [u.userName, u.displayName, u.userId, u.createDate]),
        );
      },
    },
    update: {
      synopsis: `NAME [--new-name NAME] ${PROFILE}`,
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        const changes = profile(context);
        const newUserName = stringValue(context.parsed, 'new-name');
        if (newUserName === undefined && Object.values(changes).every((v) => v === undefined)) {
          throw context.usage('nothing to change: give --new-name or a profile option');
        }
        const answer = await context.call('user update', (client) =>
          client.ram.updateUser({
            userName,
            newUserName,
            newDisplayName: changes.displayName,
            newComments: changes.comments,
            newEmail: changes.email,
            newMobilePhone: changes.mobilePhone,
          }),
        );
        printUser(context, answer.user);
      },
    },
    delete: {
      synopsis: 'NAME',
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        await context.call('user delete', (client) => client.ram.deleteUser({ userName }));
        context.io.stderr.write(`deleted user ${userName}\n`);
      },
    },
    password: {
      synopsis: 'NAME [--reset-required] [--remove]   (the password from stdin, or asked on a terminal)',
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        if (context.parsed.values.remove === true) {
          await context.call('user password', (client) => client.ram.deleteLoginProfile({ userName }));
          context.io.stderr.write(`removed the console password of ${userName}; its sessions are ended\n`);
          return;
        }
        const password = await readConsolePassword(context.io, (message) => context.usage(message));
        const passwordResetRequired = context.parsed.values['reset-required'] === true ? true : undefined;
        const answer = await context.call('user password', async (client) => {
          const exists = await client.ram.getLoginProfile({ userName }).then(
            () => true,
            (error: unknown) => {
              if ((error as { code?: unknown }).code === 'EntityNotExist.User.LoginProfile') return false;
              throw error;
            },
          );
          const request = { userName, password, passwordResetRequired };
          return exists ? client.ram.updateLoginProfile(request) : client.ram.createLoginProfile(request);
        });
        printLoginProfile(context, answer.loginProfile);
      },
    },
    mfa: {
      synopsis: 'enable|disable NAME',
      async run(context) {
        const [action = '', userName = ''] = expectArgs(context, ['enable|disable', 'NAME']);
        if (action === 'enable') {
          const answer = await context.call('user mfa', (client) =>
            client.ram.enableConsoleMFA({ userName }),
          );
          if (context.json) {
            printJson(context.io, answer.mfa);
            return;
          }
          context.io.stdout.write(
            record([
              ['Secret', answer.mfa.base32Secret],
              ['URI', answer.mfa.otpauthUri],
            ]),
          );
          context.io.stderr.write(
            'Add it to an authenticator app now: it is shown only this once. Console sign-in needs its code from now on.\n',
          );
          return;
        }
        if (action !== 'disable')
          throw context.usage(`unknown mfa action "${action}" (try: enable, disable)`);
        await context.call('user mfa', (client) => client.ram.disableConsoleMFA({ userName }));
        context.io.stderr.write(`MFA disabled for ${userName}\n`);
      },
    },
    policies: {
      synopsis: 'NAME',
      async run(context) {
        const [userName = ''] = expectArgs(context, ['NAME']);
        const answer = await context.call('user policies', (client) =>
          client.ram.listPoliciesForUser({ userName }),
        );
        if (context.json) {
          printJson(context.io, answer.policies);
          return;
        }
        printTable(
          context.io,
          ['POLICY', 'TYPE', 'ATTACHED', 'DESCRIPTION'],
          answer.policies.map((p) => [p.policyName, p.policyType, p.attachDate, p.description]),
        );
      },
    },
  },
  details: `Manages the account's users (RAM API 2015-05-01). Needs the matching ram:<Action> permission (the administrator has all).

  --display-name TEXT       1 to 128 characters; defaults to the user name
  --comments TEXT           at most 128 characters ("" clears them on update)
  --email ADDRESS           name@example.com
  --mobile-phone CC-NUMBER  country code and number, e.g. 86-18600008888
  --new-name NAME           (update) rename the user; its keys and policies follow
  --reset-required          (password) mark the profile PasswordResetRequired (kept and shown, as RAM does;
                            the console does not force the change yet)
  --remove                  (password) delete the console password (login profile); sessions end
  --json                    print the answer as JSON

A user name is 1 to 64 letters, digits, ".", "_", "-" or "@". A user with access keys or policies
cannot be deleted: delete its keys (tessera access-key) and detach its policies (tessera policy) first.
The administrator cannot be deleted or renamed.

  tessera user create app-reader --display-name "App reader"
  tessera access-key create --user app-reader
  tessera policy attach AliyunKMSReadOnlyAccess --type System --user app-reader
  tessera user policies app-reader
  printf '%s' "$PASSWORD" | tessera user password alice     # console password (8 to 128 characters)
  tessera user mfa enable alice                              # prints a TOTP secret once`,
  footer: `${CONNECTION_HELP}

${EXIT_HELP}`,
});
