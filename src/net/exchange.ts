import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { FrameKind, type Frame } from './frame.js';
import { nextParty, prevParty, type PartyIndex } from './party-index.js';
import type { Transport } from './transport.js';

export interface ExchangeOptions {
  /** How long one round may wait for a peer's message before the computation aborts. */
  readonly roundTimeoutMs?: number;
  /** Most bytes buffered from peers that are rounds ahead of us. */
  readonly maxBufferedBytes?: number;
}

export const DEFAULT_ROUND_TIMEOUT_MS = 8_000;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024 * 1024;

/** Traffic of one computation as seen by one party. */
export interface ExchangeStats {
  /** Communication rounds this party took part in (one per `exchange` call). */
  rounds: number;
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
}

/**
 * One party's view of the message flow of one computation: the only place rounds are
 * counted. A round is one call of `exchange`: at most one message to each peer, then
 * the messages expected from peers. Rounds are numbered in call order, so the three
 * parties must issue their rounds in the same order (the protocols are SPMD); a
 * second round while one is pending is refused, since concurrent rounds would be
 * numbered by timing and the parties could disagree.
 *
 * Failure of any kind (a peer's abort frame, a broken link, a round timeout, a
 * malformed message, a local `abort`) ends the computation for good: pending and
 * future rounds reject with the same PgError, buffered messages are dropped, and the
 * peers are sent an abort frame so that they stop too. Nothing is revealed by an
 * aborted computation beyond what its completed rounds already revealed.
 */
