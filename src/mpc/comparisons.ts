import type { Party } from './party.js';
import { a2b, bitToA, carryOutPlusOne } from './conversions.js';
import { aShare, bShare, concatWords, shareLength, type AShare, type BShare } from './shares.js';

/**
 * Comparisons and selection on arithmetic shares of signed 64-bit values, correct on
 * the whole range (−2^63 … 2^63−1, no overflow assumptions). Results are boolean
 * shares with one result per word, in bit 0 (the other bits are 0); `bitToA` turns
 * them into 0/1 arithmetic shares. Each reveals nothing.
 */

const SIGN = 1n << 63n;

/** x < y (signed). A2B of x and y together (8 rounds) and a 64-bit comparator (7): 15 rounds. */
export async function lessThanA(party: Party, x: AShare, y: AShare): Promise<BShare> {
  const n = shareLength(x);
  const both = await a2b(party, aShare(concatWords(x.s0, y.s0), concatWords(x.s1, y.s1)));
  const xb = bShare(both.s0.subarray(0, n), both.s1.subarray(0, n));
  const yb = bShare(both.s0.subarray(n), both.s1.subarray(n));
  // Flipping the sign bit maps signed order to unsigned order; x − y = x + ~y + 1
  // carries out of bit 63 exactly when x ≥ y (unsigned).
  const a = party.xorConstB(xb, SIGN);
  const b = party.xorConstB(party.notB(yb), SIGN);
  const carry = await carryOutPlusOne(party, a, b);
  return party.andConstB(party.xorConstB(party.shrB(carry, 63), 1n), 1n);
}

/** x == y. A2B of x − y (8 rounds), then an AND tree over its 64 bits (6): 14 rounds. */
export async function equalA(party: Party, x: AShare, y: AShare): Promise<BShare> {
  let z = party.notB(await a2b(party, party.subA(x, y)));
  for (let k = 32; k >= 1; k /= 2) z = await party.andB(z, party.shrB(z, k));
  return party.andConstB(z, 1n);
}

/** cond ? x : y, with cond from a comparison (bit 0). B2A (2 rounds) and a product: 3 rounds. */
export async function muxA(party: Party, cond: BShare, x: AShare, y: AShare): Promise<AShare> {
  const c = await bitToA(party, cond);
  return party.addA(y, await party.mulA(c, party.subA(x, y)));
}

