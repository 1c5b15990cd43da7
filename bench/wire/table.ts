/**
 * The benchmark table: N rows × 5 columns (int8, int4, float8, text, date), deterministic,
 * written by SQL that DuckDB and PostgreSQL both run.
 */
export const WIDE_TABLE_SQL = (name: string, rows: number): string =>
  `CREATE TABLE ${name} AS SELECT i::bigint AS id, (i % 1000)::integer AS grp, (i * 0.5)::float8 AS amount, ` +
  `'name-' || (i % 9973)::text AS label, DATE '2020-01-01' + (i % 2000)::integer AS day ` +
  `FROM generate_series(1, ${Math.trunc(rows)}) AS s(i)`;
