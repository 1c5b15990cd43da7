/**
 * Spark types → PostgreSQL type OIDs, twice: from Spark Connect's DataType message (for
 * describeTable, via AnalyzePlan) and from the Arrow schema of a result (for execute).
 * Arrow values become the JS representation the wire codecs expect for the OID
 * (src/sql/types), the same the DuckDB and PostgreSQL connectors produce: int2/int4 and
 * floats as number, int8 as bigint, numeric as its decimal string, date as days since
 * 1970-01-01, timestamp[tz] as bigint microseconds since 1970, bytea as Uint8Array.
 */
import { Type, type DataType, type Field, type Vector, type Decimal as ArrowDecimal, type Timestamp as ArrowTimestamp, type Int as ArrowInt, type Date_ } from 'apache-arrow';
import { TypeOid } from '../../src/sql/types/index.js';
import type { ProtoDataType } from './spark-connect-client.js';

export interface SparkPgType {
  oid: number;
  typmod: number;
}

const VARHDRSZ = 4;
const numericTypmod = (precision: number, scale: number): number => ((precision << 16) | scale) + VARHDRSZ;

/** From a DataType of Spark Connect's types.proto. */
export function pgTypeOfSparkType(type: ProtoDataType): SparkPgType {
  switch (type.kind) {
    case 'boolean':
      return { oid: TypeOid.bool, typmod: -1 };
    case 'byte':
    case 'short':
      return { oid: TypeOid.int2, typmod: -1 };
    case 'integer':
      return { oid: TypeOid.int4, typmod: -1 };
    case 'long':
      return { oid: TypeOid.int8, typmod: -1 };
    case 'float':
      return { oid: TypeOid.float4, typmod: -1 };
    case 'double':
      return { oid: TypeOid.float8, typmod: -1 };
    case 'decimal': {
      const d = type.decimal as { precision?: number; scale?: number };
      // Spark's DECIMAL without arguments is DECIMAL(10,0).
      return { oid: TypeOid.numeric, typmod: numericTypmod(d.precision ?? 10, d.scale ?? 0) };
    }
    case 'binary':
      return { oid: TypeOid.bytea, typmod: -1 };
    case 'date':
      return { oid: TypeOid.date, typmod: -1 };
    // Spark's TIMESTAMP is an instant shown in the session time zone: timestamptz.
    case 'timestamp':
      return { oid: TypeOid.timestamptz, typmod: -1 };
    case 'timestamp_ntz':
      return { oid: TypeOid.timestamp, typmod: -1 };
    default:
      // string, char, var_char (Spark pads and checks them itself), and anything richer as text.
      return { oid: TypeOid.text, typmod: -1 };
  }
}

export interface ArrowColumnType extends SparkPgType {
  /** Reads row `i` of a non-null slot of `vector`. */
  read: (vector: Vector, i: number) => unknown;
}

const plain = (vector: Vector, i: number): unknown => vector.get(i);
const asBigInt = (vector: Vector, i: number): unknown => BigInt(vector.get(i) as number | bigint);
const asText = (vector: Vector, i: number): unknown => String(vector.get(i));
const asJson = (vector: Vector, i: number): unknown => JSON.stringify(vector.get(i)?.toJSON?.() ?? vector.get(i), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** From the Arrow field of a result column (Spark's ArrowUtils mapping, reversed). */
export function pgTypeOfArrowField(field: Field): ArrowColumnType {
  const type: DataType = field.type;
  switch (type.typeId) {
    case Type.Bool:
      return { oid: TypeOid.bool, typmod: -1, read: plain };
    case Type.Int: {
      const bits = (type as ArrowInt).bitWidth;
      if (bits <= 16) return { oid: TypeOid.int2, typmod: -1, read: plain };
      if (bits === 32) return { oid: TypeOid.int4, typmod: -1, read: plain };
      return { oid: TypeOid.int8, typmod: -1, read: asBigInt };
    }
    case Type.Float:
      return { oid: (type as unknown as { precision: number }).precision === 2 ? TypeOid.float8 : TypeOid.float4, typmod: -1, read: plain };
    case Type.Decimal: {
      const d = type as ArrowDecimal;
      return { oid: TypeOid.numeric, typmod: numericTypmod(d.precision, d.scale), read: (v, i) => decimalText(v, i, d.scale, d.bitWidth) };
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return { oid: TypeOid.text, typmod: -1, read: plain };
    case Type.Binary:
    case Type.LargeBinary:
      return { oid: TypeOid.bytea, typmod: -1, read: plain };
    case Type.Date: {
      const dayUnit = (type as Date_).unit === 0;
      return { oid: TypeOid.date, typmod: -1, read: (v, i) => (dayUnit ? rawNumber(v, i) : Math.floor(rawNumber(v, i) / 86_400_000)) };
    }
    case Type.Timestamp: {
      const t = type as ArrowTimestamp;
      // Spark sends microseconds, with the session time zone for TIMESTAMP and none for TIMESTAMP_NTZ.
      const perMicro = [1_000_000n, 1_000n, 1n, 1n][t.unit]!;
      const divide = t.unit === 3;
      return {
        oid: t.timezone ? TypeOid.timestamptz : TypeOid.timestamp,
        typmod: -1,
        read: (v, i) => (divide ? rawBigInt(v, i) / 1000n : rawBigInt(v, i) * perMicro),
      };
    }
    case Type.Null:
      return { oid: TypeOid.text, typmod: -1, read: () => null };
    default:
      return { oid: TypeOid.text, typmod: -1, read: type.typeId === Type.Struct || type.typeId === Type.List || type.typeId === Type.Map ? asJson : asText };
  }
}

/** The stored integer of a slot (Arrow's get() turns dates into epoch milliseconds). */
function locate(vector: Vector, i: number): { values: ArrayLike<number | bigint>; index: number } {
  let index = i;
  for (const data of vector.data) {
    if (index < data.length) return { values: data.values as ArrayLike<number | bigint>, index: data.offset + index };
    index -= data.length;
  }
  throw new RangeError(`row ${i} out of range`);
}

function rawNumber(vector: Vector, i: number): number {
  const { values, index } = locate(vector, i);
  return Number(values[index]);
}

function rawBigInt(vector: Vector, i: number): bigint {
  const { values, index } = locate(vector, i);
  const value = values[index]!;
  return typeof value === 'bigint' ? value : BigInt(value);
}

/** Decimal128/256 slots are little-endian two's complement 32-bit words. */
function decimalText(vector: Vector, i: number, scale: number, bitWidth: number): string {
  const { values, index } = locate(vector, i);
  const words = bitWidth / 32;
  let unscaled = 0n;
  for (let w = words - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt((values[index * words + w] as number) >>> 0);
  if (unscaled >= 1n << BigInt(bitWidth - 1)) unscaled -= 1n << BigInt(bitWidth);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
