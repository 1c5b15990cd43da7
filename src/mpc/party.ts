import type { Exchange } from '../net/exchange.js';
import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { Batch } from './batch.js';
import { CorrelatedRandomness } from './correlated-randomness.js';
import { AesCtrPrg, PRG_KEY_BYTES } from './prg.js';
import { RingKernels, type Words } from './ring-kernels.js';
import { packBits, packedWords, unpackBits } from './encoding.js';
import { aShare, bShare, bytesAsWords, shareLength, type AShare, type BShare, type NullableAShare } from './shares.js';

/**
 * One compute party's context for one computation: its index, its share of the
 * pairwise PRG keys, its kernels and its exchange. The MPC program is written once and
 * run by all three parties (SPMD): every party calls the same methods, with the same
 * lengths, in the same order, awaiting each round before the next.
 *
 * Shares are immutable: every operation returns new arrays (an operation's output
 * may share a buffer with a message a peer received in-process).
 *
 * Costs: local operations need no communication; every async method is exactly one
 * round (`exchange.stats.rounds` counts them) unless its comment says otherwise.
 * "Reveals" in each comment lists everything any party learns beyond its own inputs.
 */
export class Party {
  readonly self: PartyIndex;
  readonly exchange: Exchange;
  readonly kernels: RingKernels;
  readonly randomness: CorrelatedRandomness;

  private constructor(exchange: Exchange, kernels: RingKernels, randomness: CorrelatedRandomness) {
    this.self = exchange.self;
    this.exchange = exchange;
    this.kernels = kernels;
    this.randomness = randomness;
  }

  /**
   * Sets up correlated randomness: party i draws a fresh AES key k_i and sends it to
   * party i−1 (the channel is the confidential mutual-TLS link). One round, 16 bytes.
   */
  static async setup(exchange: Exchange, kernels: RingKernels = new RingKernels()): Promise<Party> {
    const self = exchange.self;
    const own = AesCtrPrg.randomKey();
    const received = await exchange.exchange(new Map([[prevParty(self), own]]), [nextParty(self)]);
    const next = received.get(nextParty(self))!;
    if (next.byteLength !== PRG_KEY_BYTES) {
      const error = new PgError(SqlState.protocolViolation, `party ${nextParty(self)} sent a PRG key of ${next.byteLength} bytes`);
      exchange.abort(error.message);
      throw error;
    }
    return new Party(exchange, kernels, new CorrelatedRandomness(self, own, next.slice(), kernels));
  }

  /** A batch of one-round operations sharing one round. */
  batch(): Batch {
    return new Batch(this);
  }

  // ---- rounds (each exactly one) -------------------------------------------------

  /** See Batch.shareInputA. Reveals the length. */
  async shareInputA(values: Words | null, owner: PartyIndex, length: number): Promise<AShare> {
    return this.one((b) => b.shareInputA(values, owner, length));
  }

  /** See Batch.shareInputB. Reveals the length. */
  async shareInputB(values: Words | null, owner: PartyIndex, length: number): Promise<BShare> {
    return this.one((b) => b.shareInputB(values, owner, length));
  }

  /**
   * `owner` shares a column with NULLs: `isNull[i]` non-zero marks a NULL (its value is
   * replaced by 0 before sharing). Value and packed NULL flag travel in one round.
   * Reveals the length.
   */
  async shareNullableInputA(values: Words | null, isNull: ArrayLike<number | boolean> | null, owner: PartyIndex, length: number): Promise<NullableAShare> {
    let cleaned: Words | null = null;
    let flags: Words | null = null;
    if (this.self === owner) {
      if (values === null || isNull === null || isNull.length !== length) {
        throw new PgError(SqlState.internalError, `party ${owner} owns a nullable input of ${length} values without matching NULL flags`);
      }
      cleaned = values.slice();
      for (let i = 0; i < length; i++) if (isNull[i]) cleaned[i] = 0n;
      flags = packBits(isNull);
    }
    const batch = this.batch();
    const value = batch.shareInputA(cleaned, owner, length);
    const flag = batch.shareInputB(flags, owner, packedWords(length));
    await batch.run();
    return { value: value.value, isNull: flag.value };
  }

