/** A policy document editor that checks the document with the server's RAM policy grammar before saving. */
import { useState } from 'preact/hooks';
import { call, RAM, validatePolicy } from '../api.js';
import { ErrorMessage, Field, useAction } from '../ui.js';

const TEMPLATE = JSON.stringify(
  {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: ['kms:GetSecretValue'], Resource: ['acs:kms:*:*:secret/app/*'] }],
  },
  null,
  2,
);

export function PolicyEditor({ onSaved }: { onSaved: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [document, setDocument] = useState(TEMPLATE);
  const [verdict, setVerdict] = useState<{ valid: boolean; message: string } | undefined>();
  const action = useAction();
  const check = async (): Promise<boolean> => {
    const result = await validatePolicy(document);
    setVerdict(result);
    return result.valid;
  };
  return (
    <form
      class="panel"
      aria-labelledby="policy-editor-title"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          if (!(await check())) return;
          await call(
            'CreatePolicy',
            { PolicyName: name, Description: description, PolicyDocument: document },
            RAM,
          );
          setName('');
          onSaved();
        });
      }}
    >
      <h2 id="policy-editor-title">New policy</h2>
      <Field label="Policy name" value={name} onInput={setName} required />
      <Field label="Description" value={description} onInput={setDescription} />
      <Field
        label="Policy document (JSON)"
        value={document}
        onInput={(value) => {
          setDocument(value);
          setVerdict(undefined);
        }}
        multiline
      />
      {verdict ? (
        <p role="status" class={verdict.valid ? 'ok' : 'error'}>
          {verdict.valid ? 'The document is valid.' : verdict.message}
        </p>
      ) : null}
      <div class="inline">
        <button type="button" onClick={() => void action.run(check)}>
          Validate
        </button>
        <button type="submit" class="primary" disabled={action.busy}>
          Save policy
        </button>
      </div>
      <ErrorMessage error={action.error} />
    </form>
  );
}
