/** A secret's rotation: policy, the last run's status and error, "rotate now". */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call } from '../api.js';
import { Checkbox, ErrorMessage, Field, Time, useAction } from '../ui.js';

/** `2592000s` → `30d`; the API answers intervals in seconds. */
export function humanInterval(seconds: string | undefined): string {
  const n = Number((seconds ?? '').replace(/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) return '';
  if (n % 86400 === 0) return `${n / 86400}d`;
  if (n % 3600 === 0) return `${n / 3600}h`;
  return `${n}s`;
}

export function RotationPanel(props: { name: string; secret: Answer; onChange: () => void }) {
  const { secret } = props;
  const [enabled, setEnabled] = useState(secret.AutomaticRotation === 'Enabled');
  const [interval, setInterval] = useState(humanInterval(secret.RotationInterval) || '30d');
  const [versionId, setVersionId] = useState('');
  const action = useAction();
  if (secret.AutomaticRotation === 'Invalid') {
    return (
      <div class="panel">
        <h2>Rotation</h2>
        <p class="muted">
          This secret has no rotator: bind it to a rotation webhook or make it a database secret.
        </p>
      </div>
    );
  }
  return (
    <div class="panel">
      <h2>Rotation</h2>
      <dl class="details">
        <dt>Automatic rotation</dt>
        <dd>{secret.AutomaticRotation ?? 'Disabled'}</dd>
        <dt>Last rotation</dt>
        <dd>
          <Time value={secret.LastRotationDate} />
        </dd>
        <dt>Next rotation</dt>
        <dd>
          <Time value={secret.NextRotationDate} />
        </dd>
        <dt>Last run</dt>
        <dd>
          {secret.RotationStatus ?? 'none'}
          {secret.RotationStep
            ? ` (step ${String(secret.RotationStep)}, attempt ${String(secret.RotationAttempts)})`
            : ''}
        </dd>
        {secret.LastRotationError ? (
          <>
            <dt>Last error</dt>
            <dd class="error">
              {secret.LastRotationErrorStep ? `${String(secret.LastRotationErrorStep)}: ` : ''}
              {secret.LastRotationError}
            </dd>
          </>
        ) : null}
      </dl>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() =>
              call('UpdateSecretRotationPolicy', {
                SecretName: props.name,
                EnableAutomaticRotation: String(enabled),
                RotationInterval: enabled ? interval : undefined,
              }),
            )
            .then(props.onChange);
        }}
      >
        <Checkbox label="Rotate automatically" checked={enabled} onChange={setEnabled} />
        <Field label="Every (e.g. 30d, 12h)" value={interval} onInput={setInterval} />
        <button type="submit" disabled={action.busy}>
          Save policy
        </button>
      </form>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() => call('RotateSecret', { SecretName: props.name, VersionId: versionId }))
            .then(props.onChange);
        }}
      >
        <Field label="New version id" value={versionId} onInput={setVersionId} required />
        <button type="submit" class="primary" disabled={action.busy}>
          Rotate now
        </button>
      </form>
      <ErrorMessage error={action.error} />
    </div>
  );
}
