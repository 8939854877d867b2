import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../domain/errors.js';
import { ACCESS_DENIED_BY_PRODUCT, DOMAIN_ERRORS } from './errors.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const doc = readFileSync(join(here, '../../../../../docs/errors.md'), 'utf8');

/** Rows of the markdown table under `heading`, as arrays of cells. */
function table(heading: string): string[][] {
  const section = doc.split(/^## /m).find((part) => part.startsWith(heading));
  if (!section) throw new Error(`docs/errors.md has no section "${heading}"`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---'))
    .slice(1)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

/** Every (status, code) the adapter raises by itself, read from its source. */
function raisedByAdapter(): Set<string> {
  const raised = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const source = readFileSync(path, 'utf8');
        for (const match of source.matchAll(/new ProtocolError\(\s*(\d{3}),\s*'([^']+)'/g))
          raised.add(`${match[1]} ${match[2]}`);
        if (/\bmissingParameter\(/.test(source)) raised.add('400 MissingParameter');
        if (/\binvalidParameter\(/.test(source)) raised.add('400 InvalidParameter');
      }
    }
  };
  walk(here);
  return raised;
}

describe('error catalog (docs/errors.md ⇄ code)', () => {
  it('documents every domain code with the status and wire code it maps to', () => {
    const rows = new Map(table('Domain codes').map((cells) => [cells[0], cells]));
    for (const code of ERROR_CODES) {
      const row = rows.get(code);
      expect(row, `docs/errors.md lacks ${code}`).toBeDefined();
      expect(row?.[1]).toBe(String(DOMAIN_ERRORS[code].status));
      expect(row?.[2]).toBe(DOMAIN_ERRORS[code].code);
    }
    for (const documented of rows.keys()) expect(ERROR_CODES).toContain(documented);
  });

  it('documents every code the adapter raises, and raises every code it documents', () => {
    const documented = new Set(
      table('Codes raised by the Alibaba adapter').map((cells) => `${cells[0]} ${cells[1]}`),
    );
    const raised = raisedByAdapter();
    for (const code of raised) expect(documented, `docs/errors.md lacks ${code}`).toContain(code);
    const mapped = new Set(
      [...Object.values(DOMAIN_ERRORS), ...Object.values(ACCESS_DENIED_BY_PRODUCT)].map(
        (e) => `${e.status} ${e.code}`,
      ),
    );
    for (const code of documented) {
      expect(
        raised.has(code) ||
          mapped.has(code) ||
          code === '413 Rejected.EntityTooLarge' ||
          code === '400 ParseRequestParameterException',
        `${code} is documented but never raised`,
      ).toBe(true);
    }
  });
});
