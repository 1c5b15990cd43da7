/**
 * PostgreSQL type OIDs C2D speaks on the wire, by name (from pg_type.dat).
 * @see https://github.com/postgres/postgres/blob/master/src/include/catalog/pg_type.dat
 */
export const TypeOid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int2vector: 22,
  int4: 23,
  regproc: 24,
  text: 25,
  oid: 26,
  xid: 28,
  cid: 29,
  oidvector: 30,
  json: 114,
  json_array: 199,
  float4: 700,
  float8: 701,
  unknown: 705,
  bool_array: 1000,
  bytea_array: 1001,
  char_array: 1002,
  name_array: 1003,
  int2_array: 1005,
  int2vector_array: 1006,
  int4_array: 1007,
  regproc_array: 1008,
  text_array: 1009,
  xid_array: 1011,
  cid_array: 1012,
  oidvector_array: 1013,
  bpchar_array: 1014,
  varchar_array: 1015,
  int8_array: 1016,
  float4_array: 1021,
  float8_array: 1022,
  oid_array: 1028,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamp_array: 1115,
  date_array: 1182,
  time_array: 1183,
  timestamptz: 1184,
  timestamptz_array: 1185,
  interval: 1186,
  interval_array: 1187,
  numeric_array: 1231,
  numeric: 1700,
  regclass: 2205,
  regtype: 2206,
  regclass_array: 2210,
  regtype_array: 2211,
  uuid: 2950,
  uuid_array: 2951,
  jsonb: 3802,
  jsonb_array: 3807,
} as const;

export type TypeOid = (typeof TypeOid)[keyof typeof TypeOid];

/** The character string types a text value may come as (engines differ in which they report). */
export const textTypeOids: ReadonlySet<number> = new Set([TypeOid.text, TypeOid.varchar, TypeOid.bpchar, TypeOid.name]);

/** The integer types. */
export const integerTypeOids: ReadonlySet<number> = new Set([TypeOid.int2, TypeOid.int4, TypeOid.int8]);
