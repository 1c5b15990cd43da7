/**
 * The extended query protocol: the frontend's Parse, Bind, Describe, Execute and Close
 * (Flush and Sync have no body), and the backend's acknowledgements and descriptions.
 * Decoders check every length against the message; a lie is 08P01, never a read past
 * the end. Parameter values are views of the message, not copies.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
import { malformed, MessageReader } from './message-reader.js';
import type { MessageWriter } from './message-writer.js';
import { BackendType } from './message-types.js';

export interface ParseMessage {
  /** Prepared statement name; '' is the unnamed statement. */
  statement: string;
  query: string;
  /** Parameter type OIDs the client specified (0: unspecified). */
  paramTypes: number[];
}

export interface BindMessage {
  /** Portal name; '' is the unnamed portal. */
  portal: string;
  statement: string;
  /** Zero (all text), one (for all) or one per parameter. */
  paramFormats: number[];
  /** Raw parameter values; null is SQL NULL. */
  params: Array<Buffer | null>;
  /** Zero (all text), one (for all) or one per result column. */
  resultFormats: number[];
}

/** Describe and Close address a prepared statement ('S') or a portal ('P'). */
export interface TargetMessage {
  target: 'S' | 'P';
  name: string;
}

export interface ExecuteMessage {
  portal: string;
  /** Row limit; 0 means no limit. */
  maxRows: number;
}

export function decodeParse(body: Buffer): ParseMessage {
  const r = new MessageReader(body);
  const statement = r.cstring();
  const query = r.cstring();
  const count = r.uint16();
  const paramTypes: number[] = [];
  for (let i = 0; i < count; i++) paramTypes.push(r.int32() >>> 0);
  r.end();
  return { statement, query, paramTypes };
}

export function decodeBind(body: Buffer): BindMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = formatCodes(r);
  const count = r.uint16();
  const params: Array<Buffer | null> = [];
  for (let i = 0; i < count; i++) {
    const length = r.int32();
    if (length < -1) throw malformed(`invalid parameter length ${length}`);
    params.push(length === -1 ? null : r.bytes(length));
  }
  const resultFormats = formatCodes(r);
  r.end();
  return { portal, statement, paramFormats, params, resultFormats };
}

function formatCodes(r: MessageReader): number[] {
  const count = r.uint16();
  const codes: number[] = [];
  for (let i = 0; i < count; i++) codes.push(r.int16());
  return codes;
}

export function decodeDescribe(body: Buffer): TargetMessage {
  return decodeTarget(body, 'DESCRIBE');
}

export function decodeClose(body: Buffer): TargetMessage {
  return decodeTarget(body, 'CLOSE');
}

function decodeTarget(body: Buffer, what: string): TargetMessage {
  const r = new MessageReader(body);
  const kind = r.bytes(1)[0]!;
  const name = r.cstring();
  r.end();
  if (kind === 0x53) return { target: 'S', name };
  if (kind === 0x50) return { target: 'P', name };
  throw malformed(`invalid ${what} message subtype ${kind}`);
}

export function decodeExecute(body: Buffer): ExecuteMessage {
  const r = new MessageReader(body);
  const portal = r.cstring();
  const maxRows = r.int32();
  r.end();
  // PostgreSQL treats a negative limit like 0: fetch all.
  return { portal, maxRows: maxRows > 0 ? maxRows : 0 };
}

/**
 * The format code of item `i` (a parameter or a result column) of `count` under Bind's
 * rule: no codes means text for all, one code applies to all, else one per item.
 */
export function formatCodeAt(codes: readonly number[], i: number): number {
  const code = codes.length === 0 ? 0 : codes.length === 1 ? codes[0]! : codes[i]!;
  if (code !== 0 && code !== 1) throw malformed(`unsupported format code: ${code}`);
  return code;
}

/** Checks Bind's format code count against the number of items, as PostgreSQL does. */
export function checkFormatCount(codes: readonly number[], count: number, what: 'parameter' | 'result'): void {
  if (codes.length > 1 && codes.length !== count) {
    throw malformed(
      what === 'parameter'
        ? `bind message has ${codes.length} parameter formats but ${count} parameters`
        : `bind message has ${codes.length} result formats but query has ${count} columns`,
    );
  }
}

export function parseComplete(w: MessageWriter): void {
  w.begin(BackendType.parseComplete).end();
}

export function bindComplete(w: MessageWriter): void {
  w.begin(BackendType.bindComplete).end();
}

export function closeComplete(w: MessageWriter): void {
  w.begin(BackendType.closeComplete).end();
}

/** Describe of something that returns no rows. */
export function noData(w: MessageWriter): void {
  w.begin(BackendType.noData).end();
}

/** Execute stopped at its row limit; the portal can be executed again for more. */
export function portalSuspended(w: MessageWriter): void {
  w.begin(BackendType.portalSuspended).end();
}

export function parameterDescription(w: MessageWriter, oids: readonly number[]): void {
  w.begin(BackendType.parameterDescription).uint16(oids.length);
  for (const oid of oids) w.uint32(oid);
  w.end();
}
