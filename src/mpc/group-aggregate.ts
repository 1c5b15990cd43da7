import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { equalB } from './comparisons.js';
import { compactA } from './compaction.js';
import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import { prefixSumA, segmentedMinMaxA } from './prefix.js';
import { quickSortB } from './quicksort.js';
import { iota, type RadixSortOptions } from './radix-sort.js';
import { bShare, concatA, concatB, shareLength, sliceA, sliceB, type AShare, type BShare } from './shares.js';

/** One aggregate of a group-by: COUNT(*), or SUM / MIN / MAX of a column (signed 64-bit). */
export type GroupAggregate = { readonly kind: 'count' } | { readonly kind: 'sum' | 'min' | 'max'; readonly column: AShare };

export interface GroupAggregateResult {
  /** Number of groups (opened to the compute parties). */
  readonly groups: number;
  /** The group keys, one row per group, in ascending key order, in boolean form (one value per word: reveal with revealB). */
  readonly keys: BShare[];
  /** One column per requested aggregate, in request order, aligned with `keys`. */
  readonly values: AShare[];
}

/**
 * Oblivious group-by over secret keys, built on a sort and segmented prefix operations:
 * sort the rows by the keys (stable: `quickSortB`, rows move whole), flag the rows whose
 * keys equal the previous row's (equality on every key, ANDed), and keep each group's
 * last row by compaction. SUM and COUNT need no further rounds: a local
 * prefix sum (and the public row number) is carried to each group's last row, and a
 * group's total is the difference from the previous group's. MIN and MAX are segmented
 * running minima (MAX as the minimum of the bitwise complement, an order-reversing map
 * that never overflows), all columns in one scan.
 *
 * What it reveals: the number of rows n and the number of groups, to the three
 * compute parties. The group keys and aggregates stay shared (open them to the
 * recipient with revealBTo / revealATo, or reveal them). Rounds (n ≥ 2, m keys): the
 * sort (A2B 8, shuffle 3, and a random number of levels of `quickSortLevelRounds`, about
 * 4.3·ln n), equality of the boolean keys (`booleanEqualityRounds` of the widest key: 6
 * for 64 bits) + (m − 1) ANDs + 2 for the bit to arithmetic, 13·⌈log2 n⌉
 * if any MIN or MAX is asked, and the compaction's 4. No rounds when n = 0.
 * SUM wraps mod 2^64 like int64 arithmetic (no overflow check).
 */
export async function groupAggregateA(party: Party, keys: readonly AShare[], aggregates: readonly GroupAggregate[], options: RadixSortOptions = {}): Promise<GroupAggregateResult> {
  if (keys.length === 0) throw new PgError(SqlState.internalError, 'a group-by needs at least one key');
  const n = shareLength(keys[0]!);
  const columns = aggregates.flatMap((a) => (a.kind === 'count' ? [] : [a.column]));
  for (const c of [...keys, ...columns]) if (shareLength(c) !== n) throw new PgError(SqlState.internalError, `a group-by column has ${shareLength(c)} rows, not ${n}`);
  if (n === 0) return { groups: 0, keys: keys.map(() => party.constantB(new BigUint64Array(0))), values: aggregates.map(() => party.constantA(new BigUint64Array(0))) };

  // The keys come out of the sort in boolean form, as equalB takes them: no conversion back.
  const sorted = await quickSortB(party, keys, columns, options);
  // continues[i] = the keys of row i equal those of row i − 1 (0 for row 0), as a bit and as 0/1.
  let continuesB: BShare = party.constantB(new BigUint64Array(n));
  let continuesA: AShare = party.constantA(new BigUint64Array(n));
  if (n > 1) {
    // Keys of a narrower range compare in it (fewer bit planes).
    const bits = options.bits ? Math.max(...options.bits) : 64;
    const eq = await equalB(party, concatB(sorted.keys.map((k) => sliceB(k, 1, n))), concatB(sorted.keys.map((k) => sliceB(k, 0, n - 1))), { bits: Math.max(2, bits) });
    let same = bShare(eq.s0.subarray(0, n - 1), eq.s1.subarray(0, n - 1));
    for (let j = 1; j < keys.length; j++) same = await party.andB(same, bShare(eq.s0.subarray(j * (n - 1), (j + 1) * (n - 1)), eq.s1.subarray(j * (n - 1), (j + 1) * (n - 1))));
    const zeroB = party.constantB(new BigUint64Array(1));
    continuesB = bShare(concat(zeroB.s0, same.s0), concat(zeroB.s1, same.s1));
    continuesA = concatA([party.constantA(new BigUint64Array(1)), await bitToA(party, same)]);
  }
  // last[i] = 1 − continues[i + 1]; the last row always ends its group.
  const last = party.addConstA(party.negA(concatA([sliceA(continuesA, 1, n), party.constantA(new BigUint64Array(1))])), 1n);

  // Per aggregate, the column carried to each group's last row.
  const complement = (x: AShare): AShare => party.addConstA(party.negA(x), -1n); // ~x = −x − 1
  const extremes = aggregates.flatMap((a, i) => (a.kind === 'min' || a.kind === 'max' ? [i] : []));
  const columnOf = new Map<number, AShare>();
  let at = 0;
  aggregates.forEach((a, i) => {
    if (a.kind !== 'count') columnOf.set(i, sorted.payload[at++]!);
  });
  const scanned = extremes.length === 0 ? [] : await segmentedMinMaxA(party, continuesB, extremes.map((i) => (aggregates[i]!.kind === 'max' ? complement(columnOf.get(i)!) : columnOf.get(i)!)), 'min');
  const carried: AShare[] = aggregates.map((a, i) => {
    if (a.kind === 'count') return party.constantA(iota(n, 1));
    if (a.kind === 'sum') return prefixSumA(columnOf.get(i)!);
    const m = scanned[extremes.indexOf(i)]!;
    return a.kind === 'max' ? complement(m) : m;
  });
  const { count: groups, columns: kept } = await compactA<AShare | BShare>(party, last, [...sorted.keys, ...carried]);
  const groupKeys = kept.slice(0, keys.length) as BShare[];
  const values = (kept.slice(keys.length) as AShare[]).map((c, i) => {
    const kind = aggregates[i]!.kind;
    if (kind === 'min' || kind === 'max' || groups === 0) return c;
    // Running totals at each group's last row: a group's own total is the difference.
    const previous = concatA([party.constantA(new BigUint64Array(1)), sliceA(c, 0, groups - 1)]);
    return party.subA(c, previous);
  });
  return { groups, keys: groupKeys, values };
}

function concat(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
