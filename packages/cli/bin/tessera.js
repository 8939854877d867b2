#!/usr/bin/env node
// The `tessera` command. This file is committed (dist/ is not) so that `npm install` can link the bin
// before the first build; npm skips bins whose target is missing, and `npx tessera` would then fetch an
// unrelated package from the registry instead.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tessera: the CLI is not built yet; run `npm run build` in the repository root.\n');
  process.exit(4);
}
await import(entry.href);
