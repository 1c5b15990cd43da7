import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, shareLength, wordBytes, type AShare, type BShare } from './shares.js';

/** The result of an operation in a batch, readable once the batch has run. */
export class Pending<T> {
  private result: { value: T } | null = null;

  get value(): T {
    if (this.result === null) throw new PgError(SqlState.internalError, 'a batched MPC result was read before its batch ran');
    return this.result.value;
  }

  /** @internal */
  settle(value: T): void {
    this.result = { value };
  }
}

/** One prepared operation: what it sends, what it expects back (in words), and how it ends. */
interface PreparedOp {
  readonly send: ReadonlyMap<PartyIndex, Words>;
  readonly expect: ReadonlyMap<PartyIndex, number>;
  finish(received: ReadonlyMap<PartyIndex, Words>): void;
}

/**
 * Many one-round operations, one communication round (the MP-SPDZ pattern: prepare
 * many, exchange once, finalize). Preparing does all local work and draws all the
 * correlated randomness, in call order, so the three parties stay in step; `run`
 * sends each peer one message holding every operation's words back to back (no
 * headers: both sides know every length), then finishes every operation.
 *
 * All three parties must add the same operations, with the same lengths, in the
 * same order. An empty batch costs no round.
 */
export class Batch {
  private readonly party: Party;
  private readonly ops: PreparedOp[] = [];
  private ran = false;

  constructor(party: Party) {
    this.party = party;
  }

  get size(): number {
    return this.ops.length;
  }

  /** x·y element-wise. Reveals nothing. */
  mulA(x: AShare, y: AShare): Pending<AShare> {
    const n = sameLength(x, y);
    const { self, kernels, randomness } = this.party;
    // t_i is a 3-out-of-3 share of x·y, masked by the zero-sharing; sending it to the
    // previous party turns it back into a replicated share.
    const t = kernels.mulLocalPair(x.s0, x.s1, y.s0, y.s1, randomness);
    return this.add(new Map([[prevParty(self), t]]), new Map([[nextParty(self), n]]), (r) => aShare(t, r.get(nextParty(self))!));
  }

  /** x AND y word-wise (64 ANDs per word). Reveals nothing. */
  andB(x: BShare, y: BShare): Pending<BShare> {
    const n = sameLength(x, y);
    const { self, kernels, randomness } = this.party;
    const t = kernels.andLocalPair(x.s0, x.s1, y.s0, y.s1, randomness);
    return this.add(new Map([[prevParty(self), t]]), new Map([[nextParty(self), n]]), (r) => bShare(t, r.get(nextParty(self))!));
  }

  /**
   * `owner` secret-shares `values` (null at the other parties); every party passes the
   * same `length`. Reveals the length, nothing else. The owner sends one vector to
   * each peer; the other two components come from pairwise PRG streams.
   */
  shareInputA(values: Words | null, owner: PartyIndex, length: number): Pending<AShare> {
    return this.shareInput(values, owner, length, 'A') as Pending<AShare>;
  }

  /** As shareInputA, with XOR sharing (for packed bits or values in boolean form). */
  shareInputB(values: Words | null, owner: PartyIndex, length: number): Pending<BShare> {
    return this.shareInput(values, owner, length, 'B') as Pending<BShare>;
  }

  /** Opens x to all three parties. Reveals x. */
  revealA(x: AShare): Pending<Words> {
    return this.reveal(x, null) as Pending<Words>;
  }

  revealB(x: BShare): Pending<Words> {
    return this.reveal(x, null) as Pending<Words>;
  }

  /** Opens x to party `to` only (null elsewhere). Reveals x to `to`, nothing to the others. */
  revealATo(x: AShare, to: PartyIndex): Pending<Words | null> {
    return this.reveal(x, to);
  }

  revealBTo(x: BShare, to: PartyIndex): Pending<Words | null> {
    return this.reveal(x, to);
  }

  /**
   * Probabilistic truncation x ↦ x / 2^bits for signed fixed-point values (SecureML's
   * share-wise truncation, made replicated as in ABY3 Π_trunc1). With |x| < 2^ℓ the
   * result is ⌊x/2^bits⌋ or that plus one (an error of at most one unit in the last
   * place) except with probability at most 2^(ℓ+1−64), when it is wrong by a large
   * amount: keep ℓ well under 64 (with 40-bit magnitudes, 2^−23 per element).
   * Party 1 sends one vector to party 2. Reveals nothing.
   */
  truncA(x: AShare, bits: number): Pending<AShare> {
    if (!Number.isInteger(bits) || bits < 0 || bits > 63) throw new PgError(SqlState.internalError, `truncation by ${bits} bits`);
    const n = shareLength(x);
    const { self, kernels, randomness } = this.party;
    // New components: t0 = c0 >> bits, t1 = r (from k1, held by parties 0 and 1),
    // t2 = −(−(c1+c2) >> bits) − r, computed by party 1 and sent to party 2.
    if (self === 0) {
      const t0 = kernels.shr(x.s0, bits);
      const r = randomness.component(1, n);
      return this.add(new Map(), new Map(), () => aShare(t0, r));
    }
    if (self === 1) {
      const r = randomness.component(1, n);
      const b = kernels.add(x.s0, x.s1);
      kernels.neg(b, b);
      kernels.shr(b, bits, b);
      kernels.neg(b, b);
      const t2 = kernels.sub(b, r, b);
      return this.add(new Map([[2, t2]]), new Map(), () => aShare(r, t2));
    }
    const t0 = kernels.shr(x.s1, bits);
    return this.add(new Map(), new Map([[1, n]]), (r) => aShare(r.get(1)!, t0));
  }

