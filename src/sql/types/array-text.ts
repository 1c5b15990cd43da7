/**
 * PostgreSQL's array text form, {a,"b c",NULL,{1,2}}, with array_out's quoting rules and
 * array_in's parsing rules (whitespace, backslash escapes, NULL, [lo:hi]= decorations,
 * rectangular sub-arrays).
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

/** PostgreSQL's MAXDIM. */
export const MAX_ARRAY_DIMENSIONS = 6;
/** PostgreSQL's MaxArraySize. */
export const MAX_ARRAY_ELEMENTS = 134217727;

export type ElementText = (value: unknown) => string;

/** array_out: nested JS arrays to '{…}'. An array with no elements at all is '{}'. */
export function formatArrayText(value: unknown, encodeElement: ElementText, delimiter = ','): string {
  if (!Array.isArray(value)) throw new PgError(SqlState.datatypeMismatch, 'array value expected');
  const shape = arrayShape(value);
  if (shape.length === 0) return '{}';
  return formatLevel(value, 0, shape, encodeElement, delimiter);
}

function formatLevel(value: unknown[], depth: number, shape: readonly number[], encodeElement: ElementText, delimiter: string): string {
  let out = '{';
  const last = depth === shape.length - 1;
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += delimiter;
    const item = value[i];
    if (!last) out += formatLevel(item as unknown[], depth + 1, shape, encodeElement, delimiter);
    else if (item === null || item === undefined) out += 'NULL';
    else out += quoteElement(encodeElement(item), delimiter);
  }
  return out + '}';
}

/**
 * The dimensions of a nested JS array, [] when it holds no elements. Throws when the
 * sub-arrays are ragged or too deep, as PostgreSQL has only rectangular arrays.
 */
export function arrayShape(value: unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    if (shape.length >= MAX_ARRAY_DIMENSIONS) throw tooManyDimensions(shape.length + 1);
    shape.push(level.length);
    if (level.length === 0) return [];
    level = level[0];
  }
  checkShape(value, 0, shape);
  return shape;
}

function checkShape(value: unknown, depth: number, shape: readonly number[]): void {
  if (depth === shape.length) {
    if (Array.isArray(value)) throw raggedArray();
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) throw raggedArray();
  if (depth + 1 < shape.length || value.some(Array.isArray)) for (const item of value) checkShape(item, depth + 1, shape);
}

function raggedArray(): PgError {
  return new PgError(SqlState.invalidTextRepresentation, 'multidimensional arrays must have array expressions with matching dimensions');
}

export function tooManyDimensions(ndim: number): PgError {
  return new PgError(SqlState.programLimitExceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
}

/** array_isspace: only these count as whitespace in array text. */
function isArraySpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 11 || c === 12 || c === 13;
}

function quoteElement(text: string, delimiter: string): string {
  let needsQuotes = text.length === 0;
  const d = delimiter.charCodeAt(0);
  for (let i = 0; i < text.length && !needsQuotes; i++) {
    const c = text.charCodeAt(i);
    needsQuotes = c === 34 || c === 92 || c === 123 || c === 125 || c === d || isArraySpace(c);
  }
  if (!needsQuotes && text.length === 4 && text.toUpperCase() === 'NULL') needsQuotes = true;
  if (!needsQuotes) return text;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92) out += '\\';
    out += text[i];
  }
  return out + '"';
}

