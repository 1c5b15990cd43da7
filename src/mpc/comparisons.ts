import type { Party } from './party.js';
import { bitToA } from './conversions.js';
import { equalSliced, equalSlicedB, lessThanSliced, type SlicedOptions } from './sliced.js';
import { shareLength, type AShare, type BShare } from './shares.js';

/**
 * Comparisons and selection on arithmetic shares of signed 64-bit values, correct on
 * the whole range (−2^63 … 2^63−1, no overflow assumptions) unless the caller vouches
 * for a narrower one (`bits`, e.g. from an int4 or date column's type), which makes
 * them several times cheaper (sliced.ts). Results are boolean
 * shares with one result per word, in bit 0 (the other bits are 0); `bitToA` turns
 * them into 0/1 arithmetic shares. Each reveals nothing.
 */

/**
 * x < y (signed): bit extraction of the signs of x, y and x − y on bit-sliced data
 * (sliced.ts), 9 rounds per chunk of 2^18 values, about 76 bytes per value sent by
 * each party; with operands in a `bits`-bit range, the sign of x − y alone (bits = 32:
 * 7 rounds, ~13 bytes).
 */
export async function lessThanA(party: Party, x: AShare, y: AShare, range: Pick<SlicedOptions, 'bits'> = {}): Promise<BShare> {
  return lessThanSliced(party, x, y, range);
}

/** x == y: an AND tree over the bits of x − y on bit-sliced data (sliced.ts), 7 rounds per chunk, about 11 bytes per value (bits = 32: ~8). */
export async function equalA(party: Party, x: AShare, y: AShare, range: Pick<SlicedOptions, 'bits'> = {}): Promise<BShare> {
  return equalSliced(party, x, y, range);
}

/** x == y for values in boolean form (as A2B or radixSortB give them): no decomposition round, ⌈log2 bits⌉ rounds per chunk (sliced.ts). */
export async function equalB(party: Party, x: BShare, y: BShare, range: Pick<SlicedOptions, 'bits'> = {}): Promise<BShare> {
  return equalSlicedB(party, x, y, range);
}

/** [x == 0] as 0/1 arithmetic values: equality with 0, then bit to arithmetic. */
export async function isZeroA(party: Party, x: AShare, range: Pick<SlicedOptions, 'bits'> = {}): Promise<AShare> {
  return bitToA(party, await equalSliced(party, x, party.constantA(new BigUint64Array(shareLength(x))), range));
}

/** cond ? x : y, with cond from a comparison (bit 0). B2A (2 rounds) and a product: 3 rounds. */
export async function muxA(party: Party, cond: BShare, x: AShare, y: AShare): Promise<AShare> {
  const c = await bitToA(party, cond);
  return party.addA(y, await party.mulA(c, party.subA(x, y)));
}

