import { nextParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { AesCtrPrg } from './prg.js';
import type { PairSource, RingKernels, Words } from './ring-kernels.js';

/**
 * Correlated randomness without communication (Araki et al. 2016, §2.2). There are
 * three keys k0, k1, k2; key k_j is known to parties j and j−1, so party i holds
 * k_i ("own", shared with party i−1) and k_{i+1} ("next", shared with party i+1).
 * F(k) is the AES-CTR stream of k.
 *
 * - Zero-sharing: party i takes α_i = F(k_i) − F(k_{i+1}); the sum telescopes to 0,
 *   and each α_i alone is uniform to its holder's peers.
 * - Random sharing: r_j = F(k_j) is known to exactly parties j and j−1, which is
 *   exactly who holds component j of a replicated sharing; so (F(k_i), F(k_{i+1})) is
 *   party i's share of a uniform r that no party knows.
 *
 * Each stream is drawn by its two holders in the same order; every method below draws
 * the same number of words from the same streams at every party.
 */
export class CorrelatedRandomness implements PairSource {
  readonly self: PartyIndex;
  private readonly own: AesCtrPrg;
  private readonly next: AesCtrPrg;
  private readonly kernels: RingKernels;

  constructor(self: PartyIndex, ownKey: Uint8Array, nextKey: Uint8Array, kernels: RingKernels) {
    this.self = self;
    this.own = new AesCtrPrg(ownKey);
    this.next = new AesCtrPrg(nextKey);
    this.kernels = kernels;
  }

  /** This party's α_i of an additive zero-sharing over Z_2^64 (α_0+α_1+α_2 = 0). */
  zeroShareA(n: number): Words {
    const a = this.own.words(n);
    return this.kernels.sub(a, this.next.words(n), a);
  }

  /** This party's α_i of an XOR zero-sharing (α_0^α_1^α_2 = 0). */
  zeroShareB(n: number): Words {
    const a = this.own.words(n);
    return this.kernels.xor(a, this.next.words(n), a);
  }

  /**
   * As zeroShareB, written into `out`: F(k_i) ⊕ F(k_{i+1}), drawing out.length words
   * from each stream (as fillComponent of both would).
   */
  fillZeroShareB(out: Words): void {
    this.own.fillXor(out, this.next);
  }

  /** Component `component` of a fresh random sharing: drawn only by its two holders. */
  component(component: PartyIndex, n: number): Words {
    if (component === this.self) return this.own.words(n);
    if (component === nextParty(this.self)) return this.next.words(n);
    throw new PgError(SqlState.internalError, `party ${this.self} does not hold random component ${component}`);
  }

  /** As `component`, written into `out` (for instance a view on kernel memory). */
  fillComponent(component: PartyIndex, out: Words): void {
    if (component === this.self) return this.own.fill(out);
    if (component === nextParty(this.self)) return this.next.fill(out);
    throw new PgError(SqlState.internalError, `party ${this.self} does not hold random component ${component}`);
  }

  /**
   * The next words of both streams, `own.length` from F(k_i) and `next.length` from
   * F(k_{i+1}): own − next (or own ⊕ next) is this party's part of a zero-sharing, so
   * kernels can form it chunk by chunk (RingKernels.mulLocalPair).
   */
  fillPair(own: Words, next: Words): void {
    this.own.fill(own);
    this.next.fill(next);
  }

  /**
   * Independent streams for work that runs beside this one (a lane of rounds in flight
   * together): new keys k'_i = F(k_i) drawn from both streams, so k'_j is again known to
   * exactly parties j and j−1. Each fork draws 16 bytes from each stream, so all parties
   * must fork at the same point of the program; what the fork draws afterwards does not
   * depend on when, relative to this stream's other draws, it is drawn.
   */
  fork(): CorrelatedRandomness {
    const own = new Uint8Array(16);
    const next = new Uint8Array(16);
    this.own.fill(new BigUint64Array(own.buffer));
    this.next.fill(new BigUint64Array(next.buffer));
    return new CorrelatedRandomness(this.self, own, next, this.kernels);
  }

  /** This party's pair (r_i, r_{i+1}) of a uniform random value r = r_0+r_1+r_2. */
  randomPair(n: number): [Words, Words] {
    return [this.own.words(n), this.next.words(n)];
  }
}
