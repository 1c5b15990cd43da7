/**
 * Start-up of one connection, as PostgreSQL runs it: encryption negotiation (SSLRequest
 * answered 'S' and TLS on the same socket, or 'N'; GSSENCRequest declined), a
 * CancelRequest routed to its backend, or a StartupMessage: version check, TLS policy,
 * authentication, the engine session, ParameterStatus, BackendKeyData, ReadyForQuery.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import type { EngineSession, SessionEvents } from './engine.js';
import { PgError, toPgError } from './pg-error.js';
import { SqlState } from './sqlstate.js';
import type { ConnectionContext, PgConnection } from './connection.js';
import { PROTOCOL_MINOR, backendKeyData, decodeStartupPacket, encryptionAnswer, negotiateProtocolVersion } from './protocol/startup-messages.js';
import { authenticationOk } from './protocol/auth-messages.js';
import { noticeResponse, parameterStatus, readyForQuery } from './protocol/response-messages.js';
import { scramAuthentication } from './auth/scram-authentication.js';

/** SSLRequest and GSSENCRequest may each come once before the StartupMessage. */
const MAX_NEGOTIATION_PACKETS = 2;

/** The authenticated session, or null when the connection ended without one (CancelRequest, client gone). */
export async function startupHandshake(conn: PgConnection, ctx: ConnectionContext): Promise<EngineSession | null> {
  for (let negotiations = 0; ; negotiations++) {
    const frame = await conn.nextFrame();
    if (!frame) return null;
    const packet = decodeStartupPacket(frame.body);
    if (packet.kind === 'cancel') {
      // Answered by closing, whatever happened, as PostgreSQL does.
      ctx.cancel(packet.pid, packet.secret);
      return null;
    }
    if (packet.kind === 'startup') {
      if (ctx.isShuttingDown()) {
        throw new PgError(SqlState.cannotConnectNow, 'the database system is shutting down', { severity: 'FATAL' });
      }
      conn.reader.expectMessages();
      return authenticate(conn, ctx, packet.parameters, packet.minor, packet.protocolOptions);
    }
    if (negotiations >= MAX_NEGOTIATION_PACKETS) {
      throw new PgError(SqlState.protocolViolation, 'too many encryption requests', { severity: 'FATAL' });
    }
    conn.reader.expectStartup();
    if (packet.kind === 'ssl' && ctx.tls && !conn.encrypted) {
      // Bytes sent before the handshake could have been injected by a man in the middle.
      if (conn.reader.pendingBytes > 0) {
        throw new PgError(SqlState.protocolViolation, 'received unencrypted data after SSL request', { severity: 'FATAL' });
      }
      conn.startTls(ctx.tls);
    } else {
      conn.writeRaw(encryptionAnswer(false));
    }
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

async function authenticate(
  conn: PgConnection,
  ctx: ConnectionContext,
  parameters: Record<string, string>,
  minor: number,
  protocolOptions: string[],
): Promise<EngineSession> {
  const user = parameters['user'];
  if (!user) {
    throw new PgError(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', {
      severity: 'FATAL',
    });
  }
  const database = parameters['database'] || user;
  if (ctx.requireTls && !conn.encrypted && !(ctx.allowPlainOnLoopback && isLoopback(conn.remoteAddress))) {
    throw new PgError(SqlState.invalidAuthorizationSpecification, 'SSL required', {
      severity: 'FATAL',
      detail: `This server refuses unencrypted connections (host "${conn.remoteAddress}", user "${user}", database "${database}").`,
      hint: 'Connect with sslmode=require.',
    });
  }
  if (minor > PROTOCOL_MINOR || protocolOptions.length > 0) negotiateProtocolVersion(conn.writer, PROTOCOL_MINOR, protocolOptions);
  if (ctx.auth.method === 'scram-sha-256') {
    await scramAuthentication(conn, user, await ctx.auth.lookupVerifier(user), ctx.mockSecret);
  }
  authenticationOk(conn.writer);
  const events: SessionEvents = {
    notice: (severity, message, code) =>
      noticeResponse(conn.writer, new PgError((code ?? SqlState.warning) as SqlState, message, { severity })),
    parameterStatus: (name, value) => parameterStatus(conn.writer, name, value),
  };
  let session: EngineSession;
  try {
    session = await ctx.engine.openSession({ user, database, parameters: { ...parameters }, remoteAddress: conn.remoteAddress }, events);
  } catch (error) {
    const e = toPgError(error);
    throw new PgError(e.code, e.message, { severity: 'FATAL', detail: e.detail, hint: e.hint });
  }
  try {
    for (const [name, value] of Object.entries(session.reportedParameters())) parameterStatus(conn.writer, name, value);
    backendKeyData(conn.writer, conn.pid, conn.secret);
    readyForQuery(conn.writer, session.transactionStatus);
    await conn.flush();
  } catch (error) {
    await session.close().catch(() => {});
    throw error;
  }
  conn.log.debug({ user, database, tls: conn.encrypted }, 'session started');
  return session;
}
