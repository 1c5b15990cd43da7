import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { FrameKind, MAX_FRAME_PAYLOAD, type Frame } from './frame.js';
import { nextParty, prevParty, type PartyIndex } from './party-index.js';
import type { Transport } from './transport.js';

export interface ExchangeOptions {
  /** How long one round may wait for a peer's message before the computation aborts. */
  readonly roundTimeoutMs?: number;
  /** Most bytes buffered from peers that are rounds ahead of us. */
  readonly maxBufferedBytes?: number;
  /** Longest payload of one frame sent (MAX_FRAME_PAYLOAD, which receivers accept, by default); longer messages go in parts. */
  readonly maxFramePayload?: number;
}

export const DEFAULT_ROUND_TIMEOUT_MS = 8_000;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024 * 1024;

/** Traffic of one computation as seen by one party. */
export interface ExchangeStats {
  /** Communication rounds this party took part in (one per `exchange` call, on any lane). */
  rounds: number;
  /**
   * Rounds on the critical path: one per round of the main lane, and for each set of
   * lanes opened together the most rounds any one of them ran (they are in flight
   * together). What latency multiplies.
   */
  depth: number;
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
}

/** A sequence of rounds: the main lane of a computation (Exchange) or one opened beside it (ExchangeLane). */
export interface Rounds {
  readonly self: PartyIndex;
  readonly computationId: string;
  readonly stats: ExchangeStats;
  readonly failed: PgError | null;
  /**
   * One round: sends `outgoing` (peer → message; the buffers are handed over, or with
   * `lent`, only lent until the round resolves: they are copied unless the transport is
   * done with them by then) and resolves with exactly one message from each party in
   * `expectFrom`. After a failed round a lent buffer may still be read: do not reuse it.
   */
  exchange(outgoing: ReadonlyMap<PartyIndex, Uint8Array>, expectFrom: readonly PartyIndex[], options?: RoundOptions): Promise<Map<PartyIndex, Uint8Array>>;
  /** Ends the whole computation on this side and tells the peers to stop theirs. */
  abort(reason: string): void;
  /** A received message is no longer referenced anywhere: the transport may reuse its memory. */
  recycle(payload: Uint8Array): void;
}

export interface RoundOptions {
  /** The outgoing buffers are lent, not handed over (see Rounds.exchange). */
  readonly lent?: boolean;
}

/** One lane's state: its round counter and the round it has in flight, if any. */
interface Lane {
  readonly id: number;
  nextRound: number;
  busy: boolean;
  closed: boolean;
  waiter: { round: number; from: Set<PartyIndex>; wake: () => void } | null;
  failWaiter: ((error: PgError) => void) | null;
  abortRound: ((error: PgError) => void) | null;
}

function newLane(id: number): Lane {
  return { id, nextRound: 0, busy: false, closed: false, waiter: null, failWaiter: null, abortRound: null };
}

/**
 * One party's view of the message flow of one computation: the only place rounds are
 * counted. A round is one call of `exchange`: at most one message to each peer, then
 * the messages expected from peers. Rounds are numbered per lane in call order, so the
 * three parties must issue a lane's rounds in the same order (the protocols are SPMD);
 * a second round on a lane while one is pending there is refused, since concurrent
 * rounds would be numbered by timing and the parties could disagree.
 *
 * Lanes: the computation's own rounds are lane 0. `openLanes(k)` opens k more, numbered
 * in the order they are opened (so, like rounds, the same at every party), each with
 * its own round counter: one round may be in flight on each lane at once, which lets a
 * protocol keep several independent pieces of work (a comparison's chunks) going, the
 * network and the CPU busy together, without the parties having to agree on timing.
 *
 * Failure of any kind (a peer's abort frame, a broken link, a round timeout on any
 * lane, a malformed message, a local `abort`) ends the computation for good: pending
 * and future rounds on every lane reject with the same PgError, buffered messages are
 * dropped, and the peers are sent an abort frame so that they stop too. Nothing is
 * revealed by an aborted computation beyond what its completed rounds already revealed.
 */
