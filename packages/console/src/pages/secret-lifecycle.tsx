/** Deleting a secret with a recovery window, restoring it, and the countdown to its purge. */
import { useEffect, useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call } from '../api.js';
import { Confirm, ErrorMessage, Field, Time, useAction } from '../ui.js';

function countdown(until: number, now: number): string {
  const seconds = Math.max(0, Math.floor((until - now) / 1000));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${days} d ${hours} h ${minutes} min`;
}

export function LifecyclePanel(props: { name: string; secret: Answer; onChange: () => void }) {
  const [days, setDays] = useState('30');
  const [confirming, setConfirming] = useState(false);
  const [now, setNow] = useState(Date.now());
  const action = useAction();
  const planned = props.secret.PlannedDeleteTime
    ? Date.parse(String(props.secret.PlannedDeleteTime))
    : undefined;
  useEffect(() => {
    if (planned === undefined) return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 30_000);
    return () => {
      clearInterval(timer);
    };
  }, [planned]);
  return (
    <div class="panel">
      <h2>Deletion</h2>
      {planned !== undefined ? (
        <>
          <p>
            Scheduled for deletion at <Time value={props.secret.PlannedDeleteTime} />: purged in{' '}
            <strong>{countdown(planned, now)}</strong>.
          </p>
          <button
            type="button"
            class="primary"
            disabled={action.busy}
            onClick={() =>
              void action.run(() => call('RestoreSecret', { SecretName: props.name })).then(props.onChange)
            }
          >
            Restore
          </button>
        </>
      ) : (
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirming(true);
          }}
        >
          <Field label="Recovery window (days, 7–30)" value={days} onInput={setDays} type="number" />
          <button type="submit" class="danger">
            Delete…
          </button>
        </form>
      )}
      <Confirm
        title="Delete this secret"
        open={confirming}
        confirmLabel="Delete"
        onCancel={() => {
          setConfirming(false);
        }}
        onConfirm={() => {
          setConfirming(false);
          void action
            .run(() => call('DeleteSecret', { SecretName: props.name, RecoveryWindowInDays: days }))
            .then(props.onChange);
        }}
      >
        <p>
          {props.name} will be unusable at once and purged after {days} days unless restored.
        </p>
      </Confirm>
      <ErrorMessage error={action.error} />
    </div>
  );
}