function malformed(text: string, detail: string): PgError {
  return new PgError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

/** array_in: '{…}' (optionally after '[lo:hi]…=') into nested JS arrays, null for NULL. */
export function parseArrayText(text: string, decodeElement: (t: string) => unknown, delimiter = ','): unknown[] {
  const s = text;
  const d = delimiter.charCodeAt(0);
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && isArraySpace(s.charCodeAt(i))) i++;
  };
  skipSpace();
  let declared: number[] | null = null;
  if (s[i] === '[') {
    declared = [];
    while (s[i] === '[') {
      const close = s.indexOf(']', i);
      const m = close < 0 ? null : /^\[\s*(?:([+-]?\d+)\s*:\s*)?([+-]?\d+)\s*\]$/.exec(s.slice(i, close + 1));
      if (!m) throw malformed(text, 'Missing "]" after array dimensions.');
      const lower = m[1] === undefined ? 1 : Number(m[1]);
      const upper = Number(m[2]);
      if (upper < lower - 1) {
        throw new PgError(SqlState.programLimitExceeded, 'upper bound cannot be less than lower bound');
      }
      declared.push(upper - lower + 1);
      if (declared.length > MAX_ARRAY_DIMENSIONS) throw tooManyDimensions(declared.length);
      i = close + 1;
      skipSpace();
    }
    if (s[i] !== '=') throw malformed(text, 'Missing "=" after array dimensions.');
    i++;
    skipSpace();
  }
  if (s[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
  /** Sizes of each level seen so far; every sub-array of a level must agree. */
  const shape: number[] = [];
  let leafDepth = -1;
  const parseLevel = (depth: number): unknown[] => {
    if (depth >= MAX_ARRAY_DIMENSIONS) throw tooManyDimensions(depth + 1);
    i++;
    const out: unknown[] = [];
    skipSpace();
    if (s[i] === '}') {
      i++;
      // '{}' inside '{…}' only fits an array that is empty throughout.
      if (depth > 0 && leafDepth !== -1) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
      if (depth > 0) leafDepth = -2;
      return out;
    }
    for (;;) {
      skipSpace();
      if (i >= s.length) throw malformed(text, 'Unexpected end of input.');
      if (s[i] === '{') {
        if (leafDepth >= 0 && leafDepth <= depth) throw malformed(text, 'Unexpected "{" character.');
        out.push(parseLevel(depth + 1));
      } else {
        if (leafDepth === -1) leafDepth = depth;
        else if (leafDepth !== depth) throw malformed(text, leafDepth === -2 ? 'Multidimensional arrays must have sub-arrays with matching dimensions.' : 'Unexpected array element.');
        out.push(parseElement());
      }
      skipSpace();
      if (i >= s.length) throw malformed(text, 'Unexpected end of input.');
      const c = s.charCodeAt(i);
      i++;
      if (c === d) continue;
      if (c === 125) break;
      throw malformed(text, `Unexpected "${s[i - 1]}" character.`);
    }
    if (shape[depth] === undefined) shape[depth] = out.length;
    else if (shape[depth] !== out.length) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    return out;
  };
  const parseElement = (): unknown => {
    let value = '';
    let quoted = false;
    let sawQuote = false;
    /** Length of value up to the last character that was quoted or escaped (kept when trimming). */
    let protectedLength = 0;
    for (;;) {
      if (i >= s.length) throw malformed(text, 'Unexpected end of input.');
      const c = s.charCodeAt(i);
      if (c === 92) {
        if (i + 1 >= s.length) throw malformed(text, 'Unexpected end of input.');
        value += s[i + 1];
        protectedLength = value.length;
        i += 2;
        continue;
      }
      if (c === 34) {
        // A quote may only open an element and close it.
        if (!quoted && (sawQuote || value.length > 0)) throw malformed(text, 'Unexpected array element.');
        quoted = !quoted;
        sawQuote = true;
        protectedLength = value.length;
        i++;
        continue;
      }
      if (quoted) {
        value += s[i];
        protectedLength = value.length;
        i++;
        continue;
      }
      if (c === d || c === 125) break;
      if (c === 123) throw malformed(text, 'Unexpected "{" character.');
      if (sawQuote && !isArraySpace(c)) throw malformed(text, 'Unexpected array element.');
      value += s[i];
      i++;
    }
    // Unquoted leading and trailing whitespace is not part of the element.
    let end = value.length;
    while (end > protectedLength && isArraySpace(value.charCodeAt(end - 1))) end--;
    value = value.slice(0, end);
    if (!sawQuote) {
      if (value.length === 0) throw malformed(text, 'Unexpected "' + (s[i] ?? '') + '" character.');
      if (protectedLength === 0 && value.length === 4 && value.toUpperCase() === 'NULL') return null;
    }
    return decodeElement(value);
  };
  const result = parseLevel(0);
  skipSpace();
  if (i !== s.length) throw malformed(text, 'Junk after closing right brace.');
  if (shape.some((n) => n === 0) || leafDepth < 0) {
    if (declared && declared.some((n) => n !== 0)) throw malformed(text, 'Specified array dimensions do not match array contents.');
    return [];
  }
  if (declared && (declared.length !== shape.length || declared.some((n, k) => n !== shape[k]))) {
    throw malformed(text, 'Specified array dimensions do not match array contents.');
  }
  return result;
}
