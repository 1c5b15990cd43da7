/**
 * PostgreSQL types on the wire. A value's JS representation is fixed by its type OID:
 *
 * | type | JS value |
 * |---|---|
 * | bool | boolean |
 * | int2, int4, oid, regclass, regtype, regproc, xid, cid | number |
 * | int8 | bigint |
 * | float4, float8 | number (NaN, ±Infinity allowed) |
 * | numeric | string: exact decimal text ('NaN', 'Infinity', '-Infinity' too) |
 * | text, varchar, bpchar, name, "char", unknown, json, jsonb, uuid | string (uuid lower-case canonical) |
 * | bytea | Uint8Array |
 * | date | number: days since 1970-01-01, ±Infinity for ±infinity |
 * | time | bigint: µs since midnight |
 * | timestamp, timestamptz | bigint: µs since 1970-01-01 00:00 (UTC for timestamptz); ±infinity as int64 max/min |
 * | interval | { months: number, days: number, micros: bigint } |
 * | int2vector, oidvector | number[] |
 * | arrays | JS arrays, nested for several dimensions, null elements allowed |
 *
 * Encoders and decoders are chosen once per column or parameter; unknown OIDs use text.
 */
import type { CodecContext } from '../../server/engine.js';
import { builtinTypeByOid, builtinTypes, type BuiltinType } from '../builtin-types.js';
import { TypeOid } from './type-oid.js';

export { TypeOid } from './type-oid.js';
export { textEncoder, textDecoder, arrayElementOid, type TextEncoder, type TextDecoder } from './text-codec.js';
export { binaryEncoder, binaryDecoder, type BinaryEncoder, type BinaryDecoder } from './binary-codec.js';
export type { Interval } from './interval.js';

/** pg_type rows for every type C2D knows. */
export const pgTypes: readonly BuiltinType[] = builtinTypes;

export function typeInfo(oid: number): BuiltinType | undefined {
  return builtinTypeByOid(oid);
}

/** The array type of an element type (pg_type.typarray), undefined when it has none. */
export function arrayTypeOid(elementOid: number): number | undefined {
  const array = builtinTypeByOid(elementOid)?.array;
  return array ? array : undefined;
}

/** typlen for RowDescription: bytes for fixed-size types, -1 for variable length. */
export function typeSize(oid: number): number {
  return builtinTypeByOid(oid)?.len ?? -1;
}

export const defaultCodecContext: CodecContext = Object.freeze({
  timeZone: 'UTC',
  dateStyle: 'ISO, MDY',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
  byteaOutput: 'hex',
}) as CodecContext;

/** PostgreSQL's format_type(oid, typmod). */
export function formatType(oid: number, typmod: number): string {
  const info = builtinTypeByOid(oid);
  if (!info) return '???';
  if (info.category === 'A' && info.elem !== 0 && oid !== TypeOid.int2vector && oid !== TypeOid.oidvector) {
    return `${formatType(info.elem, typmod)}[]`;
  }
  if (typmod < 0) return info.display;
  switch (oid) {
    case TypeOid.numeric: {
      const t = typmod - 4;
      return `numeric(${(t >> 16) & 0xffff},${t & 0xffff})`;
    }
    case TypeOid.varchar:
      return `character varying(${typmod - 4})`;
    case TypeOid.bpchar:
      return `character(${typmod - 4})`;
    case TypeOid.timestamp:
      return `timestamp(${typmod}) without time zone`;
    case TypeOid.timestamptz:
      return `timestamp(${typmod}) with time zone`;
    case TypeOid.time:
      return `time(${typmod}) without time zone`;
    case TypeOid.interval:
      return `interval(${typmod & 0xffff})`;
    default:
      return info.display;
  }
}
