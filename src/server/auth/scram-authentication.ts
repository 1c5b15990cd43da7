/**
 * The SASL conversation of SCRAM-SHA-256 over the wire: AuthenticationSASL, the client's
 * SASLInitialResponse, AuthenticationSASLContinue, its SASLResponse, then
 * AuthenticationSASLFinal. Every failure is FATAL; unknown user and wrong password end
 * alike in 28P01.
 * @see https://www.postgresql.org/docs/current/sasl-authentication.html
 */
import { PgError } from '../pg-error.js';
import { SqlState } from '../sqlstate.js';
import type { Frame } from '../protocol/frame-reader.js';
import type { MessageWriter } from '../protocol/message-writer.js';
import { FrontendType } from '../protocol/message-types.js';
import { AuthCode, authenticationSasl, authenticationSaslData, decodeSaslInitialResponse, decodeSaslResponse } from '../protocol/auth-messages.js';
import { SCRAM_MECHANISM, ScramExchange, parseScramVerifier } from './scram.js';

export interface AuthTransport {
  readonly writer: MessageWriter;
  flush(): Promise<void>;
  nextFrame(): Promise<Frame | null>;
}

/** Runs the exchange for `user`; resolves once the client proved the password, else throws FATAL. */
export async function scramAuthentication(
  transport: AuthTransport,
  user: string,
  storedVerifier: string | null,
  mockSecret: Buffer,
): Promise<void> {
  const verifier = storedVerifier === null ? null : parseScramVerifier(storedVerifier);
  const exchange = new ScramExchange(user, verifier, mockSecret);
  authenticationSasl(transport.writer, [SCRAM_MECHANISM]);
  await transport.flush();
  const initial = decodeSaslInitialResponse((await authFrame(transport)).body);
  if (initial.mechanism !== SCRAM_MECHANISM) {
    throw new PgError(SqlState.protocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
  }
  if (initial.data === null) {
    throw new PgError(SqlState.protocolViolation, 'malformed SCRAM message (empty message)', { severity: 'FATAL' });
  }
  authenticationSaslData(transport.writer, AuthCode.saslContinue, exchange.start(initial.data));
  await transport.flush();
  const final = decodeSaslResponse((await authFrame(transport)).body);
  authenticationSaslData(transport.writer, AuthCode.saslFinal, exchange.finish(final));
}

async function authFrame(transport: AuthTransport): Promise<Frame> {
  const frame = await transport.nextFrame();
  if (!frame) throw new PgError(SqlState.connectionFailure, 'client went away during authentication', { severity: 'FATAL' });
  if (frame.type !== FrontendType.authResponse) {
    throw new PgError(SqlState.protocolViolation, `expected SASL response, got message type ${frame.type.charCodeAt(0)}`, {
      severity: 'FATAL',
    });
  }
  return frame;
}
