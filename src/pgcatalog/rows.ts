/** Writing catalog rows into the emulation's tables. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { emulationCatalog } from '../sql/rewrite/emulation.js';
import { catalogColumns } from './catalog-columns.js';
import { quoteIdent, sqlLiteral, type SqlValue } from './sql-literal.js';

export type Row = Readonly<Record<string, SqlValue>>;

/** `pg_class` → the emulation's table; `info:tables` → its information_schema table. */
export function qualifiedTable(relation: string, schemas: { pg: string; info: string }): string {
  const [schema, name] = relation.startsWith('info:') ? [schemas.info, relation.slice(5)] : [schemas.pg, relation];
  return `${quoteIdent(emulationCatalog)}.${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Replaces the contents of a catalog table; columns a row does not name are NULL. */
export async function replaceRows(
  connection: DuckDBConnection,
  relation: string,
  table: string,
  rows: readonly Row[],
): Promise<void> {
  const columns = catalogColumns[relation];
  if (!columns) throw new Error(`no catalog relation ${relation}`);
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!columns.some(([name]) => name === key)) throw new Error(`${relation} has no column ${key}`);
    }
  }
  await connection.run(`DELETE FROM ${table}`);
  const batch = 500;
  for (let i = 0; i < rows.length; i += batch) {
    const values = rows
      .slice(i, i + batch)
      .map((row) => `(${columns.map(([name]) => sqlLiteral(row[name] ?? null)).join(', ')})`)
      .join(',\n');
    await connection.run(`INSERT INTO ${table} VALUES ${values}`);
  }
}
