import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { equalA } from './comparisons.js';
import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { bShare, concatA, shareLength, sliceA, type AShare } from './shares.js';
import { sortByKeyA } from './sort.js';

/**
 * Oblivious group-by over SECRET keys (when the grouping column is protected, so the
 * groups cannot be public as in secureAggregate): SUM and COUNT per distinct key, from
 * primitives only. Rows are sorted by key with their values (`sortByKeyA`), equal
 * neighbours are flagged (equality), and a segmented prefix sum (Hillis–Steele, one
 * round per doubling, sum and count and segment flags in one batch) leaves each group's
 * totals in its last row. Every row that is not last is zeroed (one product round), and
 * the rows leave as re-randomised output shares for one recipient.
 *
 * What it reveals: the number of rows n, to everyone; to the recipient, each group's
 * key, SUM and COUNT, and the number of groups. The recipient sees the rows in key order
 * with zeros between the groups' last rows, from which it could read the counts, so the
 * counts are part of the output (ask for this operator only when COUNT may be revealed
 * with SUM). Nothing to the compute parties. Cost: the sort, then 14 + 2 + ⌈log2 n⌉ + 1
 * rounds.
 */
export async function groupSumAt(party: Party, key: AShare, value: AShare): Promise<Words> {
  const n = shareLength(key);
  if (shareLength(value) !== n) throw new PgError(SqlState.internalError, `group-by key and value differ in length (${n} and ${shareLength(value)})`);
  if (n === 0) return new BigUint64Array(0);
  const sorted = await sortByKeyA(party, key, [value]);
  const k = sorted.key;
  const v = sorted.payload[0]!;
  // same[i] = key[i] == key[i−1] (0 for the first row), as 0/1 arithmetic shares.
  const zero = (m: number): AShare => party.constantA(new BigUint64Array(m));
  let same = zero(n);
  if (n > 1) {
    const eq = await equalA(party, sliceA(k, 1, n), sliceA(k, 0, n - 1));
    const bits = await bitToA(party, bShare(eq.s0, eq.s1));
    same = concatA([zero(1), bits]);
  }
  let sum = v;
  let count = party.constantA(new BigUint64Array(n).fill(1n));
  let flag = same;
  for (let d = 1; d < n; d *= 2) {
    // For i ≥ d: S[i] += F[i]·S[i−d], C[i] += F[i]·C[i−d], F[i] = F[i]·F[i−d]; rows below d are complete.
    const head = (x: AShare): AShare => sliceA(x, d, n);
    const back = (x: AShare): AShare => sliceA(x, 0, n - d);
    const batch = party.batch();
    const ds = batch.mulA(head(flag), back(sum));
    const dc = batch.mulA(head(flag), back(count));
    const df = batch.mulA(head(flag), back(flag));
    await batch.run();
    sum = concatA([sliceA(sum, 0, d), party.addA(head(sum), ds.value)]);
    count = concatA([sliceA(count, 0, d), party.addA(head(count), dc.value)]);
    flag = concatA([zero(d), df.value]);
  }
  // last[i] = 1 − same[i+1]; the last row is always last.
  const one = party.constantA(new BigUint64Array(n).fill(1n));
  const last = party.subA(one, concatA([sliceA(same, 1, n), zero(1)]));
  const masked = party.batch();
  const outs = [k, sum, count].map((x) => masked.mulA(last, x));
  await masked.run();
  const all = concatA(outs.map((o) => o.value));
  return party.kernels.add(all.s0, party.randomness.zeroShareA(all.s0.length));
}

export interface GroupSum {
  readonly key: bigint;
  readonly sum: bigint;
  readonly count: bigint;
}

/** The recipient adds the three output shares; groups come in ascending key order. */
export function openGroupSums(shares: readonly [Words, Words, Words]): GroupSum[] {
  const length = shares[0].length;
  if (length % 3 !== 0 || shares.some((s) => s.length !== length)) throw new PgError(SqlState.protocolViolation, 'group-by output shares differ in length');
  const n = length / 3;
  const at = (i: number): bigint => BigInt.asUintN(64, shares[0][i]! + shares[1][i]! + shares[2][i]!);
  const groups: GroupSum[] = [];
  // A loop over the output rows at the recipient (n per query, not per secure operation).
  for (let i = 0; i < n; i++) {
    const count = at(2 * n + i);
    if (count !== 0n) groups.push({ key: BigInt.asIntN(64, at(i)), sum: BigInt.asIntN(64, at(n + i)), count });
  }
  return groups;
}


