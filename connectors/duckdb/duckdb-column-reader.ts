/**
 * Reads one column of a DuckDB chunk as values in their PostgreSQL representation.
 *
 * Fixed-width numbers and dates are read straight from the vector's typed array instead of
 * through per-value objects: streaming a million rows, that is the difference between
 * allocating five million objects and none. The typed arrays are the node-api vectors'
 * `items` and `validity.data` fields, which its typings mark private; when they are not
 * there (another version), the public per-value API is used, so results never change,
 * only speed.
 */
import { DuckDBTypeId, type DuckDBDataChunk } from '@duckdb/node-api';
import type { PgColumnType } from './duckdb-pg-types.js';

type TypedItems = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

interface VectorInternals {
  items?: unknown;
  dataView?: unknown;
  itemOffset?: number;
  validity?: { data?: BigUint64Array | null; offset?: number };
  getItem(index: number): unknown;
}

const utf8 = new TextDecoder();

const DIRECT: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DATE,
]);

/** DuckDB's ±infinity dates (2^31 - 1 and its negation). */
const DATE_INFINITY_DAYS = 2 ** 31 - 1;

function isTypedItems(items: unknown): items is TypedItems {
  return (
    items instanceof Int32Array ||
    items instanceof Float64Array ||
    items instanceof BigInt64Array ||
    items instanceof Int16Array ||
    items instanceof Int8Array ||
    items instanceof Float32Array
  );
}

export function readColumn(chunk: DuckDBDataChunk, column: number, type: PgColumnType): unknown[] {
  const rowCount = chunk.rowCount;
  if (type.duckTypeId === DuckDBTypeId.VARCHAR) {
    const text = readVarchar(chunk.getColumnVector(column) as unknown as VectorInternals, rowCount);
    if (text) return text;
  }
  if (DIRECT.has(type.duckTypeId)) {
    const vector = chunk.getColumnVector(column) as unknown as VectorInternals;
    const items = vector.items;
    const validity = vector.validity;
    if (isTypedItems(items) && items.length >= rowCount && validity && (validity.offset ?? 0) === 0) {
      const bits = validity.data ? new Uint8Array(validity.data.buffer, validity.data.byteOffset, validity.data.byteLength) : null;
      const out = new Array<unknown>(rowCount);
      const isDate = type.duckTypeId === DuckDBTypeId.DATE;
      for (let r = 0; r < rowCount; r++) {
        if (bits !== null && (bits[r >> 3]! & (1 << (r & 7))) === 0) {
          out[r] = null;
          continue;
        }
        const v = items[r]!;
        if (isDate) out[r] = v === DATE_INFINITY_DAYS ? Infinity : v === -DATE_INFINITY_DAYS ? -Infinity : v;
        else out[r] = v;
      }
      return out;
    }
  }
  const values = chunk.getColumnValues(column);
  const out = new Array<unknown>(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const v = values[r];
    out[r] = v === null || v === undefined ? null : type.convert(v);
  }
  return out;
}

/**
 * VARCHARs of up to 12 bytes sit inline in DuckDB's 16-byte string slots; short ASCII ones
 * are read from there with String.fromCharCode, which beats a TextDecoder call per value.
 * Longer or non-ASCII strings go through the vector's own reader.
 */
function readVarchar(vector: VectorInternals, rowCount: number): unknown[] | null {
  const view = vector.dataView;
  const validity = vector.validity;
  if (!(view instanceof DataView) || (vector.itemOffset ?? 0) !== 0 || !validity || (validity.offset ?? 0) !== 0 || view.byteLength < rowCount * 16) {
    return null;
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const bits = validity.data ? new Uint8Array(validity.data.buffer, validity.data.byteOffset, validity.data.byteLength) : null;
  const out = new Array<unknown>(rowCount);
  for (let r = 0; r < rowCount; r++) {
    if (bits !== null && (bits[r >> 3]! & (1 << (r & 7))) === 0) {
      out[r] = null;
      continue;
    }
    const base = r * 16;
    const length = view.getUint32(base, true);
    if (length > 12) {
      out[r] = vector.getItem(r);
      continue;
    }
    let ascii = true;
    for (let i = 0; i < length; i++) {
      if (bytes[base + 4 + i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    out[r] = ascii ? inlineAscii(bytes, base + 4, length) : utf8.decode(bytes.subarray(base + 4, base + 4 + length));
  }
  return out;
}

/** The ASCII string of `length` (≤ 12) bytes at `at`: one fromCharCode call, no subarray made. */
function inlineAscii(b: Uint8Array, at: number, length: number): string {
  const c = String.fromCharCode;
  switch (length) {
    case 0: return '';
    case 1: return c(b[at]!);
    case 2: return c(b[at]!, b[at + 1]!);
    case 3: return c(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    case 5: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!);
    case 6: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!);
    case 7: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!);
    case 8: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    case 9: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!, b[at + 8]!);
    case 10: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!, b[at + 8]!, b[at + 9]!);
    case 11: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!, b[at + 8]!, b[at + 9]!, b[at + 10]!);
    default: return c(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!, b[at + 8]!, b[at + 9]!, b[at + 10]!, b[at + 11]!);
  }
}
