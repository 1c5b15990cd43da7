import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, shareLength, wordBytes, type AShare, type BShare } from './shares.js';

/**
 * Conversions between arithmetic and boolean sharings, built from Party's one-round
 * operations only (ABY3 §5.3). Round counts are exact and the same at every party.
 */

/**
 * Component j of x's arithmetic sharing, as a sharing of its own: value c_j in slot j
 * and zero in the others. Local: the two holders of c_j already know it, so nothing
 * new is learnt, and the protocols that consume these re-randomise their outputs.
 */
function componentShares<T extends AShare | BShare>(party: Party, x: T, make: (s0: Words, s1: Words) => T): [T, T, T] {
  const n = shareLength(x);
  const zero = new BigUint64Array(n);
  const out = ([0, 1, 2] as PartyIndex[]).map((j) =>
    make(j === party.self ? x.s0 : zero, j === nextParty(party.self) ? x.s1 : zero),
  );
  return out as [T, T, T];
}

/**
 * A2B: x over Z_2^64 to the same value in boolean form (64 bits per word), with a
 * carry-save adder (c0+c1+c2 → sum, carry; one round) and a Kogge–Stone parallel
 * prefix adder (one round for generate, then log2(64) = 6 rounds). 8 rounds,
 * 14 word-ANDs per element. Reveals nothing.
 */
export async function a2b(party: Party, x: AShare): Promise<BShare> {
  const [v0, v1, v2] = componentShares(party, bShare(x.s0, x.s1), bShare);
  return add3B(party, v0, v1, v2);
}

/** v0 + v1 + v2 mod 2^64 on boolean shares: a carry-save step (one round) and the Kogge–Stone prefix (7). */
async function add3B(party: Party, v0: BShare, v1: BShare, v2: BShare): Promise<BShare> {
  // Full adder on all 64 bit positions at once: sum = v0^v1^v2, carry = maj(v0,v1,v2).
  const sum = party.xorB(party.xorB(v0, v1), v2);
  const majority = party.xorB(await party.andB(party.xorB(v0, v2), party.xorB(v1, v2)), v2);
  const carry = party.shlB(majority, 1);
  return party.xorB(party.xorB(sum, carry), party.shlB(await prefixCarry(party, sum, carry, false), 1));
}

/**
 * B2A of whole words (ABY3 §5.3): the arithmetic components a1 and a2 are drawn from the
 * pair streams of parties 0–1 and 1–2; y = x − a1 − a2 is computed on boolean shares
 * (−a1 and −a2 are known to two parties each, so they are boolean sharings of their own
 * in one slot) with the adder of a2b, and opened to parties 0 and 2 only, who hold
 * component a0 = y: party 1 sends each the slot it lacks. To party 0, y is masked by a2,
 * which it does not know; to party 2 by a1. 9 rounds, about 14 word-ANDs per value.
 * Reveals nothing.
 */
export async function b2a(party: Party, x: BShare): Promise<AShare> {
  const n = shareLength(x);
  const { kernels, randomness, self } = party;
  const zero = new BigUint64Array(n);
  const a1 = self === 0 || self === 1 ? randomness.component(1, n) : zero;
  const a2 = self === 1 || self === 2 ? randomness.component(2, n) : zero;
  // −a1 in slot 1 (parties 0 and 1 hold it), −a2 in slot 2 (parties 1 and 2).
  const slots = (slot: 1 | 2, value: Words): BShare => bShare(self === slot ? value : zero, nextParty(self) === slot ? value : zero);
  const y = await add3B(party, x, slots(1, kernels.neg(a1)), slots(2, kernels.neg(a2)));
  const sends = self === 1 ? new Map<PartyIndex, Uint8Array>([[0, wordBytes(y.s1)], [2, wordBytes(y.s0)]]) : new Map<PartyIndex, Uint8Array>();
  const received = await party.exchange.exchange(sends, self === 1 ? [] : [1]);
  if (self === 1) return aShare(a1, a2);
  const a0 = kernels.xor(kernels.xor(y.s0, y.s1), party.wordsFrom(received, 1, n, 'a word conversion'));
  return self === 0 ? aShare(a0, a1) : aShare(a2, a0);
}

/**
 * Kogge–Stone prefix: bit i of the result is the carry out of bit positions 0..i of
 * a + b (the group generate G[i:0]). With `withPropagate`, also returns the group
 * propagate P[i:0]. Group generate and propagate are never both 1, which makes the
 * usual OR an XOR and keeps every level at one round of ANDs.
 */
async function prefixCarry(party: Party, a: BShare, b: BShare, withPropagate: false): Promise<BShare>;
async function prefixCarry(party: Party, a: BShare, b: BShare, withPropagate: true): Promise<[BShare, BShare]>;
async function prefixCarry(party: Party, a: BShare, b: BShare, withPropagate: boolean): Promise<BShare | [BShare, BShare]> {
  let g = await party.andB(a, b);
  let p = party.xorB(a, b);
  for (let k = 1; k < 64; k *= 2) {
    const batch = party.batch();
    const gNext = batch.andB(p, party.shlB(g, k));
    const last = k === 32;
    // Positions below k have nothing to combine with: shifting in ones for P keeps them.
    const pNext = !last || withPropagate ? batch.andB(p, party.xorConstB(party.shlB(p, k), (1n << BigInt(k)) - 1n)) : null;
    await batch.run();
    g = party.xorB(g, gNext.value);
    if (pNext) p = pNext.value;
  }
  return withPropagate ? [g, p] : g;
}

