/**
 * One secret: metadata and tags, versions as a timeline with their labels, values revealed on request
 * (each reveal is a GetSecretValue the audit trail records), a new version, moving a label with a
 * confirmation of what moves where, rotation, deletion and restore.
 */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call, listOf } from '../api.js';
import { Checkbox, Confirm, ErrorMessage, Field, Loading, Stages, Time, useAction, useLoad } from '../ui.js';
import { RotationPanel } from './secret-rotation.js';
import { LifecyclePanel } from './secret-lifecycle.js';

interface Version {
  readonly id: string;
  readonly createTime: string;
  readonly stages: string[];
}

function without(shown: Record<string, string>, versionId: string): Record<string, string> {
  const rest = { ...shown };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a value hidden again leaves memory
  delete rest[versionId];
  return rest;
}

function versionsOf(answer: Answer): Version[] {
  return listOf(answer.VersionIds, 'VersionId').map((v) => ({
    id: String(v.VersionId),
    createTime: String(v.CreateTime),
    stages: listOf<string>(v.VersionStages, 'VersionStage'),
  }));
}

export function SecretPage({ name }: { name: string }) {
  const loaded = useLoad(async () => {
    const secret = await call('DescribeSecret', { SecretName: name, FetchTags: 'true' });
    const versions = await call('ListSecretVersionIds', {
      SecretName: name,
      IncludeDeprecated: 'true',
      PageSize: '100',
    });
    return { secret, versions: versionsOf(versions) };
  }, [name]);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <Loading what={`the secret ${name}`} />;
  const { secret, versions } = loaded.data;
  return (
    <section aria-labelledby="secret-title">
      <h1 id="secret-title">{name}</h1>
      <Metadata secret={secret} onChange={loaded.reload} />
      <VersionsPanel name={name} versions={versions} onChange={loaded.reload} />
      <PutVersion name={name} onChange={loaded.reload} />
      <RotationPanel name={name} secret={secret} onChange={loaded.reload} />
      <LifecyclePanel name={name} secret={secret} onChange={loaded.reload} />
    </section>
  );
}

function Metadata({ secret, onChange }: { secret: Answer; onChange: () => void }) {
  const [description, setDescription] = useState(String(secret.Description ?? ''));
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const action = useAction();
  const name = String(secret.SecretName);
  const tags = listOf(secret.Tags, 'Tag');
  return (
    <div class="panel">
      <h2>Details</h2>
      <dl class="details">
        <dt>ARN</dt>
        <dd>{secret.Arn}</dd>
        <dt>Type</dt>
        <dd>{secret.SecretType}</dd>
        <dt>Encryption key</dt>
        <dd>{secret.EncryptionKeyId ?? 'the service key'}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={secret.CreateTime} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time value={secret.UpdateTime} />
        </dd>
      </dl>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() => call('UpdateSecret', { SecretName: name, Description: description }))
            .then(onChange);
        }}
      >
        <Field label="Description" value={description} onInput={setDescription} />
        <button type="submit" disabled={action.busy}>
          Save description
        </button>
      </form>
      <h3>Tags</h3>
      <ul class="tags">
        {tags.map((tag) => (
          <li key={tag.TagKey}>
            <span>
              {tag.TagKey} = {tag.TagValue}
            </span>{' '}
            <button
              type="button"
              aria-label={`Remove tag ${String(tag.TagKey)}`}
              onClick={() =>
                void action
                  .run(() =>
                    call('UntagResource', { SecretName: name, TagKeys: JSON.stringify([tag.TagKey]) }),
                  )
                  .then(onChange)
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() =>
              call('TagResource', {
                SecretName: name,
                Tags: JSON.stringify([{ TagKey: tagKey, TagValue: tagValue }]),
              }),
            )
            .then((ok) => {
              if (ok) {
                setTagKey('');
                setTagValue('');
                onChange();
              }
            });
        }}
      >
        <Field label="Tag key" value={tagKey} onInput={setTagKey} required />
        <Field label="Tag value" value={tagValue} onInput={setTagValue} required />
        <button type="submit" disabled={action.busy}>
          Add tag
        </button>
      </form>
      <ErrorMessage error={action.error} />
    </div>
  );
}

