import type { Party } from './party.js';
import { bitToA } from './conversions.js';
import { equalSliced, lessThanSliced } from './sliced.js';
import type { AShare, BShare } from './shares.js';

/**
 * Comparisons and selection on arithmetic shares of signed 64-bit values, correct on
 * the whole range (−2^63 … 2^63−1, no overflow assumptions). Results are boolean
 * shares with one result per word, in bit 0 (the other bits are 0); `bitToA` turns
 * them into 0/1 arithmetic shares. Each reveals nothing.
 */

/**
 * x < y (signed): bit extraction of the signs of x, y and x − y on bit-sliced data
 * (sliced.ts), 9 rounds per chunk of 2^18 values, about 76 bytes per value sent by
 * each party.
 */
export async function lessThanA(party: Party, x: AShare, y: AShare): Promise<BShare> {
  return lessThanSliced(party, x, y);
}

/** x == y: an AND tree over the bits of x − y on bit-sliced data (sliced.ts), 7 rounds per chunk, about 11 bytes per value. */
export async function equalA(party: Party, x: AShare, y: AShare): Promise<BShare> {
  return equalSliced(party, x, y);
}

/** cond ? x : y, with cond from a comparison (bit 0). B2A (2 rounds) and a product: 3 rounds. */
export async function muxA(party: Party, cond: BShare, x: AShare, y: AShare): Promise<AShare> {
  const c = await bitToA(party, cond);
  return party.addA(y, await party.mulA(c, party.subA(x, y)));
}

