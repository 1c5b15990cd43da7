/**
 * Idle DuckDB connections kept for reuse, one pool per instance. Opening a connection
 * costs more CPU than a small query (measured: the largest single cost of a short
 * federated query), so connections that ended cleanly go back here; one that was
 * interrupted or failed is closed instead, so no state carries over.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

const MAX_IDLE = 16;
const pools = new WeakMap<DuckDBInstance, DuckDBConnection[]>();

export async function acquireConnection(instance: DuckDBInstance): Promise<DuckDBConnection> {
  return pools.get(instance)?.pop() ?? instance.connect();
}

/** Returns a connection that is done with its work; `clean` false closes it instead. */
export function releaseConnection(instance: DuckDBInstance, connection: DuckDBConnection, clean: boolean): void {
  let idle = pools.get(instance);
  if (!idle) pools.set(instance, (idle = []));
  if (clean && idle.length < MAX_IDLE) idle.push(connection);
  else connection.closeSync();
}

/** Closes the idle connections (before the instance itself is closed). */
export function closeIdleConnections(instance: DuckDBInstance): void {
  for (const connection of pools.get(instance) ?? []) connection.closeSync();
  pools.delete(instance);
}
