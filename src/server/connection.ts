/**
 * One client connection: start-up (TLS negotiation, authentication), then the simple and
 * extended query protocols over an EngineSession. Messages are handled one at a time in
 * arrival order; a malformed one ends the connection with an ErrorResponse, never the
 * process.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Engine, EngineSession, Execution, PreparedStatement, SessionEvents } from './engine.js';
import { PgError, toPgError } from './pg-error.js';
import { SqlState } from './sqlstate.js';
import { FrameReader, type Frame } from './protocol/frame-reader.js';
import { MessageReader, decodeUtf8, malformed } from './protocol/message-reader.js';
import { MessageWriter } from './protocol/message-writer.js';
import * as msg from './protocol/backend-messages.js';
import { readStartupPacket } from './startup.js';
import { SCRAM_MECHANISM, ScramExchange, parseScramVerifier } from './auth/scram.js';
import { columnsEncoder, rowEncoder, writeCopyOut, writeRows, FLUSH_THRESHOLD, type Output, type RowEncoder } from './result-writer.js';
import { binaryDecoder, textDecoder, TypeOid } from '../sql/types/index.js';

export interface AuthConfig {
  method: 'scram-sha-256' | 'trust';
  /** The stored SCRAM verifier of a user, or null when there is no such user. */
  lookupVerifier(user: string): Promise<string | null>;
}

export interface ConnectionContext {
  engine: Engine;
  auth: AuthConfig;
  tls: SecureContext | null;
  requireTls: boolean;
  allowPlainOnLoopback: boolean;
  maxMessageLength: number;
  logger: Logger;
  /** Secret for made-up SCRAM salts of unknown users. */
  mockSecret: Buffer;
  register(connection: PgConnection): void;
  unregister(connection: PgConnection): void;
  cancel(pid: number, secret: number): void;
}

interface StatementEntry {
  prepared: PreparedStatement | null; // null: empty query
  sql: string;
}

interface Portal {
  statement: StatementEntry;
  params: unknown[];
  formats: number[];
  execution: Execution | null;
  encode: RowEncoder | null;
  rowsSent: number;
  done: boolean;
}

const MAX_QUEUED_FRAMES = 256;

export class PgConnection implements Output {
  readonly pid = randomInt(1, 0x7fffffff);
  readonly secret = randomInt(0, 0x7fffffff);
  readonly writer = new MessageWriter();
  private socket: Socket;
  private readonly reader: FrameReader;
  private readonly frames: Frame[] = [];
  private waiting: ((frame: Frame | null) => void) | null = null;
  private ended = false;
  private session: EngineSession | null = null;
  private readonly statements = new Map<string, StatementEntry>();
  private readonly portals = new Map<string, Portal>();
  private skipUntilSync = false;
  private running: AbortController | null = null;
  private idleResolvers: Array<() => void> = [];
  private busy = false;
  private readonly log: Logger;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(socket: Socket, private readonly ctx: ConnectionContext) {
    this.socket = socket;
    this.reader = new FrameReader(ctx.maxMessageLength);
    this.log = ctx.logger.child({ pid: this.pid, remote: socket.remoteAddress });
    this.attach(socket);
  }

  /** Runs the connection to its end; never rejects. */
  async run(): Promise<void> {
    try {
      const ready = await this.startup();
      if (ready) await this.messageLoop();
    } catch (error) {
      await this.fail(toPgError(error));
    } finally {
      await this.cleanup();
    }
  }

  /** CancelRequest for this backend: stop the running statement. */
  cancel(): void {
    this.running?.abort(new PgError(SqlState.queryCanceled, 'canceling statement due to user request'));
  }