/** Carry out of a + b + 1 at bit 63 (i.e. a + b + 1 ≥ 2^64), in bit 63. 7 rounds. */
export async function carryOutPlusOne(party: Party, a: BShare, b: BShare): Promise<BShare> {
  const [g, p] = await prefixCarry(party, a, b, true);
  // With carry-in 1: carry out = G | P, and G, P are exclusive.
  return party.xorB(g, p);
}

/**
 * B2A of single bits: bit 0 of every word of x (the rest ignored) to 0 or 1 over
 * Z_2^64, in two rounds and one word per value sent by each party (two products would
 * take two words). The values are split in three; in the third where party h is the
 * holder, h knows c = b_h ⊕ b_{h+1} and parties A = h+1 and B = h+2 know b = b_{h+2},
 * so the bit is b + c·(1 − 2b): h splits c = c_A + c_B with c_A from its pair stream
 * with A and sends c_B to B (round 1); A and B then hold c·d (d = 1 − 2b) as
 * c_A·d + c_B·d and turn it into replicated components: h's two, w_h and w_{h+1}, come
 * from its pair streams with B and with A, and A and B swap c_A·d − w_{h+1} and
 * c_B·d − w_h, whose sum is the third (round 2). Each message is masked by a stream
 * word its receiver lacks. Reveals nothing.
 */
export async function bitToA(party: Party, x: BShare): Promise<AShare> {
  const n = shareLength(x);
  const { kernels, randomness, self } = party;
  const s0 = new BigUint64Array(n);
  const s1 = new BigUint64Array(n);
  const bounds = (h: number): [number, number] => [Math.floor((h * n) / 3), Math.floor(((h + 1) * n) / 3)];
  const bit = (w: Words, lo: number, hi: number): Words => kernels.andConst(w.subarray(lo, hi), 1n);
  // d = 1 − 2b and the stream words, third by third in the same order at every party.
  let sendToPrev: Words = new BigUint64Array(0); // c_B of the third this party holds (h = self), for B = the party before it
  let asA: { lo: number; hi: number; term: Words; wNext: Words; b: Words } | null = null;
  let asB: { lo: number; hi: number; d: Words; wh: Words; b: Words } | null = null;
  for (const h of [0, 1, 2] as PartyIndex[]) {
    const [lo, hi] = bounds(h);
    const m = hi - lo;
    const a = nextParty(h);
    if (self === h) {
      const c = bit(kernels.xor(x.s0.subarray(lo, hi), x.s1.subarray(lo, hi)), 0, m);
      const cA = randomness.component(a, m);
      const wNext = randomness.component(a, m);
      const wOwn = randomness.component(h, m);
      sendToPrev = kernels.sub(c, cA);
      s0.set(wOwn, lo);
      s1.set(wNext, lo);
    } else if (self === a) {
      const b = bit(x.s1, lo, hi);
      const cA = randomness.component(a, m);
      const wNext = randomness.component(a, m);
      const d = kernels.addConst(kernels.mulConst(b, -2n), 1n);
      asA = { lo, hi, term: kernels.sub(kernels.mul(cA, d), wNext), wNext, b };
    } else {
      const b = bit(x.s0, lo, hi);
      const wh = randomness.component(h, m);
      asB = { lo, hi, d: kernels.addConst(kernels.mulConst(b, -2n), 1n), wh, b };
    }
  }
  const prev = prevParty(self);
  const next = nextParty(self);
  const words = (received: Map<PartyIndex, Uint8Array>, from: PartyIndex, length: number): Words => party.wordsFrom(received, from, length, 'a bit conversion');
  // Round 1: each party, as holder, sends c_B to the party before it (B = h + 2 = h − 1), and receives its own c_B from the next.
  const first = await party.exchange.exchange(new Map([[prev, wordBytes(sendToPrev)]]), [next]);
  const B = asB!;
  const A = asA!;
  const termB = kernels.sub(kernels.mul(words(first, next, B.hi - B.lo), B.d), B.wh);
  // Round 2: as A, to B = the next party; as B, to A = the previous one.
  const second = await party.exchange.exchange(new Map([[next, wordBytes(A.term)], [prev, wordBytes(termB)]]), [next, prev]);
  // A: (w_{h+1}, w_{h+2} + b); B: (w_{h+2} + b, w_h), with w_{h+2} the sum of the two swapped terms.
  s0.set(A.wNext, A.lo);
  s1.set(kernels.add(kernels.add(A.term, words(second, next, A.hi - A.lo)), A.b), A.lo);
  s0.set(kernels.add(kernels.add(termB, words(second, prev, B.hi - B.lo)), B.b), B.lo);
  s1.set(B.wh, B.lo);
  return aShare(s0, s1);
}
