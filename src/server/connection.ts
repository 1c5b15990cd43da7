/**
 * One client connection: its socket (plain, or TLS after SSLRequest), frames in, output
 * out with backpressure, and its life from start-up to close. The start-up handshake and
 * the query protocols run on top of it (startup-handshake.ts, query-protocol.ts). Any
 * error ends in an ErrorResponse or a close of this connection, never of the process.
 */
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Engine, EngineSession } from './engine.js';
import { PgError, toPgError } from './pg-error.js';
import { SqlState } from './sqlstate.js';
import { FrameReader, type Frame } from './protocol/frame-reader.js';
import { MessageWriter } from './protocol/message-writer.js';
import { errorResponse } from './protocol/response-messages.js';
import type { AuthConfig } from './auth/auth-config.js';
import { startupHandshake } from './startup-handshake.js';
import { QueryProtocol } from './query-protocol.js';
import type { Output } from './result-writer.js';

/** What every connection of one server shares. */
export interface ConnectionContext {
  engine: Engine;
  auth: AuthConfig;
  tls: SecureContext | null;
  requireTls: boolean;
  allowPlainOnLoopback: boolean;
  maxMessageLength: number;
  /** A client that has not finished start-up and authentication by then is dropped. */
  authenticationTimeoutMs: number;
  logger: Logger;
  /** Secret for the made-up SCRAM salts of unknown users. */
  mockSecret: Buffer;
  /** The server is shutting down: new sessions are refused (57P03), cancel requests still served. */
  isShuttingDown(): boolean;
  /** A process id no other live connection has. */
  allocatePid(): number;
  register(connection: PgConnection): void;
  unregister(connection: PgConnection): void;
  cancel(pid: number, secret: number): void;
}

/** Received bytes beyond this, while a whole frame is already there, pause the socket. */
const INPUT_HIGH_WATER = 1024 * 1024;
/** Output queued in the socket beyond this makes a result wait for the client (backpressure). */
const OUTPUT_HIGH_WATER = 1024 * 1024;

export class PgConnection implements Output {
  readonly pid: number;
  readonly secret: number;
  readonly writer = new MessageWriter();
  readonly reader: FrameReader;
  readonly log: Logger;
  private socket: Socket;
  private waiting: { resolve: (frame: Frame | null) => void; reject: (error: PgError) => void } | null = null;
  private inputEnded = false;
  private inputError: PgError | null = null;
  private running: AbortController | null = null;
  private busy = false;
  private idleResolvers: Array<() => void> = [];
  private terminating = false;
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(socket: Socket, private readonly ctx: ConnectionContext) {
    this.socket = socket;
    this.pid = ctx.allocatePid();
    this.secret = randomBytes(4).readInt32BE(0);
    this.reader = new FrameReader(ctx.maxMessageLength);
    this.log = ctx.logger.child({ pid: this.pid, remote: socket.remoteAddress });
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.attach(socket);
  }

  /** Runs the connection to its end; never rejects. */
  async run(): Promise<void> {
    let session: EngineSession | null = null;
    let protocol: QueryProtocol | null = null;
    const timer = setTimeout(() => {
      this.log.debug('authentication timeout');
      this.socket.destroy();
    }, this.ctx.authenticationTimeoutMs);
    timer.unref();
    try {
      session = await startupHandshake(this, this.ctx);
      clearTimeout(timer);
      if (!session) return;
      this.ctx.register(this);
      protocol = new QueryProtocol(this, session);
      await protocol.run();
    } catch (error) {
      await this.fail(asFatal(error));
    } finally {
      clearTimeout(timer);
      this.ctx.unregister(this);
      await protocol?.release();
      try {
        await session?.close();
      } catch (error) {
        this.log.warn({ err: error }, 'closing the session failed');
      }
      this.close();
      this.markIdle();
      this.resolveFinished();
    }
  }

  /** Resolves once run() has released everything. */
  whenFinished(): Promise<void> {
    return this.finished;
  }

  /** CancelRequest for this backend: abort the running statement, if any. */
  cancel(): void {
    this.running?.abort(new PgError(SqlState.queryCanceled, 'canceling statement due to user request'));
  }

