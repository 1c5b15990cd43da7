/**
 * Backend (server → client) messages, each written into a MessageWriter.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import type { FieldDescription } from '../engine.js';
import type { PgError } from '../pg-error.js';
import type { MessageWriter } from './message-writer.js';

export const AuthCode = { ok: 0, cleartextPassword: 3, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

export function authentication(w: MessageWriter, code: number, data?: Uint8Array | string): void {
  w.begin('R').int32(code);
  if (typeof data === 'string') w.bytes(Buffer.from(data, 'utf8'));
  else if (data) w.bytes(data);
  w.end();
}

export function authenticationSasl(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin('R').int32(AuthCode.sasl);
  for (const m of mechanisms) w.cstring(m);
  w.int8(0).end();
}

export function parameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin('S').cstring(name).cstring(value).end();
}

export function backendKeyData(w: MessageWriter, pid: number, secret: number): void {
  w.begin('K').int32(pid).int32(secret).end();
}

export function readyForQuery(w: MessageWriter, status: 'I' | 'T' | 'E'): void {
  w.begin('Z').int8(status.charCodeAt(0)).end();
}

export function negotiateProtocolVersion(w: MessageWriter, minor: number, unrecognized: readonly string[]): void {
  w.begin('v').int32(minor).int32(unrecognized.length);
  for (const option of unrecognized) w.cstring(option);
  w.end();
}

export function rowDescription(w: MessageWriter, fields: readonly FieldDescription[], formats: readonly number[]): void {
  w.begin('T').int16(fields.length);
  fields.forEach((f, i) => {
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize).int32(f.typeModifier);
    w.int16(formats[i] ?? 0);
  });
  w.end();
}

export function parameterDescription(w: MessageWriter, oids: readonly number[]): void {
  w.begin('t').int16(oids.length);
  for (const oid of oids) w.uint32(oid);
  w.end();
}

export function commandComplete(w: MessageWriter, tag: string): void {
  w.begin('C').cstring(tag).end();
}

export function emptyMessage(w: MessageWriter, type: '1' | '2' | '3' | 'n' | 'I' | 's' | 'c'): void {
  w.begin(type).end();
}

/** ErrorResponse ('E') or NoticeResponse ('N'): one field per known attribute. */
export function errorOrNotice(w: MessageWriter, type: 'E' | 'N', error: PgError): void {
  w.begin(type);
  w.int8(0x53).cstring(error.severity); // S: localized severity
  w.int8(0x56).cstring(error.severity); // V: non-localized severity
  w.int8(0x43).cstring(error.code); // C
  w.int8(0x4d).cstring(error.message); // M
  if (error.detail) w.int8(0x44).cstring(error.detail);
  if (error.hint) w.int8(0x48).cstring(error.hint);
  if (error.position !== undefined) w.int8(0x50).cstring(String(error.position));
  if (error.schema) w.int8(0x73).cstring(error.schema);
  if (error.table) w.int8(0x74).cstring(error.table);
  if (error.column) w.int8(0x63).cstring(error.column);
  w.int8(0).end();
}

export function copyOutResponse(w: MessageWriter, format: 0 | 1, columnCount: number): void {
  w.begin('H').int8(format).int16(columnCount);
  for (let i = 0; i < columnCount; i++) w.int16(format);
  w.end();
}

export function copyData(w: MessageWriter, data: Uint8Array): void {
  w.begin('d').bytes(data).end();
}
