/** Secrets: search by name prefix, filter by tag and type, page through; create one. */
import { useState } from 'preact/hooks';
import { call, listOf } from '../api.js';
import { ErrorMessage, Field, Loading, Pager, Time, useAction, useLoad } from '../ui.js';
import { navigate } from '../router.js';

const PAGE_SIZE = 20;

export function SecretsPage() {
  const [prefix, setPrefix] = useState('');
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [type, setType] = useState('');
  const [query, setQuery] = useState({ prefix: '', tagKey: '', tagValue: '', type: '' });
  const [page, setPage] = useState(1);
  const list = useLoad(() => {
    const filters = [
      query.prefix && { Key: 'SecretName', Values: [query.prefix] },
      query.tagKey && { Key: 'TagKey', Values: [query.tagKey] },
      query.tagValue && { Key: 'TagValue', Values: [query.tagValue] },
      query.type && { Key: 'SecretType', Values: [query.type] },
    ].filter(Boolean);
    return call('ListSecrets', {
      FetchTags: 'true',
      PageNumber: String(page),
      PageSize: String(PAGE_SIZE),
      Filters: filters.length > 0 ? JSON.stringify(filters) : undefined,
    });
  }, [query, page]);

  return (
    <section aria-labelledby="secrets-title">
      <div class="title-row">
        <h1 id="secrets-title">Secrets</h1>
        <a class="button primary" href="#/secrets-new">
          Create secret
        </a>
      </div>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setPage(1);
          setQuery({ prefix, tagKey, tagValue, type });
        }}
      >
        <Field label="Name starts with" value={prefix} onInput={setPrefix} />
        <Field label="Tag key" value={tagKey} onInput={setTagKey} />
        <Field label="Tag value" value={tagValue} onInput={setTagValue} />
        <div class="field">
          <label for="secret-type">Type</label>
          <select
            id="secret-type"
            value={type}
            onChange={(e) => {
              setType(e.currentTarget.value);
            }}
          >
            <option value="">Any</option>
            <option value="Generic">Generic</option>
            <option value="Rds">Rds</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? <Loading what="secrets" /> : null}
      {list.data ? (
        <>
          <table>
            <caption class="visually-hidden">Secrets, by name</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Tags</th>
                <th scope="col">Updated</th>
                <th scope="col">Deletion</th>
              </tr>
            </thead>
            <tbody>
              {listOf(list.data.SecretList, 'Secret').map((secret) => (
                <tr key={secret.SecretName}>
                  <td>
                    <a href={`#/secret/${encodeURIComponent(String(secret.SecretName))}`}>
                      {secret.SecretName}
                    </a>
                  </td>
                  <td>{secret.SecretType}</td>
                  <td>
                    {listOf(secret.Tags, 'Tag')
                      .map((tag) => `${tag.TagKey}=${tag.TagValue}`)
                      .join(', ')}
                  </td>
                  <td>
                    <Time value={secret.UpdateTime} />
                  </td>
                  <td>{secret.PlannedDeleteTime ? <Time value={secret.PlannedDeleteTime} /> : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            total={Number(list.data.TotalCount ?? 0)}
            onPage={setPage}
          />
        </>
      ) : null}
    </section>
  );
}

export function NewSecretPage() {
  const [name, setName] = useState('');
  const [versionId, setVersionId] = useState('v1');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [keyId, setKeyId] = useState('');
  const action = useAction();
  return (
    <section aria-labelledby="new-secret-title">
      <h1 id="new-secret-title">Create a secret</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() =>
              call('CreateSecret', {
                SecretName: name,
                VersionId: versionId,
                SecretData: value,
                SecretDataType: 'text',
                Description: description,
                EncryptionKeyId: keyId,
              }),
            )
            .then((ok) => {
              if (ok) navigate(`#/secret/${encodeURIComponent(name)}`);
            });
        }}
      >
        <Field label="Name" value={name} onInput={setName} required />
        <Field label="First version id" value={versionId} onInput={setVersionId} required />
        <Field label="Value" value={value} onInput={setValue} multiline required />
        <Field label="Description" value={description} onInput={setDescription} />
        <Field label="Key id or alias (empty: the service key)" value={keyId} onInput={setKeyId} />
        <ErrorMessage error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          Create
        </button>
      </form>
    </section>
  );
}
