/** Users, their access keys (a new key's secret shown once), policies and attachments. */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call, listOf, RAM } from '../api.js';
import { ErrorMessage, Field, Loading, Time, useAction, useLoad } from '../ui.js';
import { PolicyEditor } from './policy-editor.js';

export function UsersPage() {
  const users = useLoad(() => call('ListUsers', { MaxItems: '1000' }, RAM), []);
  const [name, setName] = useState('');
  const create = useAction();
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void create
            .run(() => call('CreateUser', { UserName: name }, RAM))
            .then((ok) => {
              if (ok) {
                setName('');
                users.reload();
              }
            });
        }}
      >
        <Field label="New user name" value={name} onInput={setName} required />
        <button type="submit" class="primary" disabled={create.busy}>
          Create user
        </button>
      </form>
      <ErrorMessage error={create.error ?? users.error} />
      {users.loading && !users.data ? <Loading what="users" /> : null}
      {listOf(users.data?.Users, 'User').map((user) => (
        <UserPanel key={user.UserName} user={user} onChange={users.reload} />
      ))}
    </section>
  );
}

function UserPanel({ user, onChange }: { user: Answer; onChange: () => void }) {
  const userName = String(user.UserName);
  const detail = useLoad(async () => {
    const [keys, policies] = await Promise.all([
      call('ListAccessKeys', { UserName: userName }, RAM),
      call('ListPoliciesForUser', { UserName: userName }, RAM),
    ]);
    return { keys: listOf(keys.AccessKeys, 'AccessKey'), policies: listOf(policies.Policies, 'Policy') };
  }, [userName]);
  const [created, setCreated] = useState<Answer | undefined>();
  const [policyName, setPolicyName] = useState('');
  const [policyType, setPolicyType] = useState('Custom');
  const action = useAction();
  const run = (work: () => Promise<unknown>) => void action.run(work).then(detail.reload);
  return (
    <div class="panel" aria-label={`User ${userName}`}>
      <h2>{userName}</h2>
      <p class="muted">
        Created <Time value={user.CreateDate} />
      </p>
      <h3>Access keys</h3>
      <ul>
        {detail.data?.keys.map((key) => (
          <li key={key.AccessKeyId}>
            <code>{key.AccessKeyId}</code> {key.Status}{' '}
            <button
              type="button"
              onClick={() => {
                run(() =>
                  call(
                    'UpdateAccessKey',
                    {
                      UserName: userName,
                      UserAccessKeyId: String(key.AccessKeyId),
                      Status: key.Status === 'Active' ? 'Inactive' : 'Active',
                    },
                    RAM,
                  ),
                );
              }}
            >
              {key.Status === 'Active' ? 'Deactivate' : 'Activate'}
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                run(() =>
                  call(
                    'DeleteAccessKey',
                    { UserName: userName, UserAccessKeyId: String(key.AccessKeyId) },
                    RAM,
                  ),
                );
              }}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={() =>
          void action
            .run(async () => {
              setCreated((await call('CreateAccessKey', { UserName: userName }, RAM)).AccessKey as Answer);
            })
            .then(detail.reload)
        }
      >
        Create access key
      </button>
      {created ? (
        <div class="once" role="status">
          <p>
            <strong>Copy the secret now: it is shown only this once.</strong>
          </p>
          <p>
            Id <code>{created.AccessKeyId}</code>, secret <code>{created.AccessKeySecret}</code>
          </p>
          <button
            type="button"
            onClick={() => {
              setCreated(undefined);
            }}
          >
            Done
          </button>
        </div>
      ) : null}
      <h3>Policies</h3>
      <ul>
        {detail.data?.policies.map((policy) => (
          <li key={`${String(policy.PolicyType)}:${String(policy.PolicyName)}`}>
            {policy.PolicyName} ({policy.PolicyType}){' '}
            <button
              type="button"
              onClick={() => {
                run(() =>
                  call(
                    'DetachPolicyFromUser',
                    {
                      UserName: userName,
                      PolicyName: String(policy.PolicyName),
                      PolicyType: String(policy.PolicyType),
                    },
                    RAM,
                  ),
                );
              }}
            >
              Detach
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          run(() =>
            call(
              'AttachPolicyToUser',
              { UserName: userName, PolicyName: policyName, PolicyType: policyType },
              RAM,
            ),
          );
        }}
      >
        <Field label="Policy name" value={policyName} onInput={setPolicyName} required />
        <div class="field">
          <label for={`ptype-${userName}`}>Policy type</label>
          <select
            id={`ptype-${userName}`}
            value={policyType}
            onChange={(e) => {
              setPolicyType(e.currentTarget.value);
            }}
          >
            <option value="Custom">Custom</option>
            <option value="System">System</option>
          </select>
        </div>
        <button type="submit">Attach policy</button>
      </form>
      <button
        type="button"
        class="danger"
        onClick={() => void action.run(() => call('DeleteUser', { UserName: userName }, RAM)).then(onChange)}
      >
        Delete user
      </button>
      <ErrorMessage error={action.error ?? detail.error} />
    </div>
  );
}

export function PoliciesPage() {
  const policies = useLoad(() => call('ListPolicies', { MaxItems: '1000' }, RAM), []);
  const [open, setOpen] = useState<Answer | undefined>();
  const action = useAction();
  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Policies</h1>
      <PolicyEditor onSaved={policies.reload} />
      <ErrorMessage error={action.error ?? policies.error} />
      <table>
        <caption class="visually-hidden">Policies</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
            <th scope="col">Attached to</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {listOf(policies.data?.Policies, 'Policy').map((policy) => (
            <tr key={`${String(policy.PolicyType)}:${String(policy.PolicyName)}`}>
              <td>{policy.PolicyName}</td>
              <td>{policy.PolicyType}</td>
              <td>{policy.Description}</td>
              <td>{policy.AttachmentCount}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    void action.run(async () => {
                      setOpen(
                        await call(
                          'GetPolicy',
                          { PolicyName: String(policy.PolicyName), PolicyType: String(policy.PolicyType) },
                          RAM,
                        ),
                      );
                    })
                  }
                >
                  Show
                </button>
                {policy.PolicyType === 'Custom' ? (
                  <button
                    type="button"
                    onClick={() =>
                      void action
                        .run(() => call('DeletePolicy', { PolicyName: String(policy.PolicyName) }, RAM))
                        .then(policies.reload)
                    }
                  >
                    Delete
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open ? (
        <div class="panel">
          <h2>{open.Policy?.PolicyName}</h2>
          <pre>{formatDocument(String(open.DefaultPolicyVersion?.PolicyDocument ?? ''))}</pre>
        </div>
      ) : null}
    </section>
  );
}

function formatDocument(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
