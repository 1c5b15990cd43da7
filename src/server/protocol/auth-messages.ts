/**
 * Authentication: the backend's Authentication* requests and the client's SASL answers
 * (SASLInitialResponse, SASLResponse), which share the frontend type 'p'.
 * @see https://www.postgresql.org/docs/current/sasl-authentication.html
 */
import { MessageReader, decodeUtf8 } from './message-reader.js';
import type { MessageWriter } from './message-writer.js';
import { BackendType } from './message-types.js';

export const AuthCode = { ok: 0, cleartextPassword: 3, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;
export type AuthCode = (typeof AuthCode)[keyof typeof AuthCode];

export function authenticationOk(w: MessageWriter): void {
  w.begin(BackendType.authentication).int32(AuthCode.ok).end();
}

/** AuthenticationSASL: the mechanisms offered, in order of preference. */
export function authenticationSasl(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin(BackendType.authentication).int32(AuthCode.sasl);
  for (const m of mechanisms) w.cstring(m);
  w.int8(0).end();
}

/** AuthenticationSASLContinue or AuthenticationSASLFinal with the mechanism's data. */
export function authenticationSaslData(w: MessageWriter, code: typeof AuthCode.saslContinue | typeof AuthCode.saslFinal, data: string): void {
  w.begin(BackendType.authentication).int32(code).bytes(Buffer.from(data, 'utf8')).end();
}

export interface SaslInitialResponse {
  mechanism: string;
  /** The client-first-message, or null when the client sent none (length -1). */
  data: string | null;
}

export function decodeSaslInitialResponse(body: Buffer): SaslInitialResponse {
  const r = new MessageReader(body);
  const mechanism = r.cstring();
  const length = r.int32();
  const data = length === -1 ? null : decodeUtf8(r.bytes(length));
  r.end();
  return { mechanism, data };
}

/** SASLResponse: the whole body is the mechanism's data. */
export function decodeSaslResponse(body: Buffer): string {
  return decodeUtf8(body);
}
