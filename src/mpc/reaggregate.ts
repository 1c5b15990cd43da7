import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { averageA } from './average.js';
import { isZeroA, lessThanA, muxA } from './comparisons.js';
import { countDistinctShared } from './distinct-count.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { concatA, sliceA, type AShare } from './shares.js';

/**
 * MPC programs over inputs that data owners split ADDITIVELY themselves (x = a0 + a1 + a2,
 * a_i sent to compute party i): the data owner need not be a compute party, and no
 * compute party ever holds an owner's plaintext. The compute parties turn the additive
 * sharing into a replicated one (`shareAdditiveA`, one round), then re-aggregate.
 */

/** How a column of partial aggregates combines across owners. */
export type ReaggregateKind = 'add' | 'min' | 'max';

/**
 * The identity of a combination, as a ring element: what an owner's NULL or absent
 * partial stands for. MIN and MAX compare values vouched to lie in a `bits`-bit range
 * (comparisons.ts), so their identities are that range's ends.
 */
export function reaggregateIdentity(kind: ReaggregateKind, bits = 64): bigint {
  if (kind === 'add') return 0n;
  const half = 1n << BigInt(bits - 1);
  return BigInt.asUintN(64, kind === 'min' ? half - 1n : -half);
}

/** A width a comparison range can have (comparisons.ts): 2 … 64 bits. */
export function isComparisonBits(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 2 && value <= 64;
}

/** Whether a MIN/MAX partial lies in the range its comparisons were planned for. */
export function inComparisonRange(value: bigint, bits: number): boolean {
  const half = 1n << BigInt(bits - 1);
  return value >= -half && value < half;
}

/** The additive share that stands for "this owner has no such group": the identity of the combination. */
export function absentShare(kind: ReaggregateKind, self: number, bits = 64): bigint {
  return self === 0 ? reaggregateIdentity(kind, bits) : 0n;
}

/**
 * Every party holds its additive share `mine` of the same-length vector x; the result is
 * a replicated sharing of x. Each party shares its additive share as an input (one round
 * for all three) and the three sharings are added. Reveals the length.
 */
export async function shareAdditiveA(party: Party, mine: Words): Promise<AShare> {
  const n = mine.length;
  const batch = party.batch();
  const parts = ([0, 1, 2] as const).map((host) => batch.shareInputA(host === party.self ? mine : null, host, n));
  await batch.run();
  return party.addA(party.addA(parts[0].value, parts[1].value), parts[2].value);
}

/**
 * What the recipient learns of combined columns other than their value (the default): a
 * count kept only to tell an empty group (NULL) is revealed as whether it is nonzero;
 * an average as its quotient alone (average.ts), neither its sum nor its count.
 */
export interface ReaggregateReveal {
  /** 'add' columns revealed as 1 when nonzero, else 0. */
  readonly nonzero?: readonly number[];
  /** 'add' column `sum` over 'add' column `count`, revealed in the sum's place as two vectors (integer part, fraction bits). */
  readonly averages?: readonly { readonly sum: number; readonly count: number }[];
  /** Every average's magnitude is below 2^averageBits (its values' range). */
  readonly averageBits?: number;
}

/** Vectors a column takes in the output (2 for an average's sum: integer part and fraction). */
export function outputWidths(columns: number, reveal: ReaggregateReveal = {}): number[] {
  const sums = new Set((reveal.averages ?? []).map((a) => a.sum));
  return Array.from({ length: columns }, (_, c) => (sums.has(c) ? 2 : 1));
}

/**
 * Re-aggregation of partial aggregates across `owners` owners: `mine` is this party's
 * additive share of every owner's partials, laid out [owner][column][group] (absent
 * groups filled with `absentShare`). 'add' columns are summed (local), 'min' and 'max'
 * columns reduced by a balanced tree of secure comparisons, all columns of one tree
 * level in one less-than and one multiplexer (12 rounds a level, ⌈log2 owners⌉ levels;
 * fewer, and several times fewer bytes, when the MIN/MAX partials lie in a `bits`-bit
 * range: int4 and date columns, 32). `reveal` turns counts into nonzero flags and sums
 * into averages (one equality with 0 for all flags, one division for all averages).
 * Returns this party's output share, re-randomised: the recipient adds the three output
 * shares to get the combined columns, [column][group], `outputWidths` vectors each.
 * Reveals nothing but the lengths.
 */
