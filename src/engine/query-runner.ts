/**
 * What a session needs from whatever runs queries: prepare a query (the AST of a
 * SELECT-like statement) to learn its parameter and row types, then open it with
 * parameters and fetch rows in batches. The in-process DuckDB runner implements it now;
 * the federated planner implements it later, and the session layer does not change.
 */
import type { FieldDescription } from '../server/engine.js';
import type { SessionValues } from '../sql/index.js';

export interface QueryRunner {
  /** `session` supplies current_user and current_setting() values, read at prepare time. */
  prepare(query: QueryAst, clientParamTypes: readonly number[], session: SessionValues): Promise<PreparedQuery>;
  /** EXPLAIN text for a query, one line per row. */
  explain(query: QueryAst, session: SessionValues): Promise<string[]>;
  close(): Promise<void>;
}

/** A libpg-query node of a SELECT-like statement (SelectStmt, including VALUES and WITH). */
export type QueryAst = Record<string, unknown>;

export interface PreparedQuery {
  readonly paramTypes: readonly number[];
  readonly fields: readonly FieldDescription[];
  open(params: readonly unknown[], signal: AbortSignal): Promise<RowSource>;
  close(): void;
}

export interface RowSource {
  readonly fields: readonly FieldDescription[];
  /** Up to maxRows rows (0 = all that remain); done when the source is exhausted. */
  fetch(maxRows: number, signal: AbortSignal): Promise<{ rows: unknown[][]; done: boolean }>;
  /** Optional: the next slice of rows column-major (columns[c][r]), for streaming without per-row arrays. */
  fetchColumns?(signal: AbortSignal): Promise<ColumnSlice>;
  close(): Promise<void>;
}

export interface ColumnSlice {
  columns: unknown[][];
  rowCount: number;
  done: boolean;
}
