import { isZeroA } from './comparisons.js';
import { quotientA, quotientRounds } from './division.js';
import type { Party } from './party.js';
import type { AShare } from './shares.js';
import { equalityRounds } from './sliced.js';

/**
 * AVG under MPC: SUM / COUNT divided secretly, so that the recipient learns the average
 * and whether the group is empty, not the sum nor the count behind it.
 *
 * Ranges: a group's count is below 2^(AVERAGE_COUNT_BITS − 1) (1.4·10^14 rows) and its
 * sum a signed 64-bit value; the average's magnitude is below 2^integerBits, which the
 * values' type vouches for (an average lies between its smallest and largest value:
 * `comparisonBits` of the column's type). The quotient comes as its integer part and
 * AVERAGE_FRACTION_BITS fraction bits, rounded toward zero: `averageOf` turns them into a
 * float8 within one unit in the last place of SUM::float8 / COUNT.
 */

/** Counts lie in [0, 2^47): the divisor's range. */
export const AVERAGE_COUNT_BITS = 48;
/** Fraction bits of an average: a float8's 53 and one. */
export const AVERAGE_FRACTION_BITS = 54;

export interface SharedAverage {
  /** 1 where the count is not 0, else 0. */
  readonly nonempty: AShare;
  /** The average's integer part (toward zero); 0 for an empty group. */
  readonly integer: AShare;
  /** Its fraction bits as an integer, with the average's sign. */
  readonly fraction: AShare;
}

/**
 * sum / count element-wise (an empty group divides by 1, its sum being 0, and is flagged):
 * one equality with 0 in the count's range, then `quotientA`. Reveals nothing.
 */
export async function averageA(party: Party, sum: AShare, count: AShare, integerBits: number): Promise<SharedAverage> {
  const empty = await isZeroA(party, count, { bits: AVERAGE_COUNT_BITS });
  const { integer, fraction } = await quotientA(party, sum, party.addA(count, empty), {
    numeratorBits: 64,
    divisorBits: AVERAGE_COUNT_BITS,
    integerBits,
    fractionBits: AVERAGE_FRACTION_BITS,
  });
  return { nonempty: party.addConstA(party.negA(empty), 1n), integer, fraction };
}

/** Rounds of `averageA` over a nonempty input. */
export function averageRounds(integerBits: number): number {
  return equalityRounds(AVERAGE_COUNT_BITS) + 2 + quotientRounds({ numeratorBits: 64, divisorBits: AVERAGE_COUNT_BITS, integerBits, fractionBits: AVERAGE_FRACTION_BITS });
}

/** The opened integer part and fraction (signed ring values) as the nearest float8. */
export function averageOf(integer: bigint, fraction: bigint): number {
  const exact = (BigInt.asIntN(64, integer) << BigInt(AVERAGE_FRACTION_BITS)) + BigInt.asIntN(64, fraction);
  // One rounding (BigInt to Number); the division by a power of two is exact.
  return Number(exact) / 2 ** AVERAGE_FRACTION_BITS;
}
