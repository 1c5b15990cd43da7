/**
 * Spark errors → PgError. Spark 4 gives every error a class and a SQLSTATE, most of them
 * PostgreSQL's own (TABLE_OR_VIEW_NOT_FOUND is 42P01, PARSE_SYNTAX_ERROR 42601,
 * DIVIDE_BY_ZERO 22012), and ends its messages with "SQLSTATE: xxxxx": that code is kept
 * when C2D knows it, otherwise its class (the first two characters) picks one.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { PgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';

const known = new Set<string>(Object.values(SqlState));

const byClass: Record<string, SqlState> = {
  '0A': SqlState.featureNotSupported,
  '22': SqlState.dataException,
  '42': SqlState.syntaxError,
  '53': SqlState.outOfMemory,
  '54': SqlState.programLimitExceeded,
  '57': SqlState.queryCanceled,
};

export function pgErrorFromSpark(error: unknown, target: string): PgError {
  if (error instanceof PgError) return error;
  const e = error as Partial<ServiceError>;
  const text = e.details || (error instanceof Error ? error.message : String(error));
  if (e.code === GrpcStatus.UNAVAILABLE || e.code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new PgError(SqlState.sqlclientUnableToEstablishConnection, `could not connect to Spark Connect at ${target}: ${text}`);
  }
  if (e.code === GrpcStatus.CANCELLED) return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
  const message = firstLine(text);
  const state = /SQLSTATE: ([0-9A-Z]{5})/.exec(text)?.[1];
  if (/OPERATION_CANCELED|cancelled|interrupted/i.test(text) && !state?.startsWith('42')) {
    return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
  }
  if (state && known.has(state)) return new PgError(state as SqlState, message);
  if (state && byClass[state.slice(0, 2)]) return new PgError(byClass[state.slice(0, 2)]!, message);
  return new PgError(SqlState.fdwError, message);
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? text).replace(/\s*SQLSTATE: [0-9A-Z]{5}\s*$/, '').trim();
}
