import { nextParty, type PartyIndex } from '../net/party-index.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, shareLength, type AShare, type BShare } from './shares.js';

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
  // Full adder on all 64 bit positions at once: sum = v0^v1^v2, carry = maj(v0,v1,v2).
  const sum = party.xorB(party.xorB(v0, v1), v2);
  const majority = party.xorB(await party.andB(party.xorB(v0, v2), party.xorB(v1, v2)), v2);
  const carry = party.shlB(majority, 1);
  return party.xorB(party.xorB(sum, carry), party.shlB(await prefixCarry(party, sum, carry, false), 1));
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
 * Z_2^64, as b0 ⊕ b1 ⊕ b2 with u ⊕ v = u + v − 2uv: two multiplication rounds.
 * Reveals nothing.
 */
export async function bitToA(party: Party, x: BShare): Promise<AShare> {
  const low = party.andConstB(x, 1n);
  const [b0, b1, b2] = componentShares(party, aShare(low.s0, low.s1), aShare);
  const xorA = async (u: AShare, v: AShare): Promise<AShare> => party.subA(party.addA(u, v), party.mulConstA(await party.mulA(u, v), 2n));
  return xorA(await xorA(b0, b1), b2);
}