function VersionsPanel(props: { name: string; versions: Version[]; onChange: () => void }) {
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [move, setMove] = useState<{ stage: string; to: string } | undefined>();
  const [stage, setStage] = useState('ACSCurrent');
  const [target, setTarget] = useState('');
  const action = useAction();
  const holder = (label: string) => props.versions.find((v) => v.stages.includes(label))?.id;
  const reveal = (versionId: string) =>
    void action.run(async () => {
      const answer = await call('GetSecretValue', { SecretName: props.name, VersionId: versionId });
      setRevealed((r) => ({ ...r, [versionId]: String(answer.SecretData) }));
    });
  const confirmMove = () => {
    if (!move) return;
    const from = holder(move.stage);
    setMove(undefined);
    void action
      .run(() =>
        call('UpdateSecretVersionStage', {
          SecretName: props.name,
          VersionStage: move.stage,
          MoveToVersion: move.to,
          RemoveFromVersion: from,
        }),
      )
      .then(props.onChange);
  };
  const moving = move ? holder(move.stage) : undefined;
  return (
    <div class="panel">
      <h2>Versions</h2>
      <ol class="timeline" aria-label="Versions, newest first">
        {[...props.versions]
          .sort((a, b) => b.createTime.localeCompare(a.createTime))
          .map((version) => (
            <li key={version.id} data-version={version.id}>
              <div class="version-head">
                <strong>{version.id}</strong> <Time value={version.createTime} />{' '}
                <Stages stages={version.stages} />
              </div>
              {revealed[version.id] !== undefined ? (
                <div class="value">
                  <pre aria-label={`Value of version ${version.id}`}>{revealed[version.id]}</pre>
                  <button
                    type="button"
                    onClick={() => void navigator.clipboard.writeText(revealed[version.id] ?? '')}
                  >
                    Copy
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      setRevealed((shown) => without(shown, version.id));
                    }}
                  >
                    Hide
                  </button>
                </div>
              ) : (
                <button
                  type="button"
                  onClick={() => {
                    reveal(version.id);
                  }}
                  aria-label={`Reveal version ${version.id}`}
                >
                  Reveal
                </button>
              )}
            </li>
          ))}
      </ol>
      <h3>Move a label</h3>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          setMove({ stage, to: target });
        }}
      >
        <Field
          label="Label"
          value={stage}
          onInput={setStage}
          required
          hint="ACSCurrent promotes; ACSPrevious's version rolls back"
        />
        <div class="field">
          <label for="move-target">To version</label>
          <select
            id="move-target"
            value={target}
            required
            onChange={(e) => {
              setTarget(e.currentTarget.value);
            }}
          >
            <option value="">Choose…</option>
            {props.versions.map((v) => (
              <option key={v.id} value={v.id}>
                {v.id}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Move label…</button>
      </form>
      <Confirm
        title="Move a label"
        open={move !== undefined}
        onCancel={() => {
          setMove(undefined);
        }}
        onConfirm={confirmMove}
        confirmLabel="Move"
      >
        {move ? (
          <p>
            {move.stage} moves from {moving ?? 'no version'} to {move.to}.
            {move.stage === 'ACSCurrent' && moving ? ` ${moving} becomes ACSPrevious.` : ''}
          </p>
        ) : null}
      </Confirm>
      <ErrorMessage error={action.error} />
    </div>
  );
}

function PutVersion({ name, onChange }: { name: string; onChange: () => void }) {
  const [versionId, setVersionId] = useState('');
  const [value, setValue] = useState('');
  const [withStages, setWithStages] = useState(false);
  const [stages, setStages] = useState('ACSPending');
  const action = useAction();
  return (
    <div class="panel">
      <h2>Put a new version</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const labels = stages
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          void action
            .run(() =>
              call('PutSecretValue', {
                SecretName: name,
                VersionId: versionId,
                SecretData: value,
                VersionStages: withStages ? JSON.stringify(labels) : undefined,
              }),
            )
            .then((ok) => {
              if (ok) {
                setVersionId('');
                setValue('');
                onChange();
              }
            });
        }}
      >
        <Field label="Version id" value={versionId} onInput={setVersionId} required />
        <Field label="New value" value={value} onInput={setValue} multiline required />
        <Checkbox
          label="Put under labels of my choice (leaves ACSCurrent where it is)"
          checked={withStages}
          onChange={setWithStages}
        />
        {withStages ? <Field label="Labels (comma-separated)" value={stages} onInput={setStages} /> : null}
        <ErrorMessage error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          Put version
        </button>
      </form>
    </div>
  );
}
