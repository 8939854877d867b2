/** Rotation webhooks and database instances: the targets rotation acts on. */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call, listOf } from '../api.js';
import { ErrorMessage, Field, Time, useAction, useLoad } from '../ui.js';

export function IntegrationsPage() {
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Rotation targets</h1>
      <Webhooks />
      <DatabaseInstances />
    </section>
  );
}

function Webhooks() {
  const hooks = useLoad(() => call('ListRotationWebhooks'), []);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('https://');
  const [created, setCreated] = useState<Answer | undefined>();
  const action = useAction();
  return (
    <div class="panel">
      <h2>Rotation webhooks</h2>
      <ul>
        {listOf(hooks.data?.RotationWebhooks, 'RotationWebhook').map((hook) => (
          <li key={hook.WebhookName}>
            <strong>{hook.WebhookName}</strong> {hook.Url} <Time value={hook.CreateTime} />{' '}
            <button
              type="button"
              onClick={() =>
                void action
                  .run(() => call('DeleteRotationWebhook', { WebhookName: String(hook.WebhookName) }))
                  .then(hooks.reload)
              }
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(async () => {
              setCreated(await call('CreateRotationWebhook', { WebhookName: name, Url: url }));
            })
            .then(hooks.reload);
        }}
      >
        <Field label="Webhook name" value={name} onInput={setName} required />
        <Field label="URL" value={url} onInput={setUrl} type="url" required />
        <button type="submit">Register webhook</button>
      </form>
      {created ? (
        <p class="once" role="status">
          Signing key, shown only this once: <code>{created.SigningKey}</code>
        </p>
      ) : null}
      <ErrorMessage error={action.error ?? hooks.error} />
    </div>
  );
}

function DatabaseInstances() {
  const instances = useLoad(() => call('ListDatabaseInstances', { PageSize: '100' }), []);
  const [form, setForm] = useState({
    id: '',
    engine: 'postgresql',
    host: '',
    port: '5432',
    admin: '',
    tls: 'verify-full',
  });
  const action = useAction();
  const set = (field: keyof typeof form) => (value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
  };
  return (
    <div class="panel">
      <h2>Database instances</h2>
      <table>
        <caption class="visually-hidden">Registered database instances</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Engine</th>
            <th scope="col">Address</th>
            <th scope="col">TLS</th>
            <th scope="col">Administrator secret</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {listOf(instances.data?.DBInstances, 'DBInstance').map((db) => (
            <tr key={db.DBInstanceId}>
              <td>{db.DBInstanceId}</td>
              <td>{db.Engine}</td>
              <td>
                {db.Host}:{db.Port}
              </td>
              <td>{db.TlsMode}</td>
              <td>{db.AdminSecretName}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    void action
                      .run(() =>
                        call('DeregisterDatabaseInstance', { DBInstanceId: String(db.DBInstanceId) }),
                      )
                      .then(instances.reload)
                  }
                >
                  Deregister
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() =>
              call('RegisterDatabaseInstance', {
                DBInstanceId: form.id,
                Engine: form.engine,
                Host: form.host,
                Port: form.port,
                AdminSecretName: form.admin,
                TlsMode: form.tls,
              }),
            )
            .then(instances.reload);
        }}
      >
        <Field label="Instance id" value={form.id} onInput={set('id')} required />
        <Field label="Engine (postgresql or mysql)" value={form.engine} onInput={set('engine')} required />
        <Field label="Host" value={form.host} onInput={set('host')} required />
        <Field label="Port" value={form.port} onInput={set('port')} type="number" />
        <Field label="Administrator secret" value={form.admin} onInput={set('admin')} required />
        <Field label="TLS mode" value={form.tls} onInput={set('tls')} />
        <button type="submit">Register instance</button>
      </form>
      <ErrorMessage error={action.error ?? instances.error} />
    </div>
  );
}
