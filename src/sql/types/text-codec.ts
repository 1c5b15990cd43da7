/**
 * Text format: what PostgreSQL's typoutput functions print and typinput functions read,
 * for every type C2D speaks. One encoder/decoder per OID, chosen once per column; the
 * encoders of the common types are one call and a string, nothing more.
 */
import type { CodecContext } from '../../server/engine.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { TypeOid } from './type-oid.js';
import { formatFloat4, formatFloat8 } from './float-format.js';
import { numericText, parseNumeric } from './numeric.js';
import { formatInterval, parseInterval, type Interval } from './interval.js';
import { formatDate, formatTime, formatTimestamp, formatTimestampTz, parseDate, parseTime, parseTimestamp, parseTimestampTz } from './date-time.js';
import { formatArrayText, parseArrayText } from './array-text.js';
import { arrayElementOid, formatType, typeInfo } from './pg-type-info.js';
import { canonicalJsonb, parseJson } from './json-text.js';
import { formatUuid, parseUuid } from './uuid.js';

export type TextEncoder = (value: unknown, ctx: CodecContext) => string;
export type TextDecoder = (text: string, ctx: CodecContext) => unknown;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function byteaHex(bytes: Uint8Array): string {
  if (bytes.length > 64) return '\\x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let out = '\\x';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

function byteaEscape(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b > 0x7e) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new PgError(SqlState.datatypeMismatch, 'bytea value expected');
}

const asString: TextEncoder = (v) => (typeof v === 'string' ? v : String(v));

/** "char": one byte, printed as itself, '' for 0 and \ooo when the high bit is set. */
function formatChar(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  const c = s.length === 0 ? 0 : s.charCodeAt(0);
  if (c === 0) return '';
  if (c > 0x7f) return '\\' + (c & 0xff).toString(8).padStart(3, '0');
  return s[0]!;
}

/** regtype prints the type's name; oids it does not know print as numbers, as in PostgreSQL. */
function formatRegtype(value: unknown): string {
  const oid = Number(value);
  return typeInfo(oid) ? formatType(oid) : String(oid);
}

const scalarEncoders: Readonly<Record<number, TextEncoder>> = {
  [TypeOid.bool]: (v) => (v ? 't' : 'f'),
  [TypeOid.int2]: asString,
  [TypeOid.int4]: asString,
  [TypeOid.int8]: asString,
  [TypeOid.oid]: asString,
  [TypeOid.xid]: asString,
  [TypeOid.cid]: asString,
  [TypeOid.regproc]: asString,
  [TypeOid.regclass]: asString,
  [TypeOid.regtype]: formatRegtype,
  [TypeOid.float4]: (v, ctx) => formatFloat4(Number(v), ctx.extraFloatDigits),
  [TypeOid.float8]: (v, ctx) => formatFloat8(Number(v), ctx.extraFloatDigits),
  [TypeOid.numeric]: numericText,
  [TypeOid.text]: asString,
  [TypeOid.varchar]: asString,
  [TypeOid.bpchar]: asString,
  [TypeOid.name]: asString,
  [TypeOid.unknown]: asString,
  [TypeOid.char]: formatChar,
  [TypeOid.bytea]: (v, ctx) => (ctx.byteaOutput === 'escape' ? byteaEscape(asBytes(v)) : byteaHex(asBytes(v))),
  [TypeOid.date]: (v) => formatDate(v as number),
  [TypeOid.time]: formatTime,
  [TypeOid.timestamp]: formatTimestamp,
  [TypeOid.timestamptz]: (v, ctx) => formatTimestampTz(v, ctx.timeZone),
  [TypeOid.interval]: (v) => formatInterval(v as Interval),
  [TypeOid.uuid]: formatUuid,
  [TypeOid.json]: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  [TypeOid.jsonb]: (v) => canonicalJsonb(typeof v === 'string' ? v : JSON.stringify(v)),
  [TypeOid.int2vector]: (v) => (v as number[]).join(' '),
  [TypeOid.oidvector]: (v) => (v as number[]).join(' '),
};

export function textEncoder(oid: number): TextEncoder {
  const scalar = scalarEncoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const encodeElement = textEncoder(element);
    return (v, ctx) => formatArrayText(v, (item) => encodeElement(item, ctx));
  }
  return asString;
}

// ---------------------------------------------------------------------------------------
// Input