export async function reaggregateAt(party: Party, kinds: readonly ReaggregateKind[], owners: number, groups: number, mine: Words, bits = 64, reveal: ReaggregateReveal = {}): Promise<Words> {
  const columns = kinds.length;
  if (mine.length !== owners * columns * groups) {
    throw new PgError(SqlState.internalError, `re-aggregation input of ${mine.length} words, not ${owners} × ${columns} × ${groups}`);
  }
  checkReveal(kinds, reveal);
  if (groups === 0 || columns === 0) return new BigUint64Array(0);
  const shared = await shareAdditiveA(party, mine);
  const at = (owner: number, column: number): AShare => sliceA(shared, (owner * columns + column) * groups, (owner * columns + column + 1) * groups);
  const result: AShare[] = [];
  const extremes: number[] = [];
  for (let c = 0; c < columns; c++) {
    if (kinds[c] === 'add') {
      let total = at(0, c);
      for (let o = 1; o < owners; o++) total = party.addA(total, at(o, c));
      result.push(total);
    } else {
      result.push(at(0, c));
      extremes.push(c);
    }
  }
  if (extremes.length > 0 && owners > 1) {
    // level[c] holds the current candidates of column c, one AShare per remaining owner.
    let level = new Map(extremes.map((c) => [c, Array.from({ length: owners }, (_, o) => at(o, c))]));
    while (level.get(extremes[0]!)!.length > 1) {
      const xs: AShare[] = [];
      const ys: AShare[] = [];
      const pairs = Math.floor(level.get(extremes[0]!)!.length / 2);
      for (const c of extremes) {
        const candidates = level.get(c)!;
        for (let p = 0; p < pairs; p++) {
          xs.push(candidates[2 * p]!);
          ys.push(candidates[2 * p + 1]!);
        }
      }
      const x = concatA(xs);
      const y = concatA(ys);
      const smaller = await muxA(party, await lessThanA(party, x, y, { bits }), x, y);
      const larger = party.subA(party.addA(x, y), smaller);
      const next = new Map<number, AShare[]>();
      extremes.forEach((c, k) => {
        const candidates = level.get(c)!;
        const chosen = kinds[c] === 'min' ? smaller : larger;
        const kept: AShare[] = [];
        for (let p = 0; p < pairs; p++) kept.push(sliceA(chosen, (k * pairs + p) * groups, (k * pairs + p + 1) * groups));
        if (candidates.length % 2 === 1) kept.push(candidates[candidates.length - 1]!);
        next.set(c, kept);
      });
      level = next;
    }
    for (const c of extremes) result[c] = level.get(c)![0]!;
  }
  const outputs: AShare[][] = result.map((r) => [r]);
  const averages = reveal.averages ?? [];
  if (averages.length > 0) {
    const quotient = await averageA(party, concatA(averages.map((a) => result[a.sum]!)), concatA(averages.map((a) => result[a.count]!)), reveal.averageBits ?? 64);
    averages.forEach((a, i) => {
      const slice = (x: AShare): AShare => sliceA(x, i * groups, (i + 1) * groups);
      outputs[a.sum] = [slice(quotient.integer), slice(quotient.fraction)];
      // The count's flag comes with the division.
      if (reveal.nonzero?.includes(a.count)) outputs[a.count] = [slice(quotient.nonempty)];
    });
  }
  const nonzero = (reveal.nonzero ?? []).filter((c) => !averages.some((a) => a.count === c));
  if (nonzero.length > 0) {
    const zero = await isZeroA(party, concatA(nonzero.map((c) => result[c]!)));
    const flags = party.addConstA(party.negA(zero), 1n);
    nonzero.forEach((c, i) => {
      outputs[c] = [sliceA(flags, i * groups, (i + 1) * groups)];
    });
  }
  const all = concatA(outputs.flat());
  return party.kernels.add(all.s0, party.randomness.zeroShareA(all.s0.length));
}

/** Columns named by `reveal` exist, are 'add' columns and have one role each (else XX000). */
export function checkReveal(kinds: readonly ReaggregateKind[], reveal: ReaggregateReveal): void {
  const nonzero = reveal.nonzero ?? [];
  const sums = (reveal.averages ?? []).map((a) => a.sum);
  const counts = (reveal.averages ?? []).map((a) => a.count);
  const bad = (what: string): never => {
    throw new PgError(SqlState.internalError, `re-aggregation reveal plan: ${what}`);
  };
  for (const c of [...nonzero, ...sums, ...counts]) if (!Number.isInteger(c) || c < 0 || c >= kinds.length || kinds[c] !== 'add') bad(`column ${c} is not a summed column`);
  if (new Set([...nonzero, ...sums]).size !== nonzero.length + sums.length || sums.some((c) => counts.includes(c))) bad('a column has two roles');
  if (reveal.averageBits !== undefined && !isComparisonBits(reveal.averageBits)) bad(`average bits ${reveal.averageBits}`);
}

/**
 * Distinct counts over owners' key columns (each owner's keys distinct, e.g. hashes of
 * `SELECT DISTINCT key`): `mine` is this party's additive share of all owners' keys
 * concatenated. Returns the output share of [union, keys at ≥ 2 owners]; see
 * distinct-count.ts for the method and what it reveals (the owners' key counts).
 */
export async function distinctCountAdditiveAt(party: Party, mine: Words): Promise<Words> {
  const keys = await shareAdditiveA(party, mine);
  return countDistinctShared(party, keys);
}

/** The recipient adds the three output shares of `reaggregateAt` or `distinctCountAdditiveAt`. */
export function openOutputShares(shares: readonly Words[], length: number): bigint[] {
  if (shares.length !== 3) throw new PgError(SqlState.protocolViolation, `${shares.length} output shares, not 3`);
  for (const s of shares) if (s.length !== length) throw new PgError(SqlState.protocolViolation, `an output share has ${s.length} words, not ${length}`);
  return Array.from({ length }, (_, i) => BigInt.asIntN(64, shares[0]![i]! + shares[1]![i]! + shares[2]![i]!));
}
