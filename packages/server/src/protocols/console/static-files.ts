/**
 * The console's built files (`dist/console`, made by `npm run build`), read into memory once at start
 * and served by exact path: no file-system lookup per request, so no path can reach outside the folder.
 * Hashed asset names are cached for a year; the page itself is never cached.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Files by URL path below `/console/` (e.g. `index.html`, `assets/index-1a2b.js`); empty when not built. */
export function loadStaticFiles(folder: string): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(folder)) return files;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const urlPath = relative(folder, path).split(sep).join('/');
      files.set(urlPath, {
        body: readFileSync(path),
        contentType: type,
        cacheControl: urlPath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      });
    }
  };
  walk(folder);
  return files;
}