export class Exchange implements Rounds {
  readonly self: PartyIndex;
  readonly computationId: string;
  readonly stats: ExchangeStats = { rounds: 0, depth: 0, framesSent: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly transport: Transport;
  private readonly roundTimeoutMs: number;
  private readonly maxBufferedBytes: number;
  private readonly lanes = new Map<number, Lane>([[0, newLane(0)]]);
  private nextLane = 1;
  private failure: PgError | null = null;
  private closed = false;
  private bufferedBytes = 0;
  private readonly inbox = new Map<string, Uint8Array>();
  /** The parts received so far of messages sent in several frames, by lane:round:sender. */
  private readonly parts = new Map<string, Uint8Array[]>();
  private readonly maxFramePayload: number;
  private readonly onDone: () => void;

  constructor(transport: Transport, computationId: string, options: ExchangeOptions = {}, onDone: () => void = () => {}) {
    this.transport = transport;
    this.self = transport.self;
    this.computationId = computationId;
    this.roundTimeoutMs = options.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    const part = options.maxFramePayload ?? MAX_FRAME_PAYLOAD;
    if (!Number.isSafeInteger(part) || part < 8 || part > MAX_FRAME_PAYLOAD) throw new PgError(SqlState.internalError, `frames of at most ${part} bytes`);
    // Whole words per part, so no word of a message is cut.
    this.maxFramePayload = part - (part % 8);
    this.onDone = onDone;
  }

  get failed(): PgError | null {
    return this.failure;
  }

  /** One round on the main lane (see Rounds.exchange). */
  async exchange(outgoing: ReadonlyMap<PartyIndex, Uint8Array>, expectFrom: readonly PartyIndex[], options: RoundOptions = {}): Promise<Map<PartyIndex, Uint8Array>> {
    const received = await this.round(this.lanes.get(0)!, outgoing, expectFrom, options);
    this.stats.depth++;
    return received;
  }

  /**
   * Opens `count` lanes whose rounds may be in flight together (and with the main
   * lane's). All parties must open the same number of lanes at the same point of the
   * program. Close them with `closeLanes` when their work is done.
   */
  openLanes(count: number): ExchangeLane[] {
    if (this.failure) throw this.failure;
    if (this.closed) throw new PgError(SqlState.objectNotInPrerequisiteState, `computation ${this.computationId} is finished`);
    const opened: ExchangeLane[] = [];
    for (let k = 0; k < count; k++) {
      const id = this.nextLane++;
      const lane = this.lanes.get(id) ?? newLane(id);
      this.lanes.set(id, lane);
      opened.push(new ExchangeLane(this, lane, (o, e, options) => this.round(lane, o, e, options)));
    }
    return opened;
  }

  /**
   * Ends lanes opened together: the critical path grows by the most rounds any one of
   * them ran. A lane with a round still in flight cannot be closed. Frames that arrive
   * later for a closed lane are a protocol violation.
   */
  closeLanes(lanes: readonly ExchangeLane[]): void {
    let most = 0;
    for (const lane of lanes) {
      const state = lane.state;
      if (state.closed) continue;
      if (state.busy) throw new PgError(SqlState.internalError, `computation ${this.computationId}: lane ${state.id} was closed with a round in flight`);
      state.closed = true;
      most = Math.max(most, state.nextRound);
      for (const key of [...this.inbox.keys()]) {
        if (key.startsWith(`${state.id}:`)) {
          this.bufferedBytes -= this.inbox.get(key)!.byteLength;
          this.inbox.delete(key);
        }
      }
    }
    this.stats.depth += most;
  }

  recycle(payload: Uint8Array): void {
    this.transport.recycle?.(payload);
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
    this.parts.clear();
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
    // A lane not opened here yet is one a peer has already reached: its frames wait.
    const lane = this.lanes.get(frame.lane) ?? newLane(frame.lane);
    if (lane.closed) return this.fail(violation(this.computationId, `party ${frame.from} sent round ${frame.round} on lane ${frame.lane}, which is finished`));
    const key = `${frame.lane}:${frame.round}:${frame.from}`;
    const current = lane.nextRound - 1;
    const expectedNow = lane.waiter !== null && lane.waiter.round === current && lane.waiter.from.has(frame.from);
    const earlier = this.parts.get(key);
    // A message's first frame is checked against the round; its later parts follow it on the same link.
    if (earlier === undefined && (frame.round < current || (frame.round === current && !expectedNow) || this.inbox.has(key))) {
      return this.fail(violation(this.computationId, `party ${frame.from} sent round ${frame.round}${frame.lane === 0 ? '' : ` of lane ${frame.lane}`} twice or too late`));
    }
    this.bufferedBytes += frame.payload.byteLength;
    if (this.bufferedBytes > this.maxBufferedBytes) {
      return this.fail(violation(this.computationId, `party ${frame.from} ran more than ${this.maxBufferedBytes} bytes ahead`));
    }
    this.lanes.set(lane.id, lane);
    this.stats.bytesReceived += frame.payload.byteLength;
    if (frame.kind === FrameKind.part) {
      // Kept until the message's last frame, then joined (a copy); never given back to the transport for reuse.
      this.parts.set(key, [...(earlier ?? []), frame.payload]);
      return;
    }
    this.parts.delete(key);
    this.inbox.set(key, earlier === undefined ? frame.payload : joinParts([...earlier, frame.payload]));
    const waiter = lane.waiter;
    if (waiter && waiter.round === frame.round && waiter.from.has(frame.from)) waiter.wake();
  }

  /** Called by the endpoint when the link to a peer breaks. */
  peerFailed(peer: PartyIndex, error: Error): void {
    this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId}: lost party ${peer}`, { detail: error.message }));
  }

  private async round(lane: Lane, outgoing: ReadonlyMap<PartyIndex, Uint8Array>, expectFrom: readonly PartyIndex[], options: RoundOptions = {}): Promise<Map<PartyIndex, Uint8Array>> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new PgError(SqlState.objectNotInPrerequisiteState, `computation ${this.computationId} is finished`);
    const name = lane.id === 0 ? '' : ` lane ${lane.id}:`;
    if (lane.closed) throw new PgError(SqlState.internalError, `computation ${this.computationId}:${name} a round was started on a closed lane`);
    if (lane.busy) {
      throw new PgError(SqlState.internalError, `computation ${this.computationId}:${name} a round was started while another was pending`);
    }
    lane.busy = true;
    const round = lane.nextRound++;
    this.stats.rounds++;
    let sendTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const sends: Promise<void>[] = [];
      const unsent = new Set<PartyIndex>();
      const copy = options.lent === true && !this.transport.doneWithPayloadOnSend;
      for (const [to, lent] of outgoing) {
        if (to === this.self) throw new PgError(SqlState.internalError, 'a party cannot send to itself');
        const payload = copy ? lent.slice() : lent;
        this.stats.bytesSent += payload.byteLength;
        unsent.add(to);
        // A message longer than a frame goes as parts and a last data frame, in order on the link.
        const frames: Promise<void>[] = [];
        for (let at = 0; ; at += this.maxFramePayload) {
          const last = payload.byteLength - at <= this.maxFramePayload;
          const piece = at === 0 && last ? payload : payload.subarray(at, last ? payload.byteLength : at + this.maxFramePayload);
          this.stats.framesSent++;
          frames.push(this.transport.send(to, { kind: last ? FrameKind.data : FrameKind.part, from: this.self, computationId: this.computationId, round, lane: lane.id, payload: piece }));
          if (last) break;
        }
        sends.push(Promise.all(frames).then(() => void unsent.delete(to)));
      }
      const received = this.receive(lane, round, expectFrom);
      // A send failure or a receive failure both end the round; the first one wins. A
      // send may also hang (a peer that never connects or stops reading): a failure from
      // anywhere, or the round timeout, ends the round all the same.
      const aborted = new Promise<never>((_, reject) => {
        lane.abortRound = reject;
      });
      aborted.catch(() => {});
      sendTimer = setTimeout(() => {
        const stuck = [...unsent].sort().join(' and party ');
        this.fail(new PgError(SqlState.connectionFailure, `computation ${this.computationId}:${name} round ${round} could not be sent to party ${stuck} within ${this.roundTimeoutMs} ms`));
      }, this.roundTimeoutMs);
      const sent = Promise.all(sends)
        .then(() => clearTimeout(sendTimer))
        .catch((error: unknown) => this.fail(asPgError(error)));
      if (this.failure) lane.abortRound?.(this.failure);
      const [messages] = await Promise.race([Promise.all([received, sent]), aborted]);
      return messages;
    } catch (error) {
      const pgError = asPgError(error);
      this.fail(pgError);
      throw this.failure ?? pgError;
    } finally {
      clearTimeout(sendTimer);
      lane.abortRound = null;
      lane.busy = false;
    }
  }

  private receive(lane: Lane, round: number, expectFrom: readonly PartyIndex[]): Promise<Map<PartyIndex, Uint8Array>> {
    const wanted = new Set(expectFrom);
    for (const p of wanted) {
      if (p === this.self) return Promise.reject(new PgError(SqlState.internalError, 'a party cannot expect a message from itself'));
    }
    const keyOf = (p: PartyIndex): string => `${lane.id}:${round}:${p}`;
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        for (const p of wanted) if (!this.inbox.has(keyOf(p))) return false;
        const out = new Map<PartyIndex, Uint8Array>();
        for (const p of wanted) {
          const key = keyOf(p);
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
        const missing = [...wanted].filter((p) => !this.inbox.has(keyOf(p)));
        this.fail(
          new PgError(
            SqlState.connectionFailure,
            `computation ${this.computationId}: party ${missing.join(' and party ')} did not answer round ${round}${lane.id === 0 ? '' : ` of lane ${lane.id}`} within ${this.roundTimeoutMs} ms`,
          ),
        );
      }, this.roundTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        lane.waiter = null;
        lane.failWaiter = null;
      };
      lane.waiter = {
        round,
        from: wanted,
        wake: () => {
          if (take()) done();
        },
      };
      lane.failWaiter = (error) => {
        done();
        reject(error);
      };
    });
  }

  private fail(error: PgError, tellPeers = true): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.inbox.clear();
    this.parts.clear();
    this.bufferedBytes = 0;
    if (tellPeers) {
      const payload = new TextEncoder().encode(error.message.slice(0, 500));
      for (const peer of [nextParty(this.self), prevParty(this.self)]) {
        this.transport
          .send(peer, { kind: FrameKind.abort, from: this.self, computationId: this.computationId, round: this.lanes.get(0)!.nextRound, lane: 0, payload })
          .catch(() => {
            // The peer is unreachable; it will time out or already knows.
          });
      }
    }
    for (const lane of this.lanes.values()) {
      lane.failWaiter?.(error);
      lane.abortRound?.(error);
    }
    this.onDone();
  }
}

/**
 * A lane opened beside a computation's main one (Exchange.openLanes): its own
 * numbering of rounds, one round in flight at a time; failure and abort are the whole
 * computation's, and its traffic counts in the computation's stats.
 */
export class ExchangeLane implements Rounds {
  private readonly owner: Exchange;
  /** @internal */
  readonly state: Lane;
  private readonly run: Rounds['exchange'];

  /** @internal */
  constructor(owner: Exchange, state: Lane, run: Rounds['exchange']) {
    this.owner = owner;
    this.state = state;
    this.run = run;
  }

  get self(): PartyIndex {
    return this.owner.self;
  }

  get computationId(): string {
    return this.owner.computationId;
  }

  get stats(): ExchangeStats {
    return this.owner.stats;
  }

  get failed(): PgError | null {
    return this.owner.failed;
  }

  get id(): number {
    return this.state.id;
  }

  exchange(outgoing: ReadonlyMap<PartyIndex, Uint8Array>, expectFrom: readonly PartyIndex[], options?: RoundOptions): Promise<Map<PartyIndex, Uint8Array>> {
    return this.run(outgoing, expectFrom, options);
  }

  abort(reason: string): void {
    this.owner.abort(reason);
  }

  recycle(payload: Uint8Array): void {
    this.owner.recycle(payload);
  }
}

function violation(computationId: string, message: string): PgError {
  return new PgError(SqlState.protocolViolation, `computation ${computationId}: ${message}`);
}

function asPgError(error: unknown): PgError {
  if (error instanceof PgError) return error;
  return new PgError(SqlState.internalError, error instanceof Error ? error.message : String(error));
}

/** The parts of a message sent in several frames, as one payload. */
function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