  /** Opens a nullable column to everyone: values (0 where NULL) and one 0/1 per element. Reveals both. */
  async revealNullableA(x: NullableAShare): Promise<{ values: Words; isNull: Uint8Array }> {
    const batch = this.batch();
    const values = batch.revealA(x.value);
    const flags = batch.revealB(x.isNull);
    await batch.run();
    return { values: values.value, isNull: unpackBits(flags.value, values.value.length) };
  }

  /** Opens x to everyone. Reveals x. */
  async revealA(x: AShare): Promise<Words> {
    return this.one((b) => b.revealA(x));
  }

  /** Opens x to everyone. Reveals x. */
  async revealB(x: BShare): Promise<Words> {
    return this.one((b) => b.revealB(x));
  }

  /** Opens x to `to` only; null at the others. Reveals x to `to`. */
  async revealATo(x: AShare, to: PartyIndex): Promise<Words | null> {
    return this.one((b) => b.revealATo(x, to));
  }

  /** Opens x to `to` only; null at the others. Reveals x to `to`. */
  async revealBTo(x: BShare, to: PartyIndex): Promise<Words | null> {
    return this.one((b) => b.revealBTo(x, to));
  }

  /** x·y mod 2^64, element-wise. Reveals nothing. */
  async mulA(x: AShare, y: AShare): Promise<AShare> {
    return this.one((b) => b.mulA(x, y));
  }

  /** x AND y, word-wise. Reveals nothing. */
  async andB(x: BShare, y: BShare): Promise<BShare> {
    return this.one((b) => b.andB(x, y));
  }

  /** x OR y = x ⊕ y ⊕ (x ∧ y). One round. Reveals nothing. */
  async orB(x: BShare, y: BShare): Promise<BShare> {
    const both = await this.andB(x, y);
    return this.xorB(this.xorB(x, y), both);
  }

  /** Probabilistic truncation by `bits`; see Batch.truncA for the error. Reveals nothing. */
  async truncA(x: AShare, bits: number): Promise<AShare> {
    return this.one((b) => b.truncA(x, bits));
  }

  /**
   * Fixed-point product: (x·y) / 2^fractionBits, two rounds (multiply, truncate).
   * Same error as truncA, with ℓ the bit size of the product before truncation.
   */
  async mulFixedA(x: AShare, y: AShare, fractionBits: number): Promise<AShare> {
    return this.truncA(await this.mulA(x, y), fractionBits);
  }

