/**
 * Three-party additive secret sharing over Z_2^64 for linear aggregates: a value v becomes
 * shares s0, s1 drawn uniformly at random and s2 = v − s0 − s1 (mod 2^64). Any one or two
 * shares are uniformly random and independent of v; all three add up to v. Sums of shared
 * values are computed share-wise with no communication, which is all a secure SUM or COUNT
 * needs (Conclave's secure re-aggregation of local partial aggregates).
 *
 * The loops here run once per aggregated group, not per row: parties pre-aggregate
 * locally, so these vectors hold hundreds of values, not millions (no WebAssembly needed).
 */
import { randomFillSync } from 'node:crypto';

export const SHARE_PARTIES = 3;

/** Splits each value into three additive shares; share i goes to compute party i. */
export function splitAdditive(values: BigUint64Array): [BigUint64Array, BigUint64Array, BigUint64Array] {
  const s0 = randomFillSync(new BigUint64Array(values.length));
  const s1 = randomFillSync(new BigUint64Array(values.length));
  const s2 = new BigUint64Array(values.length);
  for (let i = 0; i < values.length; i++) s2[i] = values[i]! - s0[i]! - s1[i]!; // BigUint64Array wraps mod 2^64
  return [s0, s1, s2];
}

/** Adds `shares` into `into`, element by element, mod 2^64. */
export function addInto(into: BigUint64Array, shares: BigUint64Array): void {
  if (into.length !== shares.length) throw new RangeError('share vectors differ in length');
  for (let i = 0; i < into.length; i++) into[i] = into[i]! + shares[i]!;
}

/** A signed 64-bit value as a ring element. */
export function toRing(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

/** A ring element read as a signed 64-bit value. */
export function fromRing(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}
