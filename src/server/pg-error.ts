import { SqlState } from './sqlstate.js';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface PgErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text, as PostgreSQL reports it. */
  position?: number;
  severity?: Severity;
  schema?: string;
  table?: string;
  column?: string;
}

/** An error with the fields of PostgreSQL's ErrorResponse. Every layer throws these. */
export class PgError extends Error {
  readonly code: SqlState;
  readonly severity: Severity;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly schema: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;

  constructor(code: SqlState, message: string, fields: PgErrorFields = {}) {
    super(message);
    this.name = 'PgError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
  }
}

/**
 * The one place where anything thrown becomes a PgError. Engine errors that are not
 * PgErrors keep their message but get XX000, unless a layer below mapped them first.
 */
export function toPgError(error: unknown): PgError {
  if (error instanceof PgError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PgError(SqlState.internalError, message);
}
