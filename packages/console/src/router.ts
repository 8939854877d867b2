/** Hash routes (`#/secrets`, `#/secret/<name>`): the server serves one page, so any path reloads cleanly. */
import { useEffect, useState } from 'preact/hooks';

export function navigate(hash: string): void {
  window.location.hash = hash;
}

export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => {
      setRoute(read());
    };
    window.addEventListener('hashchange', update);
    return () => {
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return route;
}