  /** Runs the round. Every Pending of this batch is readable afterwards. */
  async run(): Promise<void> {
    if (this.ran) throw new PgError(SqlState.internalError, 'an MPC batch ran twice');
    this.ran = true;
    if (this.ops.length === 0) return;
    const outgoing = new Map<PartyIndex, Uint8Array>();
    for (const peer of [nextParty(this.party.self), prevParty(this.party.self)]) {
      const parts = this.ops.filter((op) => op.send.has(peer)).map((op) => op.send.get(peer)!);
      if (this.ops.some((op) => op.send.has(peer))) outgoing.set(peer, concatBytes(parts));
    }
    const expectedWords = new Map<PartyIndex, number>();
    for (const op of this.ops) for (const [peer, n] of op.expect) expectedWords.set(peer, (expectedWords.get(peer) ?? 0) + n);
    const received = await this.party.exchange.exchange(outgoing, [...expectedWords.keys()]);
    const words = new Map<PartyIndex, Words>();
    for (const [peer, n] of expectedWords) words.set(peer, this.party.wordsFrom(received, peer, n, 'a batch round'));
    const offsets = new Map<PartyIndex, number>();
    for (const op of this.ops) {
      const mine = new Map<PartyIndex, Words>();
      for (const [peer, n] of op.expect) {
        const at = offsets.get(peer) ?? 0;
        mine.set(peer, words.get(peer)!.subarray(at, at + n));
        offsets.set(peer, at + n);
      }
      op.finish(mine);
    }
  }

  private add<T>(send: Map<PartyIndex, Words>, expect: Map<PartyIndex, number>, finish: (received: ReadonlyMap<PartyIndex, Words>) => T): Pending<T> {
    if (this.ran) throw new PgError(SqlState.internalError, 'an operation was added to an MPC batch that already ran');
    const pending = new Pending<T>();
    this.ops.push({ send, expect, finish: (r) => pending.settle(finish(r)) });
    return pending;
  }

  private shareInput(values: Words | null, owner: PartyIndex, length: number, kind: 'A' | 'B'): Pending<AShare | BShare> {
    const { self, kernels, randomness } = this.party;
    if (!Number.isSafeInteger(length) || length < 0) throw new PgError(SqlState.internalError, `input length ${length}`);
    const make = kind === 'A' ? aShare : bShare;
    if (self === owner) {
      if (values === null || values.length !== length) {
        throw new PgError(SqlState.internalError, `party ${self} owns an input of ${length} values but holds ${values?.length ?? 'none'}`);
      }
      const own = randomness.component(self, length);
      const next = randomness.component(nextParty(self), length);
      // The third component is what makes the sum the input; it goes to both peers,
      // each of which misses one of the two PRG components, so it looks uniform to each.
      const third = kind === 'A' ? kernels.sub(kernels.sub(values, own), next) : kernels.xor(kernels.xor(values, own), next);
      return this.add(new Map([[prevParty(self), third], [nextParty(self), third]]), new Map(), () => make(own, next));
    }
    if (self === prevParty(owner)) {
      const ownerComponent = randomness.component(owner, length);
      return this.add(new Map(), new Map([[owner, length]]), (r) => make(r.get(owner)!, ownerComponent));
    }
    const mine = randomness.component(self, length);
    return this.add(new Map(), new Map([[owner, length]]), (r) => make(mine, r.get(owner)!));
  }

  private reveal(x: AShare | BShare, to: PartyIndex | null): Pending<Words | null> {
    const { self, kernels } = this.party;
    const n = shareLength(x);
    // Party i lacks component i+2, which is party i+2's (= i−1's) first component.
    const combine = (missing: Words): Words =>
      x.kind === 'A' ? kernels.add(kernels.add(x.s0, x.s1), missing) : kernels.xor(kernels.xor(x.s0, x.s1), missing);
    if (to === null) {
      return this.add(new Map([[nextParty(self), x.s0]]), new Map([[prevParty(self), n]]), (r) => combine(r.get(prevParty(self))!));
    }
    if (self === to) return this.add(new Map(), new Map([[prevParty(self), n]]), (r) => combine(r.get(prevParty(self))!));
    if (self === prevParty(to)) return this.add(new Map([[to, x.s0]]), new Map(), () => null);
    return this.add(new Map(), new Map(), () => null);
  }
}

function sameLength(x: AShare | BShare, y: AShare | BShare): number {
  const n = shareLength(x);
  if (shareLength(y) !== n) throw new PgError(SqlState.internalError, `MPC operands differ in length (${n} and ${shareLength(y)})`);
  return n;
}

function concatBytes(parts: Words[]): Uint8Array {
  if (parts.length === 1) {
    return wordBytes(parts[0]!);
  }
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new BigUint64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return new Uint8Array(out.buffer);
}