export class Exchange {
  readonly self: PartyIndex;
  readonly computationId: string;
  readonly stats: ExchangeStats = { rounds: 0, framesSent: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly transport: Transport;
  private readonly roundTimeoutMs: number;
  private readonly maxBufferedBytes: number;
  private nextRound = 0;
  private busy = false;
  private failure: PgError | null = null;
  private closed = false;
  private bufferedBytes = 0;
  private readonly inbox = new Map<string, Uint8Array>();
  private waiter: { round: number; from: Set<PartyIndex>; wake: () => void } | null = null;
  private failWaiter: ((error: PgError) => void) | null = null;
  private abortRound: ((error: PgError) => void) | null = null;
  private readonly onDone: () => void;

  constructor(transport: Transport, computationId: string, options: ExchangeOptions = {}, onDone: () => void = () => {}) {
    this.transport = transport;
    this.self = transport.self;
    this.computationId = computationId;
    this.roundTimeoutMs = options.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.onDone = onDone;
  }

  get failed(): PgError | null {
    return this.failure;
  }

  /**
   * One round: sends `outgoing` (peer → message; the buffers are handed over) and
   * resolves with exactly one message from each party in `expectFrom`.
   */
  async exchange(outgoing: ReadonlyMap<PartyIndex, Uint8Array>, expectFrom: readonly PartyIndex[]): Promise<Map<PartyIndex, Uint8Array>> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new PgError(SqlState.objectNotInPrerequisiteState, `computation ${this.computationId} is finished`);
    if (this.busy) {
      throw new PgError(SqlState.internalError, `computation ${this.computationId}: a round was started while another was pending`);
    }
    this.busy = true;
    const round = this.nextRound++;
    this.stats.rounds++;
    let sendTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const sends: Promise<void>[] = [];
      for (const [to, payload] of outgoing) {
        if (to === this.self) throw new PgError(SqlState.internalError, 'a party cannot send to itself');
        this.stats.framesSent++;
        this.stats.bytesSent += payload.byteLength;
        sends.push(this.transport.send(to, { kind: FrameKind.data, from: this.self, computationId: this.computationId, round, payload }));
      }
      const received = this.receive(round, expectFrom);
      // A send failure or a receive failure both end the round; the first one wins. A
      // send may also hang (a peer that never connects or stops reading): a failure from
      // anywhere, or the round timeout, ends the round all the same.
      const aborted = new Promise<never>((_, reject) => {
        this.abortRound = reject;
      });
      aborted.catch(() => {});
      sendTimer = setTimeout(() => {
        this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId}: round ${round} could not be sent within ${this.roundTimeoutMs} ms`));
      }, this.roundTimeoutMs);
      const sent = Promise.all(sends)
        .then(() => clearTimeout(sendTimer))
        .catch((error: unknown) => this.fail(asPgError(error)));
      if (this.failure) this.abortRound?.(this.failure);
      const [messages] = await Promise.race([Promise.all([received, sent]), aborted]);
      return messages;
    } catch (error) {
      const pgError = asPgError(error);
      this.fail(pgError);
      throw this.failure ?? pgError;
    } finally {
      clearTimeout(sendTimer);
      this.abortRound = null;
      this.busy = false;
    }
  }

  /** Ends the computation on this side and tells the peers to stop theirs. */
  abort(reason: string): void {
    if (this.failure || this.closed) return;
    this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId} aborted by party ${this.self}: ${reason}`));
  }

  /** Normal end: frees buffers; later frames for this computation are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.clear();
    this.bufferedBytes = 0;
    this.onDone();
  }

  /** Called by the endpoint for every frame of this computation. */
  deliver(frame: Frame): void {
    if (this.failure || this.closed) return;
    if (frame.kind === FrameKind.abort) {
      const reason = new TextDecoder().decode(frame.payload.subarray(0, 500));
      this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId} aborted by party ${frame.from}`, { detail: reason }), false);
      return;
    }
    if (frame.from === this.self) return this.fail(violation(this.computationId, `a frame claims to come from this party`));
    const key = `${frame.round}:${frame.from}`;
    const current = this.nextRound - 1;
    const expectedNow = this.waiter !== null && this.waiter.round === current && this.waiter.from.has(frame.from);
    if (frame.round < current || (frame.round === current && !expectedNow) || this.inbox.has(key)) {
      return this.fail(violation(this.computationId, `party ${frame.from} sent round ${frame.round} twice or too late`));
    }
    this.bufferedBytes += frame.payload.byteLength;
    if (this.bufferedBytes > this.maxBufferedBytes) {
      return this.fail(violation(this.computationId, `party ${frame.from} ran more than ${this.maxBufferedBytes} bytes ahead`));
    }
    this.inbox.set(key, frame.payload);
    this.stats.bytesReceived += frame.payload.byteLength;
    const waiter = this.waiter;
    if (waiter && waiter.round === frame.round && waiter.from.has(frame.from)) waiter.wake();
  }

  /** Called by the endpoint when the link to a peer breaks. */
  peerFailed(peer: PartyIndex, error: Error): void {
    this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId}: lost party ${peer}`, { detail: error.message }));
  }

  private receive(round: number, expectFrom: readonly PartyIndex[]): Promise<Map<PartyIndex, Uint8Array>> {
    const wanted = new Set(expectFrom);
    for (const p of wanted) {
      if (p === this.self) return Promise.reject(new PgError(SqlState.internalError, 'a party cannot expect a message from itself'));
    }
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        for (const p of wanted) if (!this.inbox.has(`${round}:${p}`)) return false;
        const out = new Map<PartyIndex, Uint8Array>();
        for (const p of wanted) {
          const key = `${round}:${p}`;
          const payload = this.inbox.get(key)!;
          this.inbox.delete(key);
          this.bufferedBytes -= payload.byteLength;
          out.set(p, payload);
        }
        resolve(out);
        return true;
      };
      if (take()) return;
      const timer = setTimeout(() => {
        const missing = [...wanted].filter((p) => !this.inbox.has(`${round}:${p}`));
        this.fail(
          new PgError(
            SqlState.connectionFailure,
            `computation ${this.computationId}: party ${missing.join(' and party ')} did not answer round ${round} within ${this.roundTimeoutMs} ms`,
          ),
        );
      }, this.roundTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = null;
        this.failWaiter = null;
      };
      this.waiter = {
        round,
        from: wanted,
        wake: () => {
          if (take()) done();
        },
      };
      this.failWaiter = (error) => {
        done();
        reject(error);
      };
    });
  }

  private fail(error: PgError, tellPeers = true): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.inbox.clear();
    this.bufferedBytes = 0;
    if (tellPeers) {
      const payload = new TextEncoder().encode(error.message.slice(0, 500));
      for (const peer of [nextParty(this.self), prevParty(this.self)]) {
        this.transport
          .send(peer, { kind: FrameKind.abort, from: this.self, computationId: this.computationId, round: this.nextRound, payload })
          .catch(() => {
            // The peer is unreachable; it will time out or already knows.
          });
      }
    }
    this.failWaiter?.(error);
    this.abortRound?.(error);
    this.onDone();
  }
}

function violation(computationId: string, message: string): PgError {
  return new PgError(SqlState.protocolViolation, `computation ${computationId}: ${message}`);
}

function asPgError(error: unknown): PgError {
  if (error instanceof PgError) return error;
  return new PgError(SqlState.internalError, error instanceof Error ? error.message : String(error));
}
