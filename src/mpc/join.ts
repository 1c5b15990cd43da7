import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { equalB } from './comparisons.js';
import { compactA } from './compaction.js';
import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import { segmentedCopyA } from './prefix.js';
import { radixSortB } from './radix-sort.js';
import { concatA, shareLength, sliceB, type AShare, type BShare } from './shares.js';

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
 * first) with a public tag, stably radix-sorted by key — so within one key the PK row,
 * if any, comes first — then each key's first row's columns and "is a PK row" flag are
 * copied forward through its run of equal keys (segmented copy), an FK row matches when
 * its run starts with a PK row, and the matching FK rows are compacted out.
 * `pk.key` must be unique (a primary key); if it is not, each FK row joins the first PK
 * row of its key in input order.
 *
 * What it reveals: the two input sizes (public already) and the output size, to the three
 * compute parties; nothing about which rows matched. The output stays shared. Rounds
 * (N = |PK| + |FK| ≥ 2): the sort of N rows (`radixSortRounds`, moving a tag and both
 * sides' columns), equality of the
 * boolean keys 6 (`booleanEqualityRounds(bits)`), bit to arithmetic 2, segmented copy
 * ⌈log2 N⌉, the match product 1, compaction 4. No rounds when N ≤ 1.
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
  // The key comes out of the sort in boolean form: its arithmetic form is not carried through it.
  const sorted = await radixSortB(party, [key], [tag, ...pkCols, ...fkCols], { bits: [options.bits ?? 64] });
  const k = sorted.keys[0]!;
  const [sortedTag, ...rest] = sorted.payload as [AShare, ...AShare[]];

  const eq = await equalB(party, sliceB(k, 1, n), sliceB(k, 0, n - 1), { bits: Math.max(2, options.bits ?? 64) });
  const continues = concatA([zeros(1), await bitToA(party, eq)]);
  const isPk = party.addConstA(party.negA(sortedTag), 1n);
  const [headIsPk, ...headPk] = await segmentedCopyA(party, continues, [isPk, ...rest.slice(0, pk.columns.length)]);
  const match = await party.mulA(sortedTag, headIsPk!);
  const { count, columns } = await compactA<AShare | BShare>(party, match, [k, ...headPk, ...rest.slice(pk.columns.length)]);
  const values = columns.slice(1) as AShare[];
  return { count, key: columns[0] as BShare, pkColumns: values.slice(0, pk.columns.length), fkColumns: values.slice(pk.columns.length) };
}
