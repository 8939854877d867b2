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

// XML 1.0 cannot carry most C0 control characters at all, not even as references; they are written
// as character references so nothing is silently dropped (lenient parsers accept them).
function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${c.charCodeAt(0).toString(16)};`;
    }
  });
}