  /** Resolves when no statement is running (at once if idle). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  /** Server shutdown: cancel what runs, FATAL 57P01, close. Idempotent. */
  async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    this.cancel();
    await this.fail(new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
    this.close();
  }

  // ---- statements (for the query protocol) ---------------------------------------------

  /** A message is being handled: shutdown waits for it. */
  markBusy(): void {
    this.busy = true;
  }

  /** ReadyForQuery went out: nothing runs. */
  markIdle(): void {
    this.busy = false;
    const resolvers = this.idleResolvers;
    this.idleResolvers = [];
    for (const resolve of resolvers) resolve();
  }

  /** A new AbortSignal for one statement; CancelRequest and client loss abort it. */
  statementSignal(): AbortSignal {
    this.running = new AbortController();
    return this.running.signal;
  }

  statementEnded(): void {
    this.running = null;
  }

  // ---- transport ------------------------------------------------------------------------

  get encrypted(): boolean {
    return this.socket instanceof TLSSocket;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** The next frame; null once the client is gone; rejects (FATAL 08P01) on a frame that cannot be trusted. */
  nextFrame(): Promise<Frame | null> {
    if (this.inputError) return Promise.reject(this.inputError);
    let frame: Frame | null;
    try {
      frame = this.reader.next();
    } catch (error) {
      return Promise.reject(this.badInput(error));
    }
    if (frame) return Promise.resolve(frame);
    if (this.inputEnded) return Promise.resolve(null);
    if (this.socket.isPaused()) this.socket.resume();
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Bytes outside any message: the answers to SSLRequest and GSSENCRequest. */
  writeRaw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Answers SSLRequest with 'S' and continues over TLS on the same socket. */
  startTls(context: SecureContext): void {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.write('S');
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
    this.socket = tls;
    this.attach(tls);
  }

  /** Sends what is buffered; resolves once the socket will take more (backpressure). */
  flush(): Promise<void> {
    if (this.writer.size === 0) return Promise.resolve();
    const data = this.writer.take();
    // Nobody is listening any more: drop the output rather than let it pile up.
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve();
    // Up to OUTPUT_HIGH_WATER may wait in the socket, so encoding the next rows overlaps
    // sending these; beyond it, wait until the client has taken them.
    if (this.socket.write(data) || this.socket.writableLength < OUTPUT_HIGH_WATER) return Promise.resolve();
    const socket = this.socket;
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Sends an ErrorResponse; a FATAL one closes the connection after it. */
  async fail(error: PgError): Promise<void> {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    errorResponse(this.writer, error);
    await this.flush();
    if (error.severity === 'FATAL' || error.severity === 'PANIC') this.close();
  }

  close(): void {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
    // A client that never reads its last bytes must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => this.endOfInput());
    socket.on('end', () => this.endOfInput());
  }

  private receive(chunk: Buffer): void {
    if (this.inputError) return;
    this.reader.push(chunk);
    if (this.waiting) {
      let frame: Frame | null;
      try {
        frame = this.reader.next();
      } catch (error) {
        const waiting = this.waiting;
        this.waiting = null;
        waiting.reject(this.badInput(error));
        return;
      }
      if (frame) {
        const waiting = this.waiting;
        this.waiting = null;
        waiting.resolve(frame);
      }
    }
    // Busy with earlier messages and the client keeps sending: stop reading for now.
    if (!this.waiting && this.reader.pendingBytes >= INPUT_HIGH_WATER) this.socket.pause();
  }

  private badInput(error: unknown): PgError {
    this.inputError = asFatal(error);
    this.socket.pause();
    return this.inputError;
  }

  private endOfInput(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve(null);
    }
    // The client is gone: what it asked for need not finish.
    this.cancel();
  }
}

function asFatal(error: unknown): PgError {
  const e = toPgError(error);
  if (e.severity === 'FATAL' || e.severity === 'PANIC') return e;
  return new PgError(e.code, e.message, { severity: 'FATAL', detail: e.detail, hint: e.hint });
}
