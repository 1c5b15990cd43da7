/**
 * Start-up: the untyped first packet's four meanings (StartupMessage with a protocol
 * version, SSLRequest, GSSENCRequest, CancelRequest), and the backend messages that
 * belong to start-up only (NegotiateProtocolVersion, BackendKeyData).
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import { PgError } from '../pg-error.js';
import { SqlState } from '../sqlstate.js';
import { MessageReader } from './message-reader.js';
import type { MessageWriter } from './message-writer.js';
import { BackendType } from './message-types.js';

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
/** The protocol this server speaks: 3.0. */
export const PROTOCOL_MAJOR = 3;
export const PROTOCOL_MINOR = 0;

export type StartupPacket =
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; pid: number; secret: number }
  | {
      kind: 'startup';
      /** The client's minor version; above ours means NegotiateProtocolVersion. */
      minor: number;
      parameters: Record<string, string>;
      /** `_pq_.` protocol options, none of which this server knows. */
      protocolOptions: string[];
    };

/** Reads a start-up packet body (after its length word). Errors are FATAL, as start-up errors are. */
export function decodeStartupPacket(body: Buffer): StartupPacket {
  try {
    return decode(body);
  } catch (error) {
    if (error instanceof PgError && error.severity !== 'FATAL') {
      throw new PgError(error.code, error.message, { severity: 'FATAL' });
    }
    throw error;
  }
}

function decode(body: Buffer): StartupPacket {
  const r = new MessageReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return r.end(), { kind: 'ssl' };
  if (code === GSSENC_REQUEST_CODE) return r.end(), { kind: 'gssenc' };
  if (code === CANCEL_REQUEST_CODE) {
    const pid = r.int32();
    const secret = r.int32();
    r.end();
    return { kind: 'cancel', pid, secret };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== PROTOCOL_MAJOR) {
    throw new PgError(
      SqlState.featureNotSupported,
      `unsupported frontend protocol ${major}.${minor}: server supports ${PROTOCOL_MAJOR}.0 to ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`,
      { severity: 'FATAL' },
    );
  }
  const parameters: Record<string, string> = Object.create(null);
  const protocolOptions: string[] = [];
  for (;;) {
    if (r.remaining === 0) {
      throw new PgError(SqlState.protocolViolation, 'invalid startup packet layout: expected terminator as last byte', {
        severity: 'FATAL',
      });
    }
    const name = r.cstring();
    if (name === '') break;
    const value = r.cstring();
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters[name] = value;
  }
  r.end();
  return { kind: 'startup', minor, parameters, protocolOptions };
}

/** NegotiateProtocolVersion: the newest minor version we speak and the options we ignored. */
export function negotiateProtocolVersion(w: MessageWriter, minor: number, unrecognized: readonly string[]): void {
  w.begin(BackendType.negotiateProtocolVersion).int32(minor).int32(unrecognized.length);
  for (const option of unrecognized) w.cstring(option);
  w.end();
}

/** BackendKeyData: what a CancelRequest for this session must quote. */
export function backendKeyData(w: MessageWriter, pid: number, secret: number): void {
  w.begin(BackendType.backendKeyData).int32(pid).int32(secret).end();
}

/** The one-byte answer to SSLRequest and GSSENCRequest (not a message: no type, no length). */
export function encryptionAnswer(accept: boolean): Buffer {
  return Buffer.from(accept ? 'S' : 'N');
}
