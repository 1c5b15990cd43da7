import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { lessThanA } from './comparisons.js';
import { a2b, bitToA } from './conversions.js';
import type { Party } from './party.js';
import { concatB, shareLength, sliceA, type AShare } from './shares.js';

export interface DivisionOptions {
  /** The numerator lies in [−2^(bits−1), 2^(bits−1)). */
  readonly numeratorBits: number;
  /** The divisor lies in [1, 2^(bits−1)): a count, say. */
  readonly divisorBits: number;
  /** Fraction bits of the quotient (fixed point): n·2^f / d. */
  readonly fractionBits?: number;
}

/**
 * n / d for secret n and d (AVG as SUM / COUNT), element-wise: the quotient n·2^f / d
 * rounded toward zero, exactly (no probabilistic truncation). Restoring division on the
 * magnitude: the bits of |n|·2^f (one A2B, one bit-to-arithmetic conversion for all of
 * them), then one step per bit, from the highest: R ← 2R + bit; the quotient bit is
 * R ≥ d (a less-than in the divisor's range); R ← R − bit·d. The sign is put back at
 * the end. Rounds: `divisionRounds`, about (numeratorBits + f)·(5 + ⌈log2 divisorBits⌉);
 * bytes per element grow with the same product. A divisor outside its range (0 among
 * them) gives a wrong quotient, not an error: the caller keeps it in range (an empty
 * group's count is 0: divide by max(count, 1) and flag the group). Reveals nothing.
 */
export async function divA(party: Party, n: AShare, d: AShare, options: DivisionOptions): Promise<AShare> {
  const { numeratorBits, divisorBits, fractionBits = 0 } = options;
  // |n|·2^f ≤ 2^(numeratorBits − 1 + f): that many bits and one more.
  const steps = numeratorBits + fractionBits;
  if (!Number.isInteger(numeratorBits) || numeratorBits < 2 || !Number.isInteger(divisorBits) || divisorBits < 2 || divisorBits > 62 || !Number.isInteger(fractionBits) || fractionBits < 0 || steps > 63) {
    throw new PgError(SqlState.internalError, `division of ${numeratorBits}-bit by ${divisorBits}-bit values with ${fractionBits} fraction bits`);
  }
  const length = shareLength(n);
  if (shareLength(d) !== length) throw new PgError(SqlState.internalError, `division operands differ in length (${length} and ${shareLength(d)})`);
  if (length === 0) return n;
  // |n| = n − 2·[n < 0]·n, scaled by 2^f.
  const negative = await bitToA(party, await lessThanA(party, n, party.constantA(new BigUint64Array(length)), { bits: numeratorBits }));
  const magnitude = party.mulConstA(party.subA(n, party.mulConstA(await party.mulA(negative, n), 2n)), 1n << BigInt(fractionBits));
  // Every bit of the magnitude as 0/1, all in one conversion: bits[i] is bit i.
  const boolean = await a2b(party, magnitude);
  const asBits = await bitToA(party, concatB(Array.from({ length: steps }, (_, i) => party.andConstB(party.shrB(boolean, i), 1n))));
  const bit = (i: number): AShare => sliceA(asBits, i * length, (i + 1) * length);
  let remainder = party.constantA(new BigUint64Array(length));
  let quotient = party.constantA(new BigUint64Array(length));
  for (let i = steps - 1; i >= 0; i--) {
    // R < d before the step, so 2R + bit < 2d < 2^divisorBits: both compare in divisorBits + 1 bits.
    const shifted = party.addA(party.mulConstA(remainder, 2n), bit(i));
    const below = await bitToA(party, await lessThanA(party, shifted, d, { bits: divisorBits + 1 }));
    const q = party.addConstA(party.negA(below), 1n);
    remainder = party.subA(shifted, await party.mulA(q, d));
    quotient = party.addA(quotient, party.mulConstA(q, 1n << BigInt(i)));
  }
  // The sign back: q − 2·[n < 0]·q.
  return party.subA(quotient, party.mulConstA(await party.mulA(negative, quotient), 2n));
}

/** Rounds of `divA` (a nonempty input). */
export function divisionRounds(options: DivisionOptions): number {
  const { numeratorBits, divisorBits, fractionBits = 0 } = options;
  const lessThanRounds = (bits: number): number => (bits >= 64 ? 9 : 2 + Math.ceil(Math.log2(bits)));
  const step = lessThanRounds(divisorBits + 1) + 2 + 1;
  return lessThanRounds(numeratorBits) + 2 + 1 + 8 + 2 + (numeratorBits + fractionBits) * step + 1;
}

/** n / d for a public divisor d ≥ 1: divA with d as a constant (the comparisons still keep n secret). */
export async function divPublicA(party: Party, n: AShare, divisor: bigint, options: Omit<DivisionOptions, 'divisorBits'>): Promise<AShare> {
  if (divisor < 1n) throw new PgError(SqlState.divisionByZero, 'division by zero');
  const divisorBits = divisor.toString(2).length + 1;
  return divA(party, n, party.constantA(new BigUint64Array(shareLength(n)).fill(divisor)), { ...options, divisorBits });
}

