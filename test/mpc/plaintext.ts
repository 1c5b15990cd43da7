import fc from 'fast-check';
import { expect } from 'vitest';
import { quickSortLevelRounds } from '../../src/mpc/quicksort.js';

/** Plaintext references and generators for the MPC tests. */

export const MIN64 = -(2n ** 63n);
export const MAX64 = 2n ** 63n - 1n;
export const EDGES = [0n, 1n, -1n, MIN64, MAX64] as const;

/** Signed 64-bit values, edge values often. */
export const int64 = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 3, arbitrary: fc.bigInt({ min: MIN64, max: MAX64 }) },
);

/** Vectors of int64 as ring words, empty ones included. */
export const vector = (maxLength = 64): fc.Arbitrary<BigUint64Array> =>
  fc.array(int64, { maxLength }).map((values) => BigUint64Array.from(values.map((v) => BigInt.asUintN(64, v))));

/** Two vectors of the same length. */
export const vectorPair = (maxLength = 64): fc.Arbitrary<[BigUint64Array, BigUint64Array]> =>
  fc.array(fc.tuple(int64, int64), { maxLength }).map((pairs) => [
    BigUint64Array.from(pairs.map(([a]) => BigInt.asUintN(64, a))),
    BigUint64Array.from(pairs.map(([, b]) => BigInt.asUintN(64, b))),
  ]);

export function ringMap2(a: BigUint64Array, b: BigUint64Array, f: (x: bigint, y: bigint) => bigint): BigUint64Array {
  return BigUint64Array.from(Array.from(a, (x, i) => BigInt.asUintN(64, f(x, b[i]!))));
}

export function ringMap(a: BigUint64Array, f: (x: bigint) => bigint): BigUint64Array {
  return BigUint64Array.from(Array.from(a, (x) => BigInt.asUintN(64, f(x))));
}

export function asList(a: BigUint64Array | null): bigint[] {
  return a === null ? [] : Array.from(a);
}

/**
 * The rounds of a quicksort of n ≥ 2 rows (keys of `bits`) within a computation that took
 * `rounds` with `others` outside the sort: the A2B (8), the shuffle (3) and whole levels,
 * at least ⌈log2(n + 1)⌉ − 1 of them (the height of a binary tree of n nodes), at most n − 1.
 */
export function expectSortRounds(rounds: number, others: number, n: number, bits: number[]): void {
  const perLevel = quickSortLevelRounds(bits, Math.ceil(Math.log2(n)));
  const levels = (rounds - others - 11) / perLevel;
  expect(Number.isInteger(levels)).toBe(true);
  expect(levels).toBeGreaterThanOrEqual(Math.ceil(Math.log2(n + 1)) - 1);
  expect(levels).toBeLessThanOrEqual(n - 1);
}
