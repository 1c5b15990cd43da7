/**
 * The start-up packet's three meanings (protocol version, SSLRequest/GSSENCRequest,
 * CancelRequest), read into one value the connection acts on.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import { MessageReader, malformed } from './protocol/message-reader.js';
import { PgError } from './pg-error.js';
import { SqlState } from './sqlstate.js';

export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3_0 = 196608;

export type StartupPacket =
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; pid: number; secret: number }
  | { kind: 'startup'; minor: number; parameters: Record<string, string>; unrecognizedOptions: string[] };

export function readStartupPacket(body: Buffer): StartupPacket {
  const r = new MessageReader(body);
  const code = r.int32();
  if (code === SSL_REQUEST) return r.end(), { kind: 'ssl' };
  if (code === GSSENC_REQUEST) return r.end(), { kind: 'gssenc' };
  if (code === CANCEL_REQUEST) {
    const pid = r.int32();
    const secret = r.int32();
    return { kind: 'cancel', pid, secret };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    throw new PgError(SqlState.featureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, {
      severity: 'FATAL',
    });
  }
  const parameters: Record<string, string> = {};
  const unrecognizedOptions: string[] = [];
  for (;;) {
    if (r.remaining === 0) throw malformed('invalid startup packet layout: expected terminator as last byte');
    const name = r.cstring();
    if (name === '') break;
    const value = r.cstring();
    // Protocol extensions (_pq_.*) we do not know are reported back, as PostgreSQL does.
    if (name.startsWith('_pq_.')) unrecognizedOptions.push(name);
    else parameters[name] = value;
  }
  r.end();
  return { kind: 'startup', minor, parameters, unrecognizedOptions };
}
