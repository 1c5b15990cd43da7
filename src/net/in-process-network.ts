import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Frame } from './frame.js';
import { PARTY_INDICES, type PartyIndex } from './party-index.js';
import type { Transport, TransportListener } from './transport.js';

/**
 * Three parties in one process: frames are handed over by reference on the microtask
 * queue (no copy, no serialisation). For unit tests and the in-process runner, with
 * two fault injections that mimic a dead process (`kill`: peers see the link break)
 * and a stopped one (`stall`: frames to and from it silently vanish).
 */
export class InProcessNetwork {
  readonly transports: readonly [Transport, Transport, Transport];
  private readonly listeners: (TransportListener | null)[] = [null, null, null];
  private readonly pending: Frame[][][] = [[[], [], []], [[], [], []], [[], [], []]];
  private readonly dead = new Set<PartyIndex>();
  private readonly stalled = new Set<PartyIndex>();

  constructor() {
    this.transports = [this.transport(0), this.transport(1), this.transport(2)];
  }

  /**
   * Party `p` dies: its links break and its peers are told at once. In one process
   * `p`'s own code keeps running, so it is told too (as if its links had reset),
   * which stands in for the process being gone.
   */
  kill(p: PartyIndex): void {
    if (this.dead.has(p)) return;
    this.dead.add(p);
    for (const q of PARTY_INDICES) {
      if (q === p) continue;
      const error = new PgError(SqlState.connectionFailure, `link to party ${p} broke`);
      queueMicrotask(() => this.listeners[q]?.peerFailed(p, error));
      const own = new PgError(SqlState.connectionFailure, `link to party ${q} broke`);
      queueMicrotask(() => this.listeners[p]?.peerFailed(q, own));
    }
  }

  /** Party `p` stops answering: nothing it sends arrives, nothing sent to it arrives. */
  stall(p: PartyIndex): void {
    this.stalled.add(p);
  }

  private transport(self: PartyIndex): Transport {
    return {
      self,
      doneWithPayloadOnSend: false,
      send: (to, frame) => {
        if (to === self) return Promise.reject(new PgError(SqlState.internalError, `party ${self} sent a frame to itself`));
        if (this.dead.has(self) || this.dead.has(to)) {
          return Promise.reject(new PgError(SqlState.connectionFailure, `link from party ${self} to party ${to} is down`));
        }
        if (this.stalled.has(self) || this.stalled.has(to)) return Promise.resolve();
        const listener = this.listeners[to];
        if (listener === null) {
          // Not listening yet: keep it, as a socket buffer would.
          this.pending[to]![self]!.push(frame);
        } else {
          queueMicrotask(() => listener.frame(frame));
        }
        return Promise.resolve();
      },
      listen: (listener) => {
        this.listeners[self] = listener;
        for (const from of PARTY_INDICES) {
          const queued = this.pending[self]![from]!.splice(0);
          for (const frame of queued) queueMicrotask(() => listener.frame(frame));
        }
      },
      close: () => {
        this.listeners[self] = null;
        return Promise.resolve();
      },
    };
  }
}