function invalidSyntax(type: string, text: string): PgError {
  return new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${text}"`);
}

/** isspace() in the C locale: what PostgreSQL skips around numbers and booleans. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function trimC(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text.charCodeAt(start))) start++;
  while (end > start && isCSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Optional sign and decimal digits, nothing else (after trimming). */
function isIntegerText(t: string): boolean {
  let i = t.charCodeAt(0) === 43 || t.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= t.length) return false;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function integerDecoder(type: string, min: number, max: number, unsigned = false): TextDecoder {
  return (text) => {
    const t = trimC(text);
    if (!isIntegerText(t)) throw invalidSyntax(type, text);
    const n = Number(t);
    if (n < min || n > max) throw new PgError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${type}`);
    // oid, xid and cid read negative numbers as their two's complement, as strtoul does.
    return unsigned && n < 0 ? n + 4294967296 : n + 0;
  };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function decodeInt8(text: string): bigint {
  const t = trimC(text);
  if (!isIntegerText(t)) throw invalidSyntax('bigint', text);
  const n = BigInt(t);
  if (n < INT64_MIN || n > INT64_MAX) throw new PgError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type bigint`);
  return n;
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/;

function floatDecoder(type: 'real' | 'double precision'): TextDecoder {
  return (text) => {
    const t = trimC(text).toLowerCase();
    switch (t) {
      case 'nan': case '+nan': case '-nan': return NaN;
      case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
      case '-infinity': case '-inf': return -Infinity;
      default: break;
    }
    if (!FLOAT_TEXT.test(t)) throw invalidSyntax(type, text);
    const n = Number(t);
    const value = type === 'real' ? Math.fround(n) : n;
    // Overflow to infinity, or underflow of a non-zero literal to zero, is out of range.
    if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(t.split('e')[0]!))) {
      throw new PgError(SqlState.numericValueOutOfRange, `"${text}" is out of range for type ${type}`);
    }
    return value;
  };
}

function decodeBool(text: string): boolean {
  const t = trimC(text).toLowerCase();
  if (t.length > 0) {
    if ('true'.startsWith(t) || 'yes'.startsWith(t) || t === 'on' || t === '1') return true;
    if ('false'.startsWith(t) || 'no'.startsWith(t) || t === 'off' || t === 'of' || t === '0') return false;
  }
  throw invalidSyntax('boolean', text);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function decodeBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const out = new Uint8Array((text.length - 2) >> 1);
    let n = 0;
    for (let i = 2; i < text.length; ) {
      const c = text.charCodeAt(i);
      if (isCSpace(c)) {
        i++;
        continue;
      }
      const hi = hexValue(c);
      if (hi < 0) throw new PgError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${text[i]}"`);
      if (i + 1 >= text.length) throw new PgError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      const lo = hexValue(text.charCodeAt(i + 1));
      if (lo < 0) throw new PgError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${text[i + 1]}"`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    }
    return out.subarray(0, n);
  }
  const bytes = Buffer.from(text, 'utf8');
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    const a = bytes[i + 1];
    if (a === 0x5c) {
      out[n++] = 0x5c;
      i++;
      continue;
    }
    const b = bytes[i + 2];
    const d = bytes[i + 3];
    if (a !== undefined && b !== undefined && d !== undefined && a >= 0x30 && a <= 0x33 && b >= 0x30 && b <= 0x37 && d >= 0x30 && d <= 0x37) {
      out[n++] = ((a - 0x30) << 6) | ((b - 0x30) << 3) | (d - 0x30);
      i += 3;
      continue;
    }
    throw new PgError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
  }
  return out.subarray(0, n);
}

/** PostgreSQL's text types refuse NUL (the server encoding cannot hold it). */
function decodeText(text: string): string {
  if (text.indexOf('\0') >= 0) throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  return text;
}

const NAME_MAX_BYTES = 63;

/** name: silently cut to 63 bytes on a character boundary, as namein does. */
function decodeName(text: string): string {
  decodeText(text);
  if (text.length * 3 <= NAME_MAX_BYTES) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= NAME_MAX_BYTES) return text;
  let end = NAME_MAX_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** "char": the first byte, or \ooo. Bytes above 0x7f are kept as the char code 0x80..0xff. */
