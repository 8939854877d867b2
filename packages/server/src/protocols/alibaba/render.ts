/**
 * Response bodies: JSON by default (raw UTF-8, never `\uXXXX` for non-ASCII, because the Java v1 core's
 * reader cannot decode escapes), XML when the request says `Format=XML` (the Java cache client v1 does).
 * Lists arrive already wrapped (`{"VersionStages":{"VersionStage":[…]}}`); in XML an array becomes one
 * element per item under its key.
 */
import type { WireBody, WireValue } from './codec.js';

export type ResponseFormat = 'json' | 'xml';

export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  json: 'application/json;charset=utf-8',
  xml: 'text/xml;charset=utf-8',
};

export function render(format: ResponseFormat, root: string, body: WireBody): string {
  return format === 'json'
    ? JSON.stringify(body)
    : `<?xml version="1.0" encoding="UTF-8"?>${xmlElement(root, body)}`;
}

function xmlElement(name: string, value: WireValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => xmlElement(name, item)).join('');
  if (typeof value === 'object') {
    const children = Object.entries(value)
      .map(([key, child]) => xmlElement(key, child))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * Text as XML 1.0 character data. The markup characters become entity references; a carriage return
 * becomes `&#xD;`, because parsers turn a literal one into a line feed. Characters XML 1.0 cannot carry
 * at all, not even as references (C0 controls other than tab, line feed and carriage return, U+FFFE,
 * U+FFFF, lone surrogates), become U+FFFD, so every answer parses with a strict parser (docs/errors.md,
 * "Response formats").
 */
function escapeXml(text: string): string {
  return text.replace(XML_ESCAPED, (c) => XML_REPLACEMENTS[c] ?? '\uFFFD');
}

// With the `u` flag a lone surrogate is one code point, outside every allowed range.
const XML_ESCAPED = /[&<>"'\r]|[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};
