/**
 * The one small interface every engine sits behind (Trino's SPI narrowed to what C2D
 * needs): describe tables, run a fragment of SQL written in the engine's dialect, stream
 * the result as column batches, cancel. Values in batches use the JS representation of
 * their PostgreSQL type (see src/sql/types), so nothing above a connector knows the engine.
 */
import type { SqlDialect } from '../dialect/index.js';

export type EngineKind = 'duckdb' | 'postgres' | 'spark';

export interface RemoteColumn {
  name: string;
  /** PostgreSQL type OID the column maps to. */
  typeOid: number;
  /** PostgreSQL typmod (numeric precision/scale, varchar length), -1 when none. */
  typmod: number;
  nullable: boolean;
}

export interface RemoteTableName {
  schema: string;
  name: string;
}

export interface RemoteTable extends RemoteTableName {
  columns: RemoteColumn[];
}

/** A slice of a result, column-major: columns[c][r]. */
export interface ColumnBatch {
  rowCount: number;
  columns: unknown[][];
}

export interface FragmentStream {
  readonly columns: readonly RemoteColumn[];
  /** Batches until the result is exhausted; aborting the signal given to execute() ends it with 57014. */
  batches(): AsyncIterable<ColumnBatch>;
  /** Stop early and release the engine's resources. Safe to call twice. */
  close(): Promise<void>;
}

export interface ExecuteOptions {
  signal: AbortSignal;
  /** Rows per batch (a hint). */
  batchRows?: number;
  /**
   * The result is small (the fragment aggregates or is limited), so it may arrive whole
   * instead of through a cursor: PostgreSQL plans parallel workers only outside cursors.
   */
  smallResult?: boolean;
}

export interface Connector {
  readonly engine: EngineKind;
  readonly dialect: SqlDialect;
  /** Tables and views visible to C2D, optionally in one schema. */
  listTables(schema?: string): Promise<RemoteTableName[]>;
  /** Columns of one table; PgError 42P01 when it does not exist. */
  describeTable(table: RemoteTableName): Promise<RemoteTable>;
  /** Runs one SELECT written in this connector's dialect. */
  execute(sql: string, options: ExecuteOptions): Promise<FragmentStream>;
  /** Resolves when the engine answers; rejects with PgError 08006 after `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
