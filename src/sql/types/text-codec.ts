/**
 * Text format: what PostgreSQL's typoutput functions print and typinput functions read,
 * for every type C2D speaks. One encoder/decoder per OID, chosen once per column.
 */
import type { CodecContext } from '../../server/engine.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { builtinTypeByOid } from '../builtin-types.js';
import { TypeOid } from './type-oid.js';
import { formatFloat4, formatFloat8 } from './float-format.js';
import { parseNumeric } from './numeric.js';
import { formatInterval, parseInterval, type Interval } from './interval.js';
import {
  formatDate,
  formatTimeOfDay,
  formatTimestamp,
  formatTimestampTz,
  parseDate,
  parseTime,
  parseTimestamp,
  parseTimestampTz,
} from './datetime.js';
import { formatArrayText, parseArrayText } from './array-text.js';

export type TextEncoder = (value: unknown, ctx: CodecContext) => string;
export type TextDecoder = (text: string, ctx: CodecContext) => unknown;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function byteaHex(bytes: Uint8Array): string {
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

function toBigInt(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

const scalarEncoders: Readonly<Record<number, TextEncoder>> = {
  [TypeOid.bool]: (v) => (v ? 't' : 'f'),
  [TypeOid.int2]: (v) => String(v),
  [TypeOid.int4]: (v) => String(v),
  [TypeOid.int8]: (v) => String(v),
  [TypeOid.oid]: (v) => String(v),
  [TypeOid.xid]: (v) => String(v),
  [TypeOid.cid]: (v) => String(v),
  [TypeOid.regproc]: (v) => String(v),
  [TypeOid.regclass]: (v) => String(v),
  [TypeOid.regtype]: (v) => String(v),
  [TypeOid.float4]: (v, ctx) => formatFloat4(Number(v), ctx.extraFloatDigits),
  [TypeOid.float8]: (v, ctx) => formatFloat8(Number(v), ctx.extraFloatDigits),
  [TypeOid.numeric]: (v) => (typeof v === 'string' ? v : String(v)),
  [TypeOid.bytea]: (v, ctx) => (ctx.byteaOutput === 'escape' ? byteaEscape(v as Uint8Array) : byteaHex(v as Uint8Array)),
  [TypeOid.date]: (v) => formatDate(v as number),
  [TypeOid.time]: (v) => formatTimeOfDay(toBigInt(v)),
  [TypeOid.timestamp]: (v) => formatTimestamp(toBigInt(v)),
  [TypeOid.timestamptz]: (v, ctx) => formatTimestampTz(toBigInt(v), ctx.timeZone),
  [TypeOid.interval]: (v) => formatInterval(v as Interval),
  [TypeOid.uuid]: (v) => String(v).toLowerCase(),
  [TypeOid.json]: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  [TypeOid.jsonb]: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  [TypeOid.int2vector]: (v) => (v as number[]).join(' '),
  [TypeOid.oidvector]: (v) => (v as number[]).join(' '),
};

const asString: TextEncoder = (v) => (typeof v === 'string' ? v : String(v));

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

function outOfRange(text: string, type: string): PgError {
  return new PgError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${type}`);
}

function invalidSyntax(type: string, text: string): PgError {
  return new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${text}"`);
}

function integerDecoder(type: string, min: number, max: number): TextDecoder {
  return (text) => {
    const t = text.trim();
    if (!/^[+-]?\d+$/.test(t)) throw invalidSyntax(type, text);
    const n = Number(t);
    if (n < min || n > max) throw outOfRange(text, type);
    return n;
  };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function decodeInt8(text: string): bigint {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw invalidSyntax('bigint', text);
  const n = BigInt(t);
  if (n < INT64_MIN || n > INT64_MAX) throw outOfRange(text, 'bigint');
  return n;
}

function floatDecoder(type: 'real' | 'double precision'): TextDecoder {
  return (text) => {
    const t = text.trim().toLowerCase();
    if (t === 'nan') return NaN;
    if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Infinity;
    if (t === '-infinity' || t === '-inf') return -Infinity;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw invalidSyntax(type, text);
    const n = Number(t);
    if (type === 'real') {
      const f = Math.fround(n);
      if (!Number.isFinite(f) || (f === 0 && n !== 0)) throw outOfRange(text, 'real');
      return f;
    }
    if (!Number.isFinite(n) || (n === 0 && /[1-9]/.test(t.split('e')[0]!))) throw outOfRange(text, 'double precision');
    return n;
  };
}

function decodeBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t.length > 0) {
    if ('true'.startsWith(t) || 'yes'.startsWith(t) || t === 'on' || t === '1') return true;
    if ('false'.startsWith(t) || (t.length > 0 && 'no'.startsWith(t)) || t === 'off' || t === 'of' || t === '0') return false;
  }
  throw invalidSyntax('boolean', text);
}

function decodeBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw invalidSyntax('bytea', text);
    return Buffer.from(hex, 'hex');
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      if (c > 0x7f) out.push(...Buffer.from(text[i]!, 'utf8'));
      else out.push(c);
      continue;
    }
    if (text[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else if (/^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      throw invalidSyntax('bytea', text);
    }
  }
  return Uint8Array.from(out);
}

function decodeUuid(text: string): string {
  const hex = text.trim().replace(/^\{|\}$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw invalidSyntax('uuid', text);
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function decodeJson(text: string): string {
  try {
    JSON.parse(text);
  } catch {
    throw invalidSyntax('json', text);
  }
  return text;
}

const identity: TextDecoder = (text) => text;

const scalarDecoders: Readonly<Record<number, TextDecoder>> = {
  [TypeOid.bool]: decodeBool,
  [TypeOid.int2]: integerDecoder('smallint', -32768, 32767),
  [TypeOid.int4]: integerDecoder('integer', -2147483648, 2147483647),
  [TypeOid.int8]: decodeInt8,
  [TypeOid.oid]: integerDecoder('oid', -2147483648, 4294967295),
  [TypeOid.xid]: integerDecoder('xid', 0, 4294967295),
  [TypeOid.cid]: integerDecoder('cid', 0, 4294967295),
  [TypeOid.float4]: floatDecoder('real'),
  [TypeOid.float8]: floatDecoder('double precision'),
  [TypeOid.numeric]: parseNumeric,
  [TypeOid.bytea]: decodeBytea,
  [TypeOid.date]: parseDate,
  [TypeOid.time]: parseTime,
  [TypeOid.timestamp]: parseTimestamp,
  [TypeOid.timestamptz]: (text, ctx) => parseTimestampTz(text, ctx.timeZone),
  [TypeOid.interval]: parseInterval,
  [TypeOid.uuid]: decodeUuid,
  [TypeOid.json]: decodeJson,
  [TypeOid.jsonb]: decodeJson,
  [TypeOid.int2vector]: (text) => text.trim().split(/\s+/).filter(Boolean).map(Number),
  [TypeOid.oidvector]: (text) => text.trim().split(/\s+/).filter(Boolean).map(Number),
};

export function textDecoder(oid: number): TextDecoder {
  const scalar = scalarDecoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const decodeElement = textDecoder(element);
    return (text, ctx) => parseArrayText(text, (item) => decodeElement(item, ctx));
  }
  return identity;
}

/** The element type of an array type (typelem of a typcategory 'A' type), else undefined. */
export function arrayElementOid(oid: number): number | undefined {
  const info = builtinTypeByOid(oid);
  if (!info || info.category !== 'A' || info.elem === 0 || oid === TypeOid.int2vector || oid === TypeOid.oidvector) return undefined;
  return info.elem;
}
