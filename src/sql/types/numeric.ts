/**
 * numeric as exact decimal text, and PostgreSQL's binary form of it: base-10000 digits
 * with a weight, a sign word and the display scale.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

const NUMERIC_RE = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?\s*$/i;

/** Canonical text of a numeric input ('1.50' keeps its scale; '1e3' becomes '1000'). */
export function parseNumeric(text: string): string {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return 'NaN';
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return 'Infinity';
  if (lower === '-infinity' || lower === '-inf') return '-Infinity';
  const m = NUMERIC_RE.exec(t);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
  }
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (Math.abs(exp) > 1000) throw new PgError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    int += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const padded = int.padStart(-exp, '0');
    frac = padded.slice(padded.length + exp) + frac;
    int = padded.slice(0, padded.length + exp);
  }
  int = int.replace(/^0+(?=\d)/, '') || '0';
  // NUMERIC_MAX_DISPLAY_SCALE-ish limits: 131072 digits before the point, 16383 after.
  if (int.length > 131072 || frac.length > 16383) throw new PgError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
  const negative = m[1] === '-' && /[1-9]/.test(int + frac);
  return `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}

/** Numeric text of an engine value: strings are taken as canonical, numbers are expanded. */
export function numericText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return String(value);
  const n = Number(value);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isSafeInteger(n)) return String(n === 0 ? 0 : n);
  return parseNumeric(String(n));
}

export function encodeNumericBinary(value: unknown): Uint8Array {
  const text = numericText(value);
  if (text === 'NaN') return header(0, 0, NUMERIC_NAN, 0);
  // numeric_send reads the display scale of ±Infinity out of its header bits: 32.
  if (text === 'Infinity') return header(0, 0, NUMERIC_PINF, 32);
  if (text === '-Infinity') return header(0, 0, NUMERIC_NINF, 32);
  const canonical = parseNumeric(text);
  const negative = canonical.startsWith('-');
  const [intPart, fracPart = ''] = (negative ? canonical.slice(1) : canonical).split('.') as [string, string?];
  const dscale = fracPart.length;
  // Group into base-10000 digits aligned on the decimal point.
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  let weight = digits.length - 1;
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  const out = header(digits.length, weight, negative && digits.length ? NUMERIC_NEG : NUMERIC_POS, dscale);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  digits.forEach((d, i) => view.setInt16(8 + i * 2, d));
  return out;
}

function header(ndigits: number, weight: number, sign: number, dscale: number): Uint8Array {
  const out = new Uint8Array(8 + ndigits * 2);
  const view = new DataView(out.buffer);
  view.setInt16(0, ndigits);
  view.setInt16(2, weight);
  view.setUint16(4, sign);
  view.setInt16(6, dscale);
  return out;
}

export function decodeNumericBinary(bytes: Uint8Array): string {
  const bad = (): PgError => new PgError(SqlState.invalidBinaryRepresentation, 'invalid numeric in binary format');
  if (bytes.length < 8) throw bad();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndigits = view.getInt16(0);
  const weight = view.getInt16(2);
  const sign = view.getUint16(4);
  const dscale = view.getInt16(6);
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (ndigits < 0 || bytes.length !== 8 + ndigits * 2 || (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) || dscale < 0 || dscale > 16383) throw bad();
  const digits: number[] = [];
  for (let i = 0; i < ndigits; i++) {
    const d = view.getInt16(8 + i * 2);
    if (d < 0 || d > 9999) throw bad();
    digits.push(d);
  }
  let int = '';
  for (let w = weight, i = 0; w >= 0; w--, i++) int += String(digits[i] ?? 0).padStart(4, '0');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  let frac = '';
  for (let w = -1, i = weight + 1; frac.length < dscale; w--, i++) frac += String(i >= 0 ? digits[i] ?? 0 : 0).padStart(4, '0');
  frac = frac.slice(0, dscale);
  const text = frac ? `${int}.${frac}` : int;
  return sign === NUMERIC_NEG && /[1-9]/.test(text) ? `-${text}` : text;
}
