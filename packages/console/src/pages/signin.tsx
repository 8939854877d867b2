/** Sign-in with a user name and console password, and the one-time code when the user has MFA. */
import { useState } from 'preact/hooks';
import type { Session } from '../api.js';
import { ApiError, signIn } from '../api.js';
import { ErrorMessage, Field, useAction } from '../ui.js';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const action = useAction();
  return (
    <main class="signin">
      <h1>Sign in to Tessera</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => {
            try {
              onSignedIn(await signIn(userName, password, needsCode ? code : undefined));
            } catch (error) {
              if (error instanceof ApiError && error.code === 'MfaCodeRequired') {
                setNeedsCode(true);
                return;
              }
              throw error;
            }
          });
        }}
      >
        <Field
          label="User name"
          value={userName}
          onInput={setUserName}
          required
          autoComplete="username"
          name="username"
        />
        <Field
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autoComplete="current-password"
          name="password"
        />
        {needsCode ? (
          <Field
            label="Code from your authenticator app"
            value={code}
            onInput={setCode}
            required
            autoComplete="one-time-code"
            name="totp"
          />
        ) : null}
        <ErrorMessage error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