  /** Every party learns `owner`'s length. One round; for when the planner does not know it. */
  async announceLength(length: number | null, owner: PartyIndex): Promise<number> {
    const words = this.self === owner ? BigUint64Array.of(BigInt(length ?? -1)) : null;
    if (this.self === owner && (length === null || !Number.isSafeInteger(length) || length < 0)) {
      throw new PgError(SqlState.internalError, `party ${owner} announces an invalid length ${length}`);
    }
    const sends = new Map<PartyIndex, Uint8Array>();
    if (words) for (const peer of [nextParty(owner), prevParty(owner)]) sends.set(peer, new Uint8Array(words.slice().buffer));
    const received = await this.exchange.exchange(sends, this.self === owner ? [] : [owner]);
    if (this.self === owner) return length!;
    const bytes = received.get(owner)!;
    if (bytes.byteLength !== 8) {
      const error = new PgError(SqlState.protocolViolation, `party ${owner} announced a length in ${bytes.byteLength} bytes`);
      this.exchange.abort(error.message);
      throw error;
    }
    const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      const error = new PgError(SqlState.protocolViolation, `party ${owner} announced an impossible length`);
      this.exchange.abort(error.message);
      throw error;
    }
    return Number(value);
  }

  /**
   * The `length` words a round brought from `from`, as a word view (copied when the bytes
   * are not 8-aligned); any other length aborts the computation with 08P01, naming `what`.
   */
  wordsFrom(received: ReadonlyMap<PartyIndex, Uint8Array>, from: PartyIndex, length: number, what: string): Words {
    const bytes = received.get(from)!;
    if (bytes.byteLength !== length * 8) {
      const error = new PgError(SqlState.protocolViolation, `party ${from} sent ${bytes.byteLength} bytes of ${what} where ${length * 8} were due`);
      this.exchange.abort(error.message);
      throw error;
    }
    return bytesAsWords(bytes);
  }

  // ---- local operations (no communication, reveal nothing) ------------------------

  /** The sharing of a public vector: component 0 is the value, the others are zero. */
  constantA(values: Words): AShare {
    const zero = new BigUint64Array(values.length);
    if (this.self === 0) return aShare(values.slice(), zero);
    if (this.self === 2) return aShare(zero, values.slice());
    return aShare(zero, new BigUint64Array(values.length));
  }

  constantB(values: Words): BShare {
    const a = this.constantA(values);
    return bShare(a.s0, a.s1);
  }

  addA(x: AShare, y: AShare): AShare {
    return aShare(this.kernels.add(x.s0, y.s0), this.kernels.add(x.s1, y.s1));
  }

  subA(x: AShare, y: AShare): AShare {
    return aShare(this.kernels.sub(x.s0, y.s0), this.kernels.sub(x.s1, y.s1));
  }

  negA(x: AShare): AShare {
    return aShare(this.kernels.neg(x.s0), this.kernels.neg(x.s1));
  }

  /** x + c for a public c (one constant, or one per element). */
  addConstA(x: AShare, c: bigint | Words): AShare {
    // Only component 0 absorbs the constant; it is held by parties 0 (first) and 2 (second).
    const plus = (v: Words): Words => (typeof c === 'bigint' ? this.kernels.addConst(v, c) : this.kernels.add(v, c));
    if (this.self === 0) return aShare(plus(x.s0), x.s1);
    if (this.self === 2) return aShare(x.s0, plus(x.s1));
    return x;
  }

  /** c·x for a public c (one constant, or one per element). */
  mulConstA(x: AShare, c: bigint | Words): AShare {
    const times = (v: Words): Words => (typeof c === 'bigint' ? this.kernels.mulConst(v, c) : this.kernels.mul(v, c));
    return aShare(times(x.s0), times(x.s1));
  }

  xorB(x: BShare, y: BShare): BShare {
    return bShare(this.kernels.xor(x.s0, y.s0), this.kernels.xor(x.s1, y.s1));
  }

  /** x ⊕ c for a public c. */
  xorConstB(x: BShare, c: bigint | Words): BShare {
    const plus = (v: Words): Words => (typeof c === 'bigint' ? this.kernels.xorConst(v, c) : this.kernels.xor(v, c));
    if (this.self === 0) return bShare(plus(x.s0), x.s1);
    if (this.self === 2) return bShare(x.s0, plus(x.s1));
    return x;
  }

  /** NOT x (all 64 bits of every word). */
  notB(x: BShare): BShare {
    return this.xorConstB(x, 0xffff_ffff_ffff_ffffn);
  }

  /** x AND c for a public c. */
  andConstB(x: BShare, c: bigint | Words): BShare {
    const and = (v: Words): Words => (typeof c === 'bigint' ? this.kernels.andConst(v, c) : this.kernels.and(v, c));
    return bShare(and(x.s0), and(x.s1));
  }

  /** Every word shifted left by k bits (0..63). */
  shlB(x: BShare, k: number): BShare {
    return bShare(this.kernels.shl(x.s0, k), this.kernels.shl(x.s1, k));
  }

  /** Every word shifted right (logically) by k bits (0..63). */
  shrB(x: BShare, k: number): BShare {
    return bShare(this.kernels.shr(x.s0, k), this.kernels.shr(x.s1, k));
  }

  length(x: AShare | BShare): number {
    return shareLength(x);
  }

  private async one<T>(op: (batch: Batch) => { readonly value: T }): Promise<T> {
    const batch = this.batch();
    const pending = op(batch);
    await batch.run();
    return pending.value;
  }
}
