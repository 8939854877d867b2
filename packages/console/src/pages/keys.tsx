/** Keys and aliases: list, create, enable/disable, schedule and cancel deletion, versions. */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call, listOf } from '../api.js';
import { Confirm, ErrorMessage, Field, Loading, Time, useAction, useLoad } from '../ui.js';

export function KeysPage() {
  const keys = useLoad(async () => {
    const listed = await call('ListKeys', { PageSize: '100' });
    const ids = listOf(listed.Keys, 'Key').map((k) => String(k.KeyId));
    const described = await Promise.all(ids.map((id) => call('DescribeKey', { KeyId: id })));
    const aliases = await call('ListAliases', { PageSize: '100' });
    return { keys: described.map((d) => d.KeyMetadata as Answer), aliases: listOf(aliases.Aliases, 'Alias') };
  }, []);
  const [description, setDescription] = useState('');
  const create = useAction();
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run(() => call('CreateKey', { Description: description })).then(keys.reload);
        }}
      >
        <Field label="Description of a new key" value={description} onInput={setDescription} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create key
        </button>
      </form>
      <ErrorMessage error={create.error ?? keys.error} />
      {keys.loading && !keys.data ? <Loading what="keys" /> : null}
      {keys.data?.keys.map((key) => (
        <KeyPanel
          key={key.KeyId}
          meta={key}
          aliases={keys.data?.aliases.filter((a) => a.KeyId === key.KeyId) ?? []}
          onChange={keys.reload}
        />
      ))}
    </section>
  );
}

function KeyPanel(props: { meta: Answer; aliases: Answer[]; onChange: () => void }) {
  const id = String(props.meta.KeyId);
  const [alias, setAlias] = useState('alias/');
  const [days, setDays] = useState('7');
  const [confirm, setConfirm] = useState(false);
  const [versions, setVersions] = useState<Answer[] | undefined>();
  const action = useAction();
  const run = (work: () => Promise<unknown>) => void action.run(work).then(props.onChange);
  const state = String(props.meta.KeyState);
  return (
    <div class="panel" aria-label={`Key ${id}`}>
      <h2>{id}</h2>
      <dl class="details">
        <dt>State</dt>
        <dd>{state}</dd>
        <dt>Description</dt>
        <dd>{props.meta.Description}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={props.meta.CreationDate} />
        </dd>
        {props.meta.DeleteDate ? (
          <>
            <dt>Deleted at</dt>
            <dd>
              <Time value={props.meta.DeleteDate} />
            </dd>
          </>
        ) : null}
        <dt>Aliases</dt>
        <dd>{props.aliases.map((a) => String(a.AliasName)).join(', ') || '—'}</dd>
      </dl>
      <div class="inline">
        {state === 'Enabled' ? (
          <button
            type="button"
            onClick={() => {
              run(() => call('DisableKey', { KeyId: id }));
            }}
          >
            Disable
          </button>
        ) : null}
        {state === 'Disabled' ? (
          <button
            type="button"
            onClick={() => {
              run(() => call('EnableKey', { KeyId: id }));
            }}
          >
            Enable
          </button>
        ) : null}
        {state === 'PendingDeletion' ? (
          <button
            type="button"
            onClick={() => {
              run(() => call('CancelKeyDeletion', { KeyId: id }));
            }}
          >
            Cancel deletion
          </button>
        ) : (
          <>
            <Field label="Pending window (days, 7–366)" type="number" value={days} onInput={setDays} />
            <button
              type="button"
              class="danger"
              onClick={() => {
                setConfirm(true);
              }}
            >
              Schedule deletion…
            </button>
          </>
        )}
        <button
          type="button"
          onClick={() => {
            run(() => call('CreateKeyVersion', { KeyId: id }));
          }}
        >
          New key version
        </button>
        <button
          type="button"
          onClick={() =>
            void action.run(async () => {
              setVersions(
                listOf(
                  (await call('ListKeyVersions', { KeyId: id, PageSize: '100' })).KeyVersions,
                  'KeyVersion',
                ),
              );
            })
          }
        >
          Show versions
        </button>
      </div>
      {versions ? (
        <ul aria-label={`Versions of key ${id}`}>
          {versions.map((v) => (
            <li key={v.KeyVersionId}>
              {v.KeyVersionId} <Time value={v.CreationDate} />
            </li>
          ))}
        </ul>
      ) : null}
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          run(() => call('CreateAlias', { AliasName: alias, KeyId: id }));
        }}
      >
        <Field label="New alias" value={alias} onInput={setAlias} />
        <button type="submit">Add alias</button>
      </form>
      {props.aliases.map((a) => (
        <button
          key={a.AliasName}
          type="button"
          onClick={() => {
            run(() => call('DeleteAlias', { AliasName: String(a.AliasName) }));
          }}
        >
          Delete {a.AliasName}
        </button>
      ))}
      <Confirm
        title="Schedule key deletion"
        open={confirm}
        confirmLabel="Schedule deletion"
        onCancel={() => {
          setConfirm(false);
        }}
        onConfirm={() => {
          setConfirm(false);
          run(() => call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: days }));
        }}
      >
        <p>
          Key {id} is disabled now and destroyed in {days} days; secrets under it become unreadable then.
        </p>
      </Confirm>
      <ErrorMessage error={action.error} />
    </div>
  );
}
