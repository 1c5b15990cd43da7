/**
 * PostgreSQL's array text form: {a,"b c",NULL,{1,2}} with its quoting rules.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

/** Arrays deeper than this are refused (PostgreSQL's MAXDIM). */
export const MAX_ARRAY_DIMENSIONS = 6;

export function formatArrayText(value: unknown, encodeElement: (v: unknown) => string, delimiter = ','): string {
  if (!Array.isArray(value)) throw new PgError(SqlState.datatypeMismatch, 'array value expected');
  const parts = value.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return formatArrayText(item, encodeElement, delimiter);
    return quoteElement(encodeElement(item), delimiter);
  });
  return `{${parts.join(delimiter)}}`;
}

function quoteElement(text: string, delimiter: string): string {
  const needsQuotes =
    text === '' || /^null$/i.test(text) || /[{}"\\\s]/.test(text) || text.includes(delimiter);
  if (!needsQuotes) return text;
  return `"${text.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/** Parses '{…}' into nested JS arrays of decoded elements (null for NULL). */
export function parseArrayText(text: string, decodeElement: (t: string) => unknown, delimiter = ','): unknown[] {
  let i = 0;
  const s = text.trim();
  const fail = (): PgError => new PgError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`);
  // Optional dimension decoration '[1:3]=' is accepted and its bounds ignored.
  if (s[0] === '[') {
    const eq = s.indexOf('=');
    if (eq < 0) throw fail();
    i = eq + 1;
  }
  const parseLevel = (depth: number): unknown[] => {
    if (depth > MAX_ARRAY_DIMENSIONS) {
      throw new PgError(SqlState.programLimitExceeded, `number of array dimensions exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
    }
    if (s[i] !== '{') throw fail();
    i++;
    const out: unknown[] = [];
    skipSpace();
    if (s[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (s[i] === '{') out.push(parseLevel(depth + 1));
      else if (s[i] === '"') {
        i++;
        let value = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          if (i >= s.length) throw fail();
          value += s[i++];
        }
        if (s[i] !== '"') throw fail();
        i++;
        out.push(decodeElement(value));
      } else {
        let value = '';
        while (i < s.length && s[i] !== delimiter && s[i] !== '}') {
          if (s[i] === '\\') i++;
          if (s[i] === '{' || s[i] === '"') throw fail();
          value += s[i++];
        }
        value = value.trim();
        if (value === '') throw fail();
        out.push(/^null$/i.test(value) ? null : decodeElement(value));
      }
      skipSpace();
      if (s[i] === delimiter) {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return out;
      }
      throw fail();
    }
  };
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const result = parseLevel(1);
  skipSpace();
  if (i !== s.length) throw fail();
  return result;
}
