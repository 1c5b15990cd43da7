import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import { stablePartitionA } from './radix-sort.js';
import { shareLength, type AShare, type BShare } from './shares.js';
import type { Column } from './shuffle.js';

/**
 * Compaction: keeps the rows whose secret flag is 1, in their input order, and drops
 * the others. A stable partition on 1 − keep (kept rows first; see stablePartitionA)
 * whose count of kept rows is opened, then a local cut.
 *
 * What it reveals: the number of kept rows, to all three parties; nothing about which
 * rows they were (the rows move by a shuffled, hence uniformly random, permutation).
 * Rounds: 4 with an arithmetic 0/1 flag (`compactA`), 6 with a boolean one
 * (`compactB`: 2 more for the bit to arithmetic). No rounds for empty columns.
 */
export async function compactA<T extends Column>(party: Party, keep: AShare, columns: readonly T[]): Promise<{ count: number; columns: T[] }> {
  const dropped = party.addConstA(party.negA(keep), 1n);
  const { columns: partitioned, zeros } = await stablePartitionA(party, dropped, columns, true);
  const count = zeros!;
  return { count, columns: partitioned.map((c) => ({ ...c, s0: c.s0.subarray(0, count), s1: c.s1.subarray(0, count) }) as T) };
}

/** As compactA with the flag in bit 0 of a boolean share (a comparison result). 6 rounds. */
export async function compactB<T extends Column>(party: Party, keep: BShare, columns: readonly T[]): Promise<{ count: number; columns: T[] }> {
  if (shareLength(keep) === 0) return { count: 0, columns: [...columns] };
  return compactA(party, await bitToA(party, keep), columns);
}
