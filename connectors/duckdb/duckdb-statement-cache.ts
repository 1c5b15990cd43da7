/**
 * Prepared statements kept per pooled DuckDB connection, by their SQL text. A federated
 * query that comes again (a dashboard's refresh, a BI tool's metadata probe) reaches its
 * party as the same fragment text, and preparing it anew is a trip through the thread
 * pool plus DuckDB's parse and plan: half of a one-row query's time at the party
 * (measured, bench/federation's fixed cost). DuckDB rebinds a prepared statement by
 * itself when the catalog changed since it was prepared, so a cached one never runs
 * against a stale table shape. Statements are made with `connection.prepare`, so closing
 * the connection destroys them; the least recently used beyond MAX_STATEMENTS are
 * destroyed here.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

const MAX_STATEMENTS = 32;
const caches = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/** The statement for `sql` on `connection`, prepared once; the connection must be this caller's alone. */
export async function preparedStatement(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let cache = caches.get(connection);
  if (!cache) caches.set(connection, (cache = new Map()));
  const known = cache.get(sql);
  if (known) {
    // Most recently used last: a Map keeps insertion order.
    cache.delete(sql);
    cache.set(sql, known);
    return known;
  }
  const prepared = await connection.prepare(sql);
  cache.set(sql, prepared);
  if (cache.size > MAX_STATEMENTS) {
    const [oldest, statement] = cache.entries().next().value!;
    cache.delete(oldest);
    statement.destroySync();
  }
  return prepared;
}
