/**
 * `Format=XML` answers must parse with a strict XML 1.0 parser whatever text they carry. The check
 * below is a small, strict well-formedness parser for the subset `render` writes (a declaration, then
 * elements without attributes holding text or elements): it refuses any character outside XML 1.0's
 * `Char` production, raw `<`/`&`, unknown entities and references to characters XML cannot carry —
 * what libxml2 or Xerces refuse, written out here so no runtime dependency is needed for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render } from './render.js';

interface XmlElement {
  readonly name: string;
  readonly children: (XmlElement | string)[];
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Parses `document` strictly; throws on the first well-formedness error. */
function parseStrictXml(document: string): XmlElement {
  for (const char of document) {
    const code = char.codePointAt(0) ?? -1;
    // A lone surrogate iterates as itself; a pair iterates as one code point.
    if (!isXmlChar(code) || (code >= 0xd800 && code <= 0xdfff)) {
      throw new Error(`character U+${code.toString(16)} is not allowed in XML 1.0`);
    }
  }
  if (!document.startsWith(DECLARATION)) throw new Error('no XML declaration');
  let at = DECLARATION.length;
  const name = /^[A-Za-z_][A-Za-z0-9_.-]*/;

  const element = (): XmlElement => {
    if (document[at] !== '<') throw new Error(`expected an element at ${at}`);
    const open = name.exec(document.slice(at + 1));
    if (!open || document[at + 1 + open[0].length] !== '>') throw new Error(`bad start tag at ${at}`);
    at += open[0].length + 2;
    const children: (XmlElement | string)[] = [];
    let text = '';
    for (;;) {
      const char = document[at];
      if (char === undefined) throw new Error(`<${open[0]}> is not closed`);
      if (char === '<') {
        if (text !== '') children.push(text);
        text = '';
        if (document[at + 1] === '/') {
          const close = `</${open[0]}>`;
          if (!document.startsWith(close, at)) throw new Error(`mismatched end tag at ${at}`);
          at += close.length;
          return { name: open[0], children };
        }
        children.push(element());
      } else if (char === '&') {
        const end = document.indexOf(';', at);
        if (end < 0) throw new Error(`unterminated reference at ${at}`);
        const reference = document.slice(at + 1, end);
        const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(reference);
        if (numeric) {
          const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
          if (!isXmlChar(code)) throw new Error(`reference to U+${code.toString(16)}, not an XML character`);
          text += String.fromCodePoint(code);
        } else {
          const entity = ENTITIES[reference];
          if (entity === undefined) throw new Error(`unknown entity &${reference};`);
          text += entity;
        }
        at = end + 1;
      } else {
        if (document.startsWith(']]>', at)) throw new Error(`"]]>" in text at ${at}`);
        // End-of-line handling (XML 1.0 §2.11): a literal CR, alone or before LF, reads as LF.
        if (char === '\r') {
          text += '\n';
          at += document[at + 1] === '\n' ? 2 : 1;
        } else {
          text += char;
          at += 1;
        }
      }
    }
  };

  const root = element();
  if (at !== document.length) throw new Error('content after the root element');
  return root;
}

/** What XML can carry of `text`: every character XML 1.0 refuses becomes U+FFFD (written independently). */
function carried(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const lone = code >= 0xd800 && code <= 0xdfff;
    out += isXmlChar(code) && !lone ? char : '\uFFFD';
  }
  return out;
}

/** Strings of any UTF-16 code units, leaning towards the troublesome ones. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
      fc.constantFrom(
        '\u0000',
        '\u001b',
        '\u000b',
        '\u000c',
        '\r',
        '\r\n',
        '\uFFFE',
        '\uFFFF',
        '\uD800',
        '\uDFFF',
        '\uD83D\uDD11',
        ']]>',
        '&',
        '<',
        '&#x0;',
      ),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

function valueOf(element: XmlElement, path: readonly string[]): string {
  let node: XmlElement | string = element;
  for (const step of path) {
    if (typeof node === 'string') throw new Error('text where an element was expected');
    const next: XmlElement | string | undefined = node.children.find(
      (child) => typeof child !== 'string' && child.name === step,
    );
    if (next === undefined) throw new Error(`no <${step}>`);
    node = next;
  }
  if (typeof node === 'string') return node;
  return node.children.filter((child) => typeof child === 'string').join('');
}

describe('XML answers', () => {
  it('parse with a strict XML 1.0 parser and carry every character XML allows unchanged', () => {
    fc.assert(
      fc.property(hostileText, hostileText, (data, message) => {
        const document = render('xml', 'GetSecretValueResponse', {
          RequestId: 'r-1',
          SecretData: data,
          Tags: { Tag: [{ TagKey: 'k', TagValue: message }] },
        });
        const root = parseStrictXml(document);
        expect(root.name).toBe('GetSecretValueResponse');
        expect(valueOf(root, ['SecretData'])).toBe(carried(data));
        expect(valueOf(root, ['Tags', 'Tag', 'TagValue'])).toBe(carried(message));
      }),
      { numRuns: 2000 },
    );
  });

  it('replaces what XML 1.0 cannot carry with U+FFFD and keeps a carriage return', () => {
    const document = render('xml', 'Error', {
      Message: 'a\u0000b\u001bc\u000bd\uFFFEe\uD800f\r\ng',
    });
    expect(valueOf(parseStrictXml(document), ['Message'])).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\r\ng');
  });

  it('the strict check refuses what XML 1.0 forbids', () => {
    expect(() => parseStrictXml(`${DECLARATION}<A>\u001b</A>`)).toThrow(/not allowed/);
    expect(() => parseStrictXml(`${DECLARATION}<A>&#x0;</A>`)).toThrow(/not an XML character/);
    expect(() => parseStrictXml(`${DECLARATION}<A>\uFFFE</A>`)).toThrow(/not allowed/);
    expect(() => parseStrictXml(`${DECLARATION}<A>\uD800</A>`)).toThrow(/not allowed/);
    expect(() => parseStrictXml(`${DECLARATION}<A>&nbsp;</A>`)).toThrow(/unknown entity/);
    expect(() => parseStrictXml(`${DECLARATION}<A><B></A>`)).toThrow(/mismatched/);
  });
});