function decodeChar(text: string): string {
  if (text.length === 4 && /^\\[0-3][0-7]{2}$/.test(text)) return String.fromCharCode(parseInt(text.slice(1), 8));
  if (text.length === 0) return '';
  const c = text.charCodeAt(0);
  if (c < 0x80) return c === 0 ? '' : text[0]!;
  return String.fromCharCode(Buffer.from(text, 'utf8')[0]!);
}

function decodeVector(type: string, decodeElement: TextDecoder): TextDecoder {
  return (text, ctx) => {
    const parts = text.split(/[ \t\n\r\v\f]+/).filter(Boolean);
    if (parts.length > 1000000) throw invalidSyntax(type, text);
    return parts.map((p) => decodeElement(p, ctx));
  };
}

const decodeOid = integerDecoder('oid', -2147483648, 4294967295, true);

/** regtype accepts a number or a built-in type name as format_type prints it. */
function decodeRegtype(text: string): number {
  const t = trimC(text);
  if (isIntegerText(t)) return decodeOid(t, undefined as never) as number;
  const wanted = t.toLowerCase().replace(/^pg_catalog\./, '');
  for (const oid of regtypeCandidates()) if (formatType(oid) === wanted || typeInfo(oid)!.typname === wanted) return oid;
  throw new PgError(SqlState.undefinedObject, `type "${t}" does not exist`);
}

let regtypeOids: number[] | null = null;
function regtypeCandidates(): number[] {
  if (!regtypeOids) regtypeOids = Object.values(TypeOid).filter((oid) => typeInfo(oid) !== undefined);
  return regtypeOids;
}

function decodeRegNumber(type: string): TextDecoder {
  return (text) => {
    const t = trimC(text);
    if (!isIntegerText(t)) {
      throw new PgError(SqlState.featureNotSupported, `${type} input by name is not supported: "${text}"`);
    }
    return decodeOid(t, undefined as never);
  };
}

const scalarDecoders: Readonly<Record<number, TextDecoder>> = {
  [TypeOid.bool]: decodeBool,
  [TypeOid.int2]: integerDecoder('smallint', -32768, 32767),
  [TypeOid.int4]: integerDecoder('integer', -2147483648, 2147483647),
  [TypeOid.int8]: decodeInt8,
  [TypeOid.oid]: decodeOid,
  [TypeOid.xid]: integerDecoder('xid', -2147483648, 4294967295, true),
  [TypeOid.cid]: integerDecoder('cid', -2147483648, 4294967295, true),
  [TypeOid.regproc]: decodeRegNumber('regproc'),
  [TypeOid.regclass]: decodeRegNumber('regclass'),
  [TypeOid.regtype]: decodeRegtype,
  [TypeOid.float4]: floatDecoder('real'),
  [TypeOid.float8]: floatDecoder('double precision'),
  [TypeOid.numeric]: parseNumeric,
  [TypeOid.text]: decodeText,
  [TypeOid.varchar]: decodeText,
  [TypeOid.bpchar]: decodeText,
  [TypeOid.unknown]: decodeText,
  [TypeOid.name]: decodeName,
  [TypeOid.char]: decodeChar,
  [TypeOid.bytea]: decodeBytea,
  [TypeOid.date]: (text, ctx) => parseDate(text, ctx.timeZone),
  [TypeOid.time]: (text, ctx) => parseTime(text, ctx.timeZone),
  [TypeOid.timestamp]: (text, ctx) => parseTimestamp(text, ctx.timeZone),
  [TypeOid.timestamptz]: (text, ctx) => parseTimestampTz(text, ctx.timeZone),
  [TypeOid.interval]: parseInterval,
  [TypeOid.uuid]: parseUuid,
  [TypeOid.json]: (text) => parseJson(decodeText(text)),
  [TypeOid.jsonb]: (text) => canonicalJsonb(decodeText(text)),
  [TypeOid.int2vector]: decodeVector('int2vector', integerDecoder('smallint', -32768, 32767)),
  [TypeOid.oidvector]: decodeVector('oidvector', decodeOid),
};

export function textDecoder(oid: number): TextDecoder {
  const scalar = scalarDecoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const decodeElement = textDecoder(element);
    const delimiter = typeInfo(element)?.typdelim ?? ',';
    return (text, ctx) => parseArrayText(text, (item) => decodeElement(item, ctx), delimiter);
  }
  return decodeText;
}
