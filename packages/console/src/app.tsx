/** The console's frame: sign-in gate, navigation, and the page the hash names. */
import { useEffect, useState } from 'preact/hooks';
import type { Session } from './api.js';
import { currentSession, signOut } from './api.js';
import { AuditPage } from './pages/audit.js';
import { PoliciesPage, UsersPage } from './pages/identities.js';
import { IntegrationsPage } from './pages/integrations.js';
import { KeysPage } from './pages/keys.js';
import { SecretPage } from './pages/secret.js';
import { NewSecretPage, SecretsPage } from './pages/secrets.js';
import { SignInPage } from './pages/signin.js';
import { useRoute } from './router.js';
import { ErrorMessage, Loading } from './ui.js';

const SECTIONS = [
  ['secrets', 'Secrets'],
  ['keys', 'Keys'],
  ['users', 'Users'],
  ['policies', 'Policies'],
  ['audit', 'Audit trail'],
  ['integrations', 'Rotation targets'],
] as const;

function Page({ route }: { route: string[] }) {
  const [section, ...rest] = route;
  switch (section ?? '') {
    case 'secret':
      return <SecretPage name={rest.join('/')} />;
    case 'secrets-new':
      return <NewSecretPage />;
    case 'keys':
      return <KeysPage />;
    case 'users':
      return <UsersPage />;
    case 'policies':
      return <PoliciesPage />;
    case 'audit':
      return <AuditPage />;
    case 'integrations':
      return <IntegrationsPage />;
    default:
      return <SecretsPage />;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  const route = useRoute();
  useEffect(() => {
    currentSession().then((s) => {
      setSession(s ?? null);
    }, setError);
  }, []);
  if (error) return <ErrorMessage error={error} />;
  if (session === undefined) return <Loading what="the console" />;
  if (session === null) return <SignInPage onSignedIn={setSession} />;
  const current = route[0] === 'secret' || route[0] === 'secrets-new' || !route[0] ? 'secrets' : route[0];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">Tessera</span>
        <nav aria-label="Sections">
          {SECTIONS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={current === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          Signed in as <strong>{session.userName}</strong>{' '}
          <button
            type="button"
            onClick={() => {
              void signOut().finally(() => {
                setSession(null);
              });
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
