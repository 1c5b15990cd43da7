/**
 * Backend messages common to every sub-protocol: ErrorResponse and NoticeResponse,
 * ParameterStatus, ReadyForQuery, and a statement's result frame (RowDescription,
 * CommandComplete, EmptyQueryResponse). DataRows are written by result-writer.ts.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import type { FieldDescription, TransactionStatus } from '../engine.js';
import type { PgError } from '../pg-error.js';
import type { MessageWriter } from './message-writer.js';
import { BackendType } from './message-types.js';

/** Field codes of ErrorResponse and NoticeResponse. */
export const ErrorField = {
  severity: 'S',
  severityNonLocalized: 'V',
  code: 'C',
  message: 'M',
  detail: 'D',
  hint: 'H',
  position: 'P',
  schema: 's',
  table: 't',
  column: 'c',
} as const;

/** ErrorResponse ('E') or NoticeResponse ('N'): one field per attribute the error has. */
export function errorOrNotice(w: MessageWriter, type: typeof BackendType.errorResponse | typeof BackendType.noticeResponse, error: PgError): void {
  w.begin(type);
  field(w, ErrorField.severity, error.severity);
  field(w, ErrorField.severityNonLocalized, error.severity);
  field(w, ErrorField.code, error.code);
  field(w, ErrorField.message, error.message);
  if (error.detail) field(w, ErrorField.detail, error.detail);
  if (error.hint) field(w, ErrorField.hint, error.hint);
  if (error.position !== undefined) field(w, ErrorField.position, String(error.position));
  if (error.schema) field(w, ErrorField.schema, error.schema);
  if (error.table) field(w, ErrorField.table, error.table);
  if (error.column) field(w, ErrorField.column, error.column);
  w.int8(0).end();
}

function field(w: MessageWriter, code: string, value: string): void {
  w.int8(code.charCodeAt(0)).cstring(value);
}

export function errorResponse(w: MessageWriter, error: PgError): void {
  errorOrNotice(w, BackendType.errorResponse, error);
}

export function noticeResponse(w: MessageWriter, notice: PgError): void {
  errorOrNotice(w, BackendType.noticeResponse, notice);
}

export function parameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin(BackendType.parameterStatus).cstring(name).cstring(value).end();
}

export function readyForQuery(w: MessageWriter, status: TransactionStatus): void {
  w.begin(BackendType.readyForQuery).int8(status.charCodeAt(0)).end();
}

/** RowDescription; `formats[i]` is column i's format code (missing: text). */
export function rowDescription(w: MessageWriter, fields: readonly FieldDescription[], formats: readonly number[]): void {
  w.begin(BackendType.rowDescription).uint16(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize).int32(f.typeModifier);
    w.int16(formats[i] ?? 0);
  }
  w.end();
}

export function commandComplete(w: MessageWriter, tag: string): void {
  w.begin(BackendType.commandComplete).cstring(tag).end();
}

/** The answer to an empty query string, in place of a result. */
export function emptyQueryResponse(w: MessageWriter): void {
  w.begin(BackendType.emptyQueryResponse).end();
}
