import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../domain/errors.js';
import { AWS_DOMAIN_ERRORS, AWS_ERROR_CODES } from './errors.js';

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

/** Helpers that raise a fixed code, as errors.ts defines them. */
const HELPERS: Readonly<Record<string, string>> = {
  invalidParameter: '400 InvalidParameterException',
  invalidRequest: '400 InvalidRequestException',
  serializationError: '400 SerializationException',
  validationError: '400 ValidationException',
  singleRegion: '400 InvalidRequestException',
};

/** Every (status, code) the adapter raises by itself, read from its source. */
function raisedByAdapter(): Set<string> {
  const raised = new Set<string>();
  for (const entry of readdirSync(here)) {
    if (!entry.endsWith('.ts') || entry.endsWith('.test.ts')) continue;
    const source = readFileSync(join(here, entry), 'utf8');
    for (const match of source.matchAll(/new AwsError\(\s*(\d{3}),\s*'([^']+)'/g))
      raised.add(`${match[1]} ${match[2]}`);
    for (const [helper, code] of Object.entries(HELPERS)) {
      if (new RegExp(`\\b${helper}\\(`).test(source.replace(/export function \w+\(/g, ''))) raised.add(code);
    }
  }
  return raised;
}

describe('AWS error catalog (docs/errors.md ⇄ code)', () => {
  it('documents every domain code with the status and AWS code it maps to', () => {
    const rows = new Map(table('Domain codes and their AWS form').map((cells) => [cells[0], cells]));
    for (const code of ERROR_CODES) {
      const row = rows.get(code);
      expect(row, `docs/errors.md lacks ${code}`).toBeDefined();
      expect(row?.[1]).toBe(String(AWS_DOMAIN_ERRORS[code].status));
      expect(row?.[2]).toBe(AWS_DOMAIN_ERRORS[code].code);
    }
    for (const documented of rows.keys()) expect(ERROR_CODES).toContain(documented);
  });

  it('documents every code the adapter raises, and raises every code it documents', () => {
    const documented = new Set(
      table('Codes raised by the AWS adapter').map((cells) => `${cells[0]} ${cells[1]}`),
    );
    const raised = raisedByAdapter();
    for (const code of raised) expect(documented, `docs/errors.md lacks ${code}`).toContain(code);
    for (const code of documented) expect(raised, `${code} is documented but never raised`).toContain(code);
  });

  it('uses only codes the official SDK or AWS documents', () => {
    const used = new Set(Object.values(AWS_DOMAIN_ERRORS).map((e) => e.code));
    for (const code of used) expect(AWS_ERROR_CODES).toContain(code);
  });
});
