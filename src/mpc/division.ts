import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { lessThanA } from './comparisons.js';
import { a2b, bitToA } from './conversions.js';
import type { Party } from './party.js';
import { concatA, concatB, shareLength, sliceA, type AShare } from './shares.js';
import { lessThanRounds } from './sliced.js';

export interface DivisionOptions {
  /** The numerator lies in [−2^(bits−1), 2^(bits−1)). */
  readonly numeratorBits: number;
  /** The divisor lies in [1, 2^(bits−1)): a count, say. */
  readonly divisorBits: number;
  /** Fraction bits of the quotient (fixed point): n·2^f / d. */
  readonly fractionBits?: number;
}

export interface QuotientOptions {
  /** The numerator lies in [−2^(bits−1), 2^(bits−1)); 64: any value. */
  readonly numeratorBits: number;
  /** The divisor lies in [1, 2^(bits−1)), at most 61 bits. */
  readonly divisorBits: number;
  /**
   * The caller vouches that |n / d| < 2^integerBits (an average lies within the range of
   * its values). Steps are spent only on these bits of the quotient and the fraction's.
   */
  readonly integerBits: number;
  /** Fraction bits of the quotient, 0 … 63. */
  readonly fractionBits: number;
}

/** Quotient bits decided per step: 2^DIGIT_BITS − 1 comparisons side by side, a third of radix 2's rounds. */
const DIGIT_BITS = 3;

/**
 * n / d for secret n and d, element-wise, as two words with the quotient's sign: its
 * integer part and its first `fractionBits` fraction bits (as an integer), both rounded
 * toward zero — exactly, no probabilistic truncation. Long division on the magnitude, a
 * digit of up to three quotient bits per step (radix 8): the bits of |n| (one A2B, one
 * bit-to-arithmetic conversion for all of them) enter the remainder R from the highest,
 * R ← 2^w·R + next bits; the digit is the number of v in 1 … 2^w − 1 with v·d ≤ R (all
 * compared at once, in the divisor's range); R ← R − digit·d. The bits of |n| at and
 * above `integerBits` start R (below d by the caller's bound), fraction positions bring
 * zeros. Rounds: `quotientRounds`; bytes per element grow with the steps times 2^w.
 * A divisor outside its range (0 among them), or a quotient outside `integerBits`, gives
 * a wrong result, not an error: the caller keeps them in range (an empty group's count
 * is 0: divide by count + [count = 0] and flag the group). Reveals nothing.
 */
export async function quotientA(party: Party, n: AShare, d: AShare, options: QuotientOptions): Promise<{ integer: AShare; fraction: AShare }> {
  const { numeratorBits, divisorBits, integerBits, fractionBits } = options;
  const valid = (v: number, min: number, max: number): boolean => Number.isInteger(v) && v >= min && v <= max;
  if (!valid(numeratorBits, 2, 64) || !valid(divisorBits, 2, 64 - DIGIT_BITS) || !valid(integerBits, 1, 64) || !valid(fractionBits, 0, 63)) {
    throw new PgError(SqlState.internalError, `division of ${numeratorBits}-bit by ${divisorBits}-bit values into ${integerBits} integer and ${fractionBits} fraction bits`);
  }
  const length = shareLength(n);
  if (shareLength(d) !== length) throw new PgError(SqlState.internalError, `division operands differ in length (${length} and ${shareLength(d)})`);
  if (length === 0) return { integer: n, fraction: n };
  // |n| = n − 2·[n < 0]·n: as an unsigned word, right for −2^63 too.
  const negative = await bitToA(party, await lessThanA(party, n, party.constantA(new BigUint64Array(length)), { bits: numeratorBits }));
  const magnitude = party.subA(n, party.mulConstA(await party.mulA(negative, n), 2n));
  // Every bit of |n| as 0/1, all in one conversion: bits[i] is bit i (|n| ≤ 2^(numeratorBits−1)).
  const boolean = await a2b(party, magnitude);
  const asBits = await bitToA(party, concatB(Array.from({ length: numeratorBits }, (_, i) => party.andConstB(party.shrB(boolean, i), 1n))));
  const zero = party.constantA(new BigUint64Array(length));
  const bit = (i: number): AShare => (i >= 0 && i < numeratorBits ? sliceA(asBits, i * length, (i + 1) * length) : zero);
  let remainder = zero;
  for (let i = integerBits; i < numeratorBits; i++) remainder = party.addA(remainder, party.mulConstA(bit(i), 1n << BigInt(i - integerBits)));
  let integer = zero;
  let fraction = zero;
  for (const { top, width } of digits(integerBits, fractionBits)) {
    // R < d before the step, so R' < 2^w·d < 2^(divisorBits − 1 + w): compared in divisorBits + w bits.
    let shifted = party.mulConstA(remainder, 1n << BigInt(width));
    for (let j = 0; j < width; j++) shifted = party.addA(shifted, party.mulConstA(bit(top - j), 1n << BigInt(width - 1 - j)));
    const multiples = Array.from({ length: (1 << width) - 1 }, (_, v) => party.mulConstA(d, BigInt(v + 1)));
    const below = await bitToA(party, await lessThanA(party, concatA(multiples.map(() => shifted)), concatA(multiples), { bits: divisorBits + width }));
    // digit = #{v : v·d ≤ R'} = (2^w − 1) − Σ_v [R' < v·d].
    let digit = party.constantA(new BigUint64Array(length).fill(BigInt(multiples.length)));
    for (let v = 0; v < multiples.length; v++) digit = party.subA(digit, sliceA(below, v * length, (v + 1) * length));
    remainder = party.subA(shifted, await party.mulA(digit, d));
    const low = top - width + 1;
    if (low >= 0) integer = party.addA(integer, party.mulConstA(digit, 1n << BigInt(low)));
    else fraction = party.addA(fraction, party.mulConstA(digit, 1n << BigInt(fractionBits + low)));
  }
  // The sign back on both words: x − 2·[n < 0]·x.
  const batch = party.batch();
  const signed = [batch.mulA(negative, integer), batch.mulA(negative, fraction)];
  await batch.run();
  return { integer: party.subA(integer, party.mulConstA(signed[0]!.value, 2n)), fraction: party.subA(fraction, party.mulConstA(signed[1]!.value, 2n)) };
}

