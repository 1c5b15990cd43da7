import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { equalB } from './comparisons.js';
import { compactA } from './compaction.js';
import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import { prefixSumA, prefixXorB } from './prefix.js';
import { quickSortB } from './quicksort.js';
import { stablePartitionA } from './radix-sort.js';
import { concatA, concatB, shareLength, sliceA, sliceB, type AShare, type BShare } from './shares.js';

/** A shared table for the join: its key column and the columns that travel with it. */
export interface JoinSide {
  readonly key: AShare;
  readonly columns: readonly AShare[];
}

export interface JoinResult {
  /** Number of output rows = FK rows whose key is in the PK table (opened to the compute parties). */
  readonly count: number;
  /** The join key of every output row, ascending, in boolean form (reveal with revealB); rows with one key keep the FK table's order. */
  readonly key: BShare;
  /** The PK row's columns, for every output row. */
  readonly pkColumns: AShare[];
  /** The FK row's columns, for every output row. */
  readonly fkColumns: AShare[];
}

/**
 * PK–FK equi-join in O(n log n) work, sort-based: the two tables are stacked (PK rows
 * first) with a public tag and stably sorted by key (`quickSortB`: shuffle, then
 * comparisons opened), so within one key the PK row, if any, comes first. Every row then
 * takes the key and columns of the last PK row at or before it, in O(n): a stable partition brings the PK rows to the front in key order,
 * each one's difference from the previous PK row is taken there locally, and the
 * differences, moved back, are summed down the rows. An FK row matches when the key it
 * took is its own (and some PK row came before it); the matching FK rows are compacted
 * out. `pk.key` must be unique (a primary key); if it is not, each FK row joins the last
 * PK row of its key in input order.
 *
 * What it reveals: the two input sizes (public already) and the output size, to the three
 * compute parties; nothing about which rows matched. The output stays shared. Rounds
 * (N = |PK| + |FK| ≥ 2): the sort of N rows (A2B 8, shuffle 3, and a random number of
 * levels of `quickSortLevelRounds`, about 4.3·ln N), the partition 4 and its undoing 3,
 * one product 1, equality of the boolean keys (`booleanEqualityRounds(bits)`: 6 for 64
 * bits), bit to arithmetic 2, the match product 1, compaction 4. No rounds when N ≤ 1.
 * `bits` (default 64): the keys are signed values of that many bits.
 */
export async function pkFkJoinA(party: Party, pk: JoinSide, fk: JoinSide, options: { bits?: number } = {}): Promise<JoinResult> {
  const nP = shareLength(pk.key);
  const nF = shareLength(fk.key);
  for (const c of pk.columns) if (shareLength(c) !== nP) throw new PgError(SqlState.internalError, `a PK column has ${shareLength(c)} rows, not ${nP}`);
  for (const c of fk.columns) if (shareLength(c) !== nF) throw new PgError(SqlState.internalError, `an FK column has ${shareLength(c)} rows, not ${nF}`);
  const n = nP + nF;
  const zeros = (m: number): AShare => party.constantA(new BigUint64Array(m));
  if (n <= 1) return { count: 0, key: party.constantB(new BigUint64Array(0)), pkColumns: pk.columns.map(() => zeros(0)), fkColumns: fk.columns.map(() => zeros(0)) };

  const tag = party.constantA(new BigUint64Array(n).fill(1n, nP));
  const key = concatA([pk.key, fk.key]);
  const pkCols = pk.columns.map((c) => concatA([c, zeros(nF)]));
  const fkCols = fk.columns.map((c) => concatA([zeros(nP), c]));
  // The key comes out of the sort in boolean form, as equalB takes it: no conversion back.
  const sorted = await quickSortB(party, [key], [tag, ...pkCols, ...fkCols], { bits: [options.bits ?? 64] });
  const k = sorted.keys[0]!;
  const [sortedTag, ...rest] = sorted.payload as [AShare, ...AShare[]];

  // Each row takes the key and columns of the last PK row at or before it (its own run's
  // PK row, if its key has one): the PK rows go to the front in key order (there are nP of
  // them, public), each one's difference from the PK row before it is taken there, locally,
  // and the differences, moved back to key order, are summed (XORed for the key) down the
  // rows. A row before every PK row takes zeros, so `seen` says whether there was one.
  const pkCount = pk.columns.length;
  const { columns: front, undo } = await stablePartitionA<AShare | BShare>(party, sortedTag, [k, ...rest.slice(0, pkCount)]);
  const seenFirst = new BigUint64Array(n);
  if (nP > 0) seenFirst[0] = 1n;
  const [backKey, backSeen, ...backPk] = await undo<AShare | BShare>([
    differencesB(party, front[0] as BShare, nP),
    party.constantA(seenFirst),
    ...(front.slice(1) as AShare[]).map((c) => differencesA(party, c, nP)),
  ]);
  const headPk = (backPk as AShare[]).map(prefixSumA);
  const isFkSeen = await party.mulA(sortedTag, prefixSumA(backSeen as AShare));
  const sameKey = await bitToA(party, await equalB(party, prefixXorB(backKey as BShare), k, { bits: Math.max(2, options.bits ?? 64) }));
  const match = await party.mulA(isFkSeen, sameKey);
  const { count, columns } = await compactA<AShare | BShare>(party, match, [k, ...headPk, ...rest.slice(pkCount)]);
  const values = columns.slice(1) as AShare[];
  return { count, key: columns[0] as BShare, pkColumns: values.slice(0, pkCount), fkColumns: values.slice(pkCount) };
}

/** x[j] − x[j − 1] for the first m rows (x[−1] = 0), 0 below them. Local. */
function differencesA(party: Party, x: AShare, m: number): AShare {
  const n = shareLength(x);
  if (m === 0) return party.constantA(new BigUint64Array(n));
  const previous = concatA([party.constantA(new BigUint64Array(1)), sliceA(x, 0, m - 1)]);
  return concatA([party.subA(sliceA(x, 0, m), previous), party.constantA(new BigUint64Array(n - m))]);
}

/** x[j] ⊕ x[j − 1] for the first m rows (x[−1] = 0), 0 below them. Local. */
function differencesB(party: Party, x: BShare, m: number): BShare {
  const n = shareLength(x);
  if (m === 0) return party.constantB(new BigUint64Array(n));
  const previous = concatB([party.constantB(new BigUint64Array(1)), sliceB(x, 0, m - 1)]);
  return concatB([party.xorB(sliceB(x, 0, m), previous), party.constantB(new BigUint64Array(n - m))]);
}
