/**
 * One information_schema.columns row, derived from a column's PostgreSQL type and typmod
 * the way PostgreSQL's view derives it (data_type, lengths, precisions, udt_name).
 */
import { builtinTypeByOid } from '../sql/builtin-types.js';
import type { Row } from './rows.js';

export interface InfoColumn {
  database: string;
  schema: string;
  table: string;
  column: string;
  position: number;
  typeOid: number;
  typmod: number;
  nullable: boolean;
  defaultExpr: string | null;
  updatable: boolean;
}

/** UTF8's longest character: character_octet_length is the length times this. */
const MAX_ENCODING_LENGTH = 4;
/** character_octet_length of an unbounded text column (1 GB). */
const UNBOUNDED_OCTETS = 1073741824;

const binaryPrecision: Readonly<Record<number, number>> = { 21: 16, 23: 32, 20: 64, 700: 24, 701: 53 };
const DATETIME_TYPES = new Set([1083, 1114, 1184, 1266, 1186]);

export function infoColumnRow(c: InfoColumn): Row {
  const type = builtinTypeByOid(c.typeOid);
  const isArray = type?.category === 'A';
  const isCharacter = c.typeOid === 1043 || c.typeOid === 1042 || c.typeOid === 25;
  const length = (c.typeOid === 1043 || c.typeOid === 1042) && c.typmod >= 4 ? c.typmod - 4 : null;
  const numeric = c.typeOid === 1700 && c.typmod >= 4;
  const precision = numeric ? ((c.typmod - 4) >> 16) & 0xffff : binaryPrecision[c.typeOid] ?? null;
  return {
    table_catalog: c.database,
    table_schema: c.schema,
    table_name: c.table,
    column_name: c.column,
    ordinal_position: c.position,
    column_default: c.defaultExpr,
    is_nullable: c.nullable ? 'YES' : 'NO',
    data_type: type === undefined ? 'USER-DEFINED' : isArray ? 'ARRAY' : type.display,
    character_maximum_length: length,
    character_octet_length: isCharacter ? (length === null ? UNBOUNDED_OCTETS : length * MAX_ENCODING_LENGTH) : null,
    numeric_precision: precision,
    numeric_precision_radix: precision === null && c.typeOid !== 1700 ? null : c.typeOid === 1700 ? 10 : 2,
    numeric_scale: numeric ? (c.typmod - 4) & 0xffff : [20, 21, 23].includes(c.typeOid) ? 0 : null,
    datetime_precision: c.typeOid === 1082 ? 0 : DATETIME_TYPES.has(c.typeOid) ? (c.typmod >= 0 ? c.typmod & 0xffff : 6) : null,
    collation_catalog: null,
    udt_catalog: c.database,
    udt_schema: 'pg_catalog',
    udt_name: type?.name ?? 'text',
    dtd_identifier: String(c.position),
    is_self_referencing: 'NO',
    is_identity: 'NO',
    identity_cycle: 'NO',
    is_generated: 'NEVER',
    is_updatable: c.updatable ? 'YES' : 'NO',
  };
}