/** The quotient's digits, highest first: integer positions integerBits−1 … 0, then fraction positions −1 … −f; a digit never straddles the point. */
function digits(integerBits: number, fractionBits: number): Array<{ top: number; width: number }> {
  const out: Array<{ top: number; width: number }> = [];
  for (let top = integerBits - 1; top >= 0; top -= DIGIT_BITS) out.push({ top, width: Math.min(DIGIT_BITS, top + 1) });
  for (let top = -1; top >= -fractionBits; top -= DIGIT_BITS) out.push({ top, width: Math.min(DIGIT_BITS, fractionBits + top + 1) });
  return out;
}

/** Rounds of `quotientA` (a nonempty input). */
export function quotientRounds(options: QuotientOptions): number {
  const { numeratorBits, divisorBits, integerBits, fractionBits } = options;
  const steps = digits(integerBits, fractionBits).reduce((sum, { width }) => sum + lessThanRounds(divisorBits + width) + 2 + 1, 0);
  return lessThanRounds(numeratorBits) + 2 + 1 + 8 + 2 + steps + 1;
}

/**
 * n / d for secret n and d (AVG as SUM / COUNT), element-wise, in one word: the quotient
 * n·2^f / d rounded toward zero, exactly (`quotientA` with the numerator's range as the
 * quotient's; numeratorBits + f ≤ 63). Reveals nothing.
 */
export async function divA(party: Party, n: AShare, d: AShare, options: DivisionOptions): Promise<AShare> {
  const { numeratorBits, divisorBits, fractionBits = 0 } = options;
  if (!Number.isInteger(numeratorBits) || numeratorBits < 2 || !Number.isInteger(fractionBits) || fractionBits < 0 || numeratorBits + fractionBits > 63) {
    throw new PgError(SqlState.internalError, `division of ${numeratorBits}-bit by ${divisorBits}-bit values with ${fractionBits} fraction bits`);
  }
  const { integer, fraction } = await quotientA(party, n, d, { numeratorBits, divisorBits, integerBits: numeratorBits, fractionBits });
  return party.addA(party.mulConstA(integer, 1n << BigInt(fractionBits)), fraction);
}

/** Rounds of `divA` (a nonempty input). */
export function divisionRounds(options: DivisionOptions): number {
  const { numeratorBits, divisorBits, fractionBits = 0 } = options;
  return quotientRounds({ numeratorBits, divisorBits, integerBits: numeratorBits, fractionBits });
}

/** n / d for a public divisor d ≥ 1: divA with d as a constant (the comparisons still keep n secret). */
export async function divPublicA(party: Party, n: AShare, divisor: bigint, options: Omit<DivisionOptions, 'divisorBits'>): Promise<AShare> {
  if (divisor < 1n) throw new PgError(SqlState.divisionByZero, 'division by zero');
  const divisorBits = divisor.toString(2).length + 1;
  return divA(party, n, party.constantA(new BigUint64Array(shareLength(n)).fill(divisor)), { ...options, divisorBits });
}