  /** Resolves when no statement is running (immediately if idle). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  /** Server shutdown: FATAL 57P01 and close. */
  async terminate(): Promise<void> {
    this.cancel();
    await this.fail(new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
    this.close();
  }

  // ---- transport ----------------------------------------------------------------------

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => this.endOfInput());
    socket.on('end', () => this.endOfInput());
  }

  private receive(chunk: Buffer): void {
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame; frame = this.reader.next()) this.deliver(frame);
    } catch (error) {
      // A bad frame header: nothing after it can be trusted.
      this.socket.pause();
      void this.fail(toPgError(error)).then(() => this.close());
      return;
    }
    if (this.frames.length > MAX_QUEUED_FRAMES) this.socket.pause();
  }

  private deliver(frame: Frame): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(frame);
    } else {
      this.frames.push(frame);
    }
  }

  private endOfInput(): void {
    this.ended = true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve(null);
    }
    this.cancel();
  }

  private nextFrame(): Promise<Frame | null> {
    const frame = this.frames.shift();
    if (frame) {
      if (this.frames.length < MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume();
      return Promise.resolve(frame);
    }
    if (this.ended) return Promise.resolve(null);
    if (this.socket.isPaused()) this.socket.resume();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  flush(): Promise<void> {
    if (this.writer.size === 0) return Promise.resolve();
    const data = this.writer.take();
    // Nobody is listening any more: drop the output rather than let it pile up.
    if (this.socket.destroyed) return Promise.resolve();
    if (this.socket.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private close(): void {
    if (!this.socket.destroyed) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Sends an ErrorResponse (FATAL ones end the connection). */
  private async fail(error: PgError): Promise<void> {
    if (this.socket.destroyed) return;
    msg.errorOrNotice(this.writer, 'E', error);
    await this.flush();
    if (error.severity === 'FATAL' || error.severity === 'PANIC') this.close();
  }

  private async cleanup(): Promise<void> {
    this.ctx.unregister(this);
    for (const portal of this.portals.values()) await closePortal(portal);
    this.portals.clear();
    for (const s of this.statements.values()) s.prepared?.close();
    this.statements.clear();
    try {
      await this.session?.close();
    } catch (error) {
      this.log.warn({ err: error }, 'closing the session failed');
    }
    this.close();
    this.markIdle();
  }

  // ---- start-up -----------------------------------------------------------------------

  /** Returns true when the client is authenticated and ready for queries. */
  private async startup(): Promise<boolean> {
    for (;;) {
      const frame = await this.nextFrame();
      if (!frame) return false;
      const packet = readStartupPacket(frame.body);
      if (packet.kind === 'cancel') {
        this.ctx.cancel(packet.pid, packet.secret);
        this.close();
        return false;
      }
      if (packet.kind === 'gssenc') {
        this.reader.expectStartup();
        this.socket.write('N');
        continue;
      }
      if (packet.kind === 'ssl') {
        if (this.socket instanceof TLSSocket || !this.ctx.tls) {
          this.reader.expectStartup();
          this.socket.write('N');
          continue;
        }
        // Bytes sent before the TLS handshake could be injected by a man in the middle.
        if (this.reader.pendingBytes > 0 || this.frames.length > 0) {
          throw new PgError(SqlState.protocolViolation, 'received unencrypted data after SSL request', { severity: 'FATAL' });
        }
        await this.upgradeToTls();
        continue;
      }
      return this.authenticate(packet.parameters, packet.minor, packet.unrecognizedOptions);
    }
  }

  private async upgradeToTls(): Promise<void> {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.write('S');
    const tls = new TLSSocket(raw, { isServer: true, secureContext: this.ctx.tls! });
    this.socket = tls;
    this.reader.expectStartup();
    this.attach(tls);
  }

  private isLoopback(): boolean {
    const address = this.socket.remoteAddress ?? '';
    return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  }

  private async authenticate(parameters: Record<string, string>, minor: number, unrecognized: string[]): Promise<boolean> {
    const encrypted = this.socket instanceof TLSSocket;
    const user = parameters['user'];
    if (!user) {
      throw new PgError(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', {
        severity: 'FATAL',
      });
    }
    const database = parameters['database'] || user;
    if (this.ctx.requireTls && !encrypted && !(this.ctx.allowPlainOnLoopback && this.isLoopback())) {
      throw new PgError(
        SqlState.invalidAuthorizationSpecification,
        `no pg_hba.conf entry for host "${this.socket.remoteAddress}", user "${user}", database "${database}", no encryption`,
        { severity: 'FATAL', hint: 'This server requires TLS: connect with sslmode=require.' },
      );
    }
    if (minor > 0 || unrecognized.length > 0) msg.negotiateProtocolVersion(this.writer, 0, unrecognized);
    if (this.ctx.auth.method === 'scram-sha-256') await this.scram(user);
    msg.authentication(this.writer, msg.AuthCode.ok);
    const events: SessionEvents = {
      notice: (severity, message, code) =>
        msg.errorOrNotice(this.writer, 'N', new PgError((code ?? SqlState.warning) as SqlState, message, { severity })),
      parameterStatus: (name, value) => msg.parameterStatus(this.writer, name, value),
    };
    try {
      this.session = await this.ctx.engine.openSession(
        { user, database, parameters, remoteAddress: this.socket.remoteAddress ?? '' },
        events,
      );
    } catch (error) {
      const e = toPgError(error);
      throw new PgError(e.code, e.message, { severity: 'FATAL', detail: e.detail, hint: e.hint });
    }
    for (const [name, value] of Object.entries(this.session.reportedParameters())) msg.parameterStatus(this.writer, name, value);
    msg.backendKeyData(this.writer, this.pid, this.secret);
    msg.readyForQuery(this.writer, this.session.transactionStatus);
    this.ctx.register(this);
    await this.flush();
    this.log.debug({ user, database, tls: encrypted }, 'session started');
    return true;
  }

  private async scram(user: string): Promise<void> {
    const stored = await this.ctx.auth.lookupVerifier(user);
    const exchange = new ScramExchange(user, stored === null ? null : parseScramVerifier(stored), this.ctx.mockSecret);
    msg.authenticationSasl(this.writer, [SCRAM_MECHANISM]);
    await this.flush();
    const first = await this.authFrame();
    const initial = new MessageReader(first.body);
    const mechanism = initial.cstring();
    if (mechanism !== SCRAM_MECHANISM) {
      throw new PgError(SqlState.protocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
    }
    const length = initial.int32();
    const clientFirst = decodeUtf8(length < 0 ? Buffer.alloc(0) : initial.bytes(length));
    msg.authentication(this.writer, msg.AuthCode.saslContinue, exchange.start(clientFirst));
    await this.flush();
    const final = await this.authFrame();
    msg.authentication(this.writer, msg.AuthCode.saslFinal, exchange.finish(decodeUtf8(final.body)));
  }

  private async authFrame(): Promise<Frame> {
    const frame = await this.nextFrame();
    if (!frame) throw new PgError(SqlState.connectionFailure, 'client went away during authentication', { severity: 'FATAL' });
    if (frame.type !== 'p') {
      throw new PgError(SqlState.protocolViolation, `expected SASL response, got message type "${frame.type}"`, { severity: 'FATAL' });
    }
    return frame;
  }

  // ---- queries ------------------------------------------------------------------------

  private async messageLoop(): Promise<void> {
    for (;;) {
      const frame = await this.nextFrame();
      if (!frame || frame.type === 'X') return;
      if (this.skipUntilSync && frame.type !== 'S') continue;
      this.busy = true;
      try {
        await this.handle(frame);
      } catch (error) {
        const e = toPgError(error);
        if (e.severity === 'FATAL') {
          await this.fail(e);
          return;
        }
        await this.statementError(e, frame.type !== 'Q');
        if (frame.type === 'Q') this.readyForQuery();
      } finally {
        this.running = null;
      }
      if (this.writer.size > 0 && (frame.type === 'Q' || frame.type === 'S' || frame.type === 'H' || this.writer.size >= FLUSH_THRESHOLD)) {
        await this.flush();
      }
      if (frame.type === 'Q' || frame.type === 'S') this.markIdle();
    }
  }

  private markIdle(): void {
    this.busy = false;
    const resolvers = this.idleResolvers;
    this.idleResolvers = [];
    for (const resolve of resolvers) resolve();
  }

  private async statementError(error: PgError, extended: boolean): Promise<void> {
    this.log.debug({ code: error.code, message: error.message }, 'statement failed');
    this.session?.statementFailed();
    msg.errorOrNotice(this.writer, 'E', error);
    if (extended) this.skipUntilSync = true;
  }

  private readyForQuery(): void {
    msg.readyForQuery(this.writer, this.session!.transactionStatus);
  }

  private async handle(frame: Frame): Promise<void> {
    const r = new MessageReader(frame.body);
    switch (frame.type) {
      case 'Q':
        return this.simpleQuery(r.cstring());
      case 'P':
        return this.parse(r);
      case 'B':
        return this.bind(r);
      case 'D':
        return this.describe(r);
      case 'E':
        return this.execute(r);
      case 'C':
        return this.closeMessage(r);
      case 'S':
        return this.sync();
      case 'H':
        return;
      case 'd':
      case 'c':
      case 'f':
        // Copy-in messages outside COPY FROM STDIN are ignored, as PostgreSQL does.
        return;
      default:
        throw new PgError(SqlState.protocolViolation, `invalid frontend message type ${frame.type.charCodeAt(0)}`, { severity: 'FATAL' });
    }
  }

  private signal(): AbortSignal {
    this.running = new AbortController();
    return this.running.signal;
  }

  private async simpleQuery(sql: string): Promise<void> {
    const session = this.session!;
    // A simple Query destroys the unnamed statement and portal.
    await this.dropUnnamed();
    this.log.debug({ sql }, 'simple query');
    const statements = session.parse(sql);
    if (statements.length === 0) msg.emptyMessage(this.writer, 'I');
    for (const statement of statements) {
      const prepared = await session.prepare(statement, []);
      try {
        const signal = this.signal();
        const execution = await prepared.execute([], { signal });
        if (execution.kind === 'rows') {
          msg.rowDescription(this.writer, execution.fields, []);
          const encode = rowEncoder(execution.fields, [], session.codecContext);
          const encodeColumns = columnsEncoder(execution.fields, [], session.codecContext);
          try {
            const { sent } = await writeRows(execution, encode, this, 0, signal, encodeColumns);
            msg.commandComplete(this.writer, execution.commandTag(sent));
          } finally {
            await execution.close();
          }
        } else if (execution.kind === 'command') {
          msg.commandComplete(this.writer, execution.commandTag);
        } else {
          await writeCopyOut(execution, this, signal);
        }
      } finally {
        prepared.close();
      }
    }
    this.readyForQuery();
  }

  private async parse(r: MessageReader): Promise<void> {
    const name = r.cstring();
    const sql = r.cstring();
    const count = r.int16();
    if (count < 0) throw malformed('negative parameter count');
    const paramTypes: number[] = [];
    for (let i = 0; i < count; i++) paramTypes.push(r.int32() >>> 0);
    r.end();
    if (name !== '' && this.statements.has(name)) {
      throw new PgError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    this.log.debug({ name, sql }, 'parse');
    const statements = this.session!.parse(sql);
    if (statements.length > 1) {
      throw new PgError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    }
    const prepared = statements.length === 0 ? null : await this.session!.prepare(statements[0]!, paramTypes);
    if (name === '') this.statements.get('')?.prepared?.close();
    this.statements.set(name, { prepared, sql });
    msg.emptyMessage(this.writer, '1');
  }

  private async bind(r: MessageReader): Promise<void> {
    const portalName = r.cstring();
    const statementName = r.cstring();
    const formatCount = r.int16();
    const paramFormats: number[] = [];
    for (let i = 0; i < formatCount; i++) paramFormats.push(r.int16());
    const paramCount = r.int16();
    const raw: Array<Buffer | null> = [];
    for (let i = 0; i < paramCount; i++) {
      const length = r.int32();
      raw.push(length === -1 ? null : r.bytes(length));
    }
    const resultFormatCount = r.int16();
    const resultFormats: number[] = [];
    for (let i = 0; i < resultFormatCount; i++) resultFormats.push(r.int16());
    r.end();
    const statement = this.statements.get(statementName);
    if (!statement) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${statementName}" does not exist`);
    const paramTypes = statement.prepared?.paramTypes ?? [];
    if (paramCount !== paramTypes.length) {
      throw new PgError(
        SqlState.protocolViolation,
        `bind message supplies ${paramCount} parameters, but prepared statement "${statementName}" requires ${paramTypes.length}`,
      );
    }
    const params = raw.map((bytes, i) => {
      if (bytes === null) return null;
      const format = formatCode(paramFormats, i, 'parameter');
      const oid = paramTypes[i] || TypeOid.text;
      const ctx = this.session!.codecContext;
      return format === 1 ? binaryDecoder(oid)(bytes, ctx) : textDecoder(oid)(decodeUtf8(bytes), ctx);
    });
    const fields = statement.prepared?.fields ?? [];
    const formats = fields.map((_, i) => formatCode(resultFormats, i, 'result'));
    if (portalName === '') {
      const old = this.portals.get('');
      if (old) await closePortal(old);
    } else if (this.portals.has(portalName)) {
      throw new PgError(SqlState.duplicateCursor, `portal "${portalName}" already exists`);
    }
    this.portals.set(portalName, { statement, params, formats, execution: null, encode: null, rowsSent: 0, done: false });
    msg.emptyMessage(this.writer, '2');
  }

  private async describe(r: MessageReader): Promise<void> {
    const kind = String.fromCharCode(r.bytes(1)[0]!);
    const name = r.cstring();
    r.end();
    if (kind === 'S') {
      const statement = this.statements.get(name);
      if (!statement) throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
      msg.parameterDescription(this.writer, statement.prepared?.paramTypes ?? []);
      const fields = statement.prepared?.fields;
      if (fields) msg.rowDescription(this.writer, fields, []);
      else msg.emptyMessage(this.writer, 'n');
    } else if (kind === 'P') {
      const portal = this.portal(name);
      const fields = portal.statement.prepared?.fields;
      if (fields) msg.rowDescription(this.writer, fields, portal.formats);
      else msg.emptyMessage(this.writer, 'n');
    } else {
      throw malformed(`invalid DESCRIBE message subtype ${kind.charCodeAt(0)}`);
    }
  }

  private async execute(r: MessageReader): Promise<void> {
    const name = r.cstring();
    const maxRows = r.int32();
    r.end();
    const portal = this.portal(name);
    const prepared = portal.statement.prepared;
    if (!prepared) {
      msg.emptyMessage(this.writer, 'I');
      return;
    }
    const signal = this.signal();
    if (portal.done) {
      // Re-executing a finished portal yields no more rows, as in PostgreSQL.
      if (portal.execution?.kind === 'rows') msg.commandComplete(this.writer, portal.execution.commandTag(0));
      else if (portal.execution?.kind === 'command') msg.commandComplete(this.writer, portal.execution.commandTag);
      return;
    }
    portal.execution ??= await prepared.execute(portal.params, { signal });
    const execution = portal.execution;
    if (execution.kind === 'command') {
      portal.done = true;
      msg.commandComplete(this.writer, execution.commandTag);
    } else if (execution.kind === 'copy-out') {
      portal.done = true;
      await writeCopyOut(execution, this, signal);
    } else {
      portal.encode ??= rowEncoder(execution.fields, portal.formats, this.session!.codecContext);
      // Columnar streaming only when the whole rest is sent and the portal never fetched by rows.
      const whole = maxRows <= 0 && portal.rowsSent === 0;
      const encodeColumns = whole ? columnsEncoder(execution.fields, portal.formats, this.session!.codecContext) : undefined;
      const { sent, done } = await writeRows(execution, portal.encode, this, Math.max(0, maxRows), signal, encodeColumns);
      portal.rowsSent += sent;
      if (done) {
        portal.done = true;
        msg.commandComplete(this.writer, execution.commandTag(portal.rowsSent));
        await execution.close();
      } else {
        msg.emptyMessage(this.writer, 's');
      }
    }
  }

  private async closeMessage(r: MessageReader): Promise<void> {
    const kind = String.fromCharCode(r.bytes(1)[0]!);
    const name = r.cstring();
    r.end();
    if (kind === 'S') {
      this.statements.get(name)?.prepared?.close();
      this.statements.delete(name);
    } else if (kind === 'P') {
      const portal = this.portals.get(name);
      if (portal) await closePortal(portal);
      this.portals.delete(name);
    } else {
      throw malformed(`invalid CLOSE message subtype ${kind.charCodeAt(0)}`);
    }
    msg.emptyMessage(this.writer, '3');
  }

  private async sync(): Promise<void> {
    this.skipUntilSync = false;
    // Outside a transaction block each Sync ends the implicit transaction, and its portals.
    if (this.session!.transactionStatus === 'I') {
      for (const portal of this.portals.values()) await closePortal(portal);
      this.portals.clear();
    }
    this.readyForQuery();
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
    return portal;
  }

  private async dropUnnamed(): Promise<void> {
    const portal = this.portals.get('');
    if (portal) await closePortal(portal);
    this.portals.delete('');
    this.statements.get('')?.prepared?.close();
    this.statements.delete('');
  }
}

/** The format code for item `i` under the 0/1/N rule of Bind. */
function formatCode(codes: readonly number[], i: number, what: string): number {
  const code = codes.length === 0 ? 0 : codes.length === 1 ? codes[0]! : codes[i];
  if (code === undefined) throw malformed(`bind message has ${codes.length} ${what} formats`);
  if (code !== 0 && code !== 1) throw malformed(`unsupported format code: ${code}`);
  return code;
}

async function closePortal(portal: Portal): Promise<void> {
  const execution = portal.execution;
  portal.execution = null;
  portal.done = true;
  if (execution?.kind === 'rows') await execution.close().catch(() => {});
}
