/**
 * DuckDB type strings (as duckdb_columns().data_type and DESCRIBE print them) → the
 * PostgreSQL type and typmod a client should see. The engine's per-value mapping
 * (connectors/duckdb/duckdb-pg-types.ts) and the pg_attribute emulation must agree, so both
 * follow the same table: widen unsigned and oversized integers, text for what
 * PostgreSQL has no type for.
 */
import { builtinTypeByName, builtinTypeByOid } from './builtin-types.js';

export interface PgTypeRef {
  oid: number;
  /** atttypmod: -1 when none; numeric carries ((precision << 16) | scale) + 4. */
  typmod: number;
}

/** DuckDB scalar type names (and their aliases) → PostgreSQL type names. */
const scalarTypes: Readonly<Record<string, string>> = {
  BOOLEAN: 'bool',
  BOOL: 'bool',
  TINYINT: 'int2',
  UTINYINT: 'int2',
  SMALLINT: 'int2',
  INT2: 'int2',
  USMALLINT: 'int4',
  INTEGER: 'int4',
  INT: 'int4',
  INT4: 'int4',
  UINTEGER: 'int8',
  BIGINT: 'int8',
  INT8: 'int8',
  // Wider than int8: PostgreSQL's answer for such values is numeric.
  UBIGINT: 'numeric',
  HUGEINT: 'numeric',
  UHUGEINT: 'numeric',
  BIGNUM: 'numeric',
  VARINT: 'numeric',
  FLOAT: 'float4',
  REAL: 'float4',
  FLOAT4: 'float4',
  DOUBLE: 'float8',
  FLOAT8: 'float8',
  DECIMAL: 'numeric',
  NUMERIC: 'numeric',
  VARCHAR: 'text',
  TEXT: 'text',
  STRING: 'text',
  BLOB: 'bytea',
  BYTEA: 'bytea',
  DATE: 'date',
  TIME: 'time',
  'TIME WITH TIME ZONE': 'timetz',
  TIMETZ: 'timetz',
  TIMESTAMP: 'timestamp',
  DATETIME: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMPTZ: 'timestamptz',
  INTERVAL: 'interval',
  UUID: 'uuid',
  JSON: 'json',
};

const textType: PgTypeRef = { oid: 25, typmod: -1 };
const VARHDRSZ = 4;

/** The PostgreSQL type of a DuckDB column type; what has no PostgreSQL type is text. */
export function pgTypeOfDuckDbType(duckdbType: string): PgTypeRef {
  const type = duckdbType.trim().toUpperCase();
  const list = /^(.*)\[\d*\]$/.exec(type);
  if (list) {
    const element = pgTypeOfDuckDbType(list[1]!);
    const elementRow = builtinTypeByOid(element.oid);
    // Nested lists and elements without an array type fall back to text, as the engine does.
    if (elementRow === undefined || elementRow.array === 0 || elementRow.category === 'A') return textType;
    return { oid: elementRow.array, typmod: element.typmod };
  }
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(type);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2] ?? 0);
    return { oid: 1700, typmod: ((precision << 16) | scale) + VARHDRSZ };
  }
  const name = scalarTypes[type];
  if (name === undefined) return textType;
  const row = builtinTypeByName(name);
  return row === undefined ? textType : { oid: row.oid, typmod: -1 };
}
