import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { assertComputationId, FrameKind, type Frame } from './frame.js';
import { Exchange, type ExchangeOptions } from './exchange.js';
import type { PartyIndex } from './party-index.js';
import type { Transport } from './transport.js';

const MAX_EARLY_BYTES = 256 * 1024 * 1024;
const MAX_REMEMBERED_FINISHED = 4096;

/**
 * A party's side of the party-to-party links, shared by all its computations: frames
 * are routed by computation id to that computation's Exchange. A peer may start a
 * computation before this party has opened it; its frames wait here (bounded), and
 * frames for a computation that is already finished are dropped.
 */
export class PartyEndpoint {
  readonly self: PartyIndex;
  private readonly transport: Transport;
  private readonly open = new Map<string, Exchange>();
  private readonly early = new Map<string, Frame[]>();
  private earlyBytes = 0;
  private readonly finished = new Set<string>();

  constructor(transport: Transport) {
    this.transport = transport;
    this.self = transport.self;
    transport.listen({
      frame: (frame) => this.route(frame),
      peerFailed: (peer, error) => {
        for (const exchange of [...this.open.values()]) exchange.peerFailed(peer, error);
      },
    });
  }

  /** Starts this party's side of computation `computationId`. */
  openComputation(computationId: string, options: ExchangeOptions = {}): Exchange {
    assertComputationId(computationId);
    if (this.open.has(computationId) || this.finished.has(computationId)) {
      throw new PgError(SqlState.duplicateObject, `computation ${computationId} was already started on party ${this.self}`);
    }
    const exchange = new Exchange(this.transport, computationId, options, () => this.finish(computationId, exchange));
    this.open.set(computationId, exchange);
    const waiting = this.early.get(computationId);
    if (waiting) {
      this.early.delete(computationId);
      for (const frame of waiting) {
        this.earlyBytes -= frame.payload.byteLength;
        exchange.deliver(frame);
      }
    }
    return exchange;
  }

  close(): Promise<void> {
    for (const exchange of [...this.open.values()]) exchange.abort('party endpoint closed');
    this.early.clear();
    this.earlyBytes = 0;
    return this.transport.close();
  }

  private route(frame: Frame): void {
    const exchange = this.open.get(frame.computationId);
    if (exchange) return exchange.deliver(frame);
    if (this.finished.has(frame.computationId)) return;
    if (frame.kind === FrameKind.abort && !this.early.has(frame.computationId)) {
      // Remember the abort so that opening the computation fails at once.
      this.early.set(frame.computationId, [frame]);
      return;
    }
    if (this.earlyBytes + frame.payload.byteLength > MAX_EARLY_BYTES) return;
    this.earlyBytes += frame.payload.byteLength;
    const list = this.early.get(frame.computationId);
    if (list) list.push(frame);
    else this.early.set(frame.computationId, [frame]);
  }

  private finish(computationId: string, exchange: Exchange): void {
    if (this.open.get(computationId) !== exchange) return;
    this.open.delete(computationId);
    this.finished.add(computationId);
    if (this.finished.size > MAX_REMEMBERED_FINISHED) {
      const oldest = this.finished.values().next().value as string;
      this.finished.delete(oldest);
    }
  }
}
