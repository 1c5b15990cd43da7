import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { a2b, b2a } from './conversions.js';
import type { Party } from './party.js';
import { iota, sortShape, type RadixSortOptions } from './radix-sort.js';
import { lessThanPackedB } from './sliced.js';
import { bShare, concatA, concatB, shareLength, sliceA, type AShare, type BShare } from './shares.js';
import { gatherPermutation, moveRows, shuffle, type Column } from './shuffle.js';

/**
 * Sort by comparisons after a shuffle (Hamada et al. 2012, "Practically efficient
 * multi-party sorting protocols from comparison sort algorithms"): the rows are shuffled
 * with a fresh secret permutation, then sorted by quicksort whose comparison results are
 * opened, and the rows are moved locally by the order found. Each key is made unique by
 * its row's input position, appended as the least significant part of the key: so the
 * comparisons decide a strict order, the sort is stable (equal keys keep their input
 * order), and since the shuffled rows' ranks are a uniformly random permutation whatever
 * the data, the opened results — and so the number of rounds — are too: they reveal
 * nothing about the keys.
 *
 * Quicksort runs level by level: at each level every unfinished segment takes its first
 * row as pivot (a random row, the rows being shuffled), all its other rows are compared
 * with it in one batch of comparisons for all segments together (boolean, on bit planes:
 * `lessThanPackedB`), the packed results are opened in one round, and every segment is
 * split locally into its rows below the pivot, the pivot, and those above. About
 * 2·n·ln n comparisons of (bits + ⌈log2 n⌉) bits (~31 bytes each per party for a 64-bit
 * key and n = 2^20) against the radix sort's ~3.3 words per key bit per row; the levels
 * are the height of a random binary search tree, about 4.3·ln n (near 60 for 2^20 rows),
 * each 2 + ⌈log2(bits + ⌈log2 n⌉)⌉ rounds: more rounds than the radix sort, fewer bytes.
 * When the keys' bits and the position's fit in 64 (an int4 key and up to 2^32 rows),
 * they are packed into one word and compared as one.
 */

/**
 * Sorts rows by `keys` (most significant first; signed ascending, the whole 64-bit range
 * by default, narrower with `options.bits`), moving the `payload` columns with them,
 * stably. The sorted keys come back in boolean form (one value per word), as equalB and
 * the group-by and join take them. Rounds: 8 for the A2B of the keys, 3 for the shuffle
 * of keys, row positions and payload, then the levels of quicksort (`quickSortLevelRounds`
 * each; how many levels is random, not data-dependent). No rounds but the A2B for n ≤ 1.
 * Reveals nothing but the number of rows.
 */
export async function quickSortB<P extends Column>(party: Party, keys: readonly AShare[], payload: readonly P[] = [], options: RadixSortOptions = {}): Promise<{ keys: BShare[]; payload: P[] }> {
  const { n, bits } = sortShape(keys, payload, options);
  const all = await a2b(party, concatA(keys));
  const wordsOf = (j: number): BShare => bShare(all.s0.subarray(j * n, (j + 1) * n), all.s1.subarray(j * n, (j + 1) * n));
  if (n <= 1) return { keys: keys.map((_, j) => wordsOf(j)), payload: [...payload] };
  // Unsigned order of the sign-flipped low `bits` is signed order.
  const signBit = (j: number): bigint => 1n << BigInt(bits[j]! - 1);
  const flipped = keys.map((_, j) => party.xorConstB(wordsOf(j), signBit(j)));
  const position = party.constantB(iota(n));
  const positionBits = Math.max(1, Math.ceil(Math.log2(n)));
  const total = bits.reduce((sum, b) => sum + b, positionBits);
  // Keys and position that fit in one word are compared as one (half the bit planes to
  // make and rows to move for an int4 key); the keys then travel beside it, as they are.
  const { sortKey, widths } =
    total <= 64
      ? { sortKey: [packed(party, flipped, bits, position, positionBits)], widths: [total] }
      : { sortKey: [...flipped, position], widths: [...bits, positionBits] };
  const carried = total <= 64 ? flipped : [];
  const { columns } = await shuffle<Column>(party, [...sortKey, ...carried, ...payload]);
  const order = await quickSortOrder(party, columns.slice(0, sortKey.length) as BShare[], widths);
  const moved = moveRows(columns, order, gatherPermutation);
  // The sorted keys: the carried ones, or the sort key's own words.
  const sortedKeys = total <= 64 ? moved.slice(sortKey.length, sortKey.length + keys.length) : moved.slice(0, keys.length);
  return {
    keys: sortedKeys.map((k, j) => party.xorConstB(k as BShare, signBit(j))),
    payload: moved.slice(sortKey.length + carried.length) as P[],
  };
}

/** The keys' low `bits` (most significant key highest) above the position's low `positionBits`, in one word. Local. */
function packed(party: Party, keys: readonly BShare[], bits: readonly number[], position: BShare, positionBits: number): BShare {
  let word = position;
  let offset = positionBits;
  for (let j = keys.length - 1; j >= 0; j--) {
    word = party.xorB(word, party.shlB(party.andConstB(keys[j]!, (1n << BigInt(bits[j]!)) - 1n), offset));
    offset += bits[j]!;
  }
  return word;
}

/** As quickSortB, with the sorted keys brought back to arithmetic form (b2a: 9 rounds more). Reveals nothing but the number of rows. */
export async function quickSortA<P extends Column>(party: Party, keys: readonly AShare[], payload: readonly P[] = [], options: RadixSortOptions = {}): Promise<{ keys: AShare[]; payload: P[] }> {
  const { n } = sortShape(keys, payload, options);
  if (n <= 1) return { keys: [...keys], payload: [...payload] };
  const sorted = await quickSortB(party, keys, payload, options);
  const arithmetic = await b2a(party, concatB(sorted.keys));
  return { keys: keys.map((_, j) => sliceA(arithmetic, j * n, (j + 1) * n)), payload: sorted.payload };
}

/** Rounds of one level of the quicksort: the comparison of `bits` key bits plus the row position's `positionBits`, and the opening. */
export function quickSortLevelRounds(bits: readonly number[], positionBits: number): number {
  const total = bits.reduce((s, b) => s + b, positionBits);
  return 2 + Math.ceil(Math.log2(total));
}

/**
 * The sorted order of rows whose keys are all distinct (their words most significant
 * first, each of its `widths`): out[i] is the row that goes to position i. Every
 * comparison result is opened; see quickSortB for why that reveals nothing when the
 * rows were shuffled. The key words of the unfinished rows are kept in the current
 * order, each level's segments partitioned from one buffer into the other, so a level
 * reads its rows in runs, not scattered; a row's place is final once it is a pivot or
 * alone in its part. (The per-row loops are plain functions of their own: V8 optimizes
 * loops inside an async function poorly, ~10× slower here.)
 */
async function quickSortOrder(party: Party, key: readonly BShare[], widths: readonly number[]): Promise<Uint32Array> {
  const n = shareLength(key[0]!);
  // Every key word's two components as 32-bit halves (no BigInt per row), in the current order.
  const level: Level = {
    current: key.flatMap((w) => [w.s0, w.s1]).map((c) => new Uint32Array(c.slice().buffer)),
    following: [],
    order: new Uint32Array(n),
    nextOrder: new Uint32Array(n),
    sorted: new Uint32Array(n),
    dest: new Uint32Array(n),
    segments: [0, n],
  };
  level.following = level.current.map(() => new Uint32Array(2 * n));
  for (let i = 0; i < n; i++) level.order[i] = i;
  // A level's operands (their first m words): each segment's rows after its first, and that first row, the pivot, beside each.
  const rows = level.current.map(() => new BigUint64Array(n));
  const pivots = level.current.map(() => new BigUint64Array(n));
  while (level.segments.length > 0) {
    const m = gatherOperands(level, rows, pivots);
    const operands = (columns: BigUint64Array[]): BShare[] => key.map((_, j) => bShare(columns[2 * j]!.subarray(0, m), columns[2 * j + 1]!.subarray(0, m)));
    const below = await party.revealB(await lessThanPackedB(party, operands(rows), operands(pivots), widths));
    // Value i is bit i mod 64 of word ⌊i/64⌋, so bit i mod 32 of 32-bit half ⌊i/32⌋ (little-endian).
    const bits = new Uint32Array(below.buffer, below.byteOffset, 2 * below.length);
    // Bits past the last comparison are zero in an honest run; anything else is a malformed opening.
    for (let i = m; i < 32 * bits.length; i += 32 - (i % 32)) if (bits[i >>> 5]! >>> (i & 31) !== 0) throw abort(party, 'an opened comparison has bits past its last value');
    partition(level, bits);
  }
  return level.sorted;
}

/** The set bits among bits from..to−1 of `bits` (bit i is bit i mod 32 of word ⌊i/32⌋). */
function countOnes(bits: Uint32Array, from: number, to: number): number {
  let count = 0;
  let i = from;
  for (; i < to && (i & 31) !== 0; i++) count += (bits[i >>> 5]! >>> (i & 31)) & 1;
  for (; i + 32 <= to; i += 32) {
    // Population count of a 32-bit word (Hacker's Delight 5-2).
    let v = bits[i >>> 5]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  }
  for (; i < to; i++) count += (bits[i >>> 5]! >>> (i & 31)) & 1;
  return count;
}

/** Rows from which a segment's operands are copied and filled whole rather than row by row. */
const LONG_SEGMENT = 32;

/** The quicksort's state between levels (quickSortOrder). */
interface Level {
  /** The key words' components as 32-bit halves, in the current order (meaningful for unfinished rows), and the buffer the next level's go to. */
  current: Uint32Array[];
  following: Uint32Array[];
  /** Which shuffled row is at each position now, and next. */
  order: Uint32Array;
  nextOrder: Uint32Array;
  /** Positions whose row is final: sorted[i] is the shuffled row at position i. */
  sorted: Uint32Array;
  /** Where each row of an unfinished segment goes in this level. */
  dest: Uint32Array;
  /** Unfinished segments [lo, hi) of the current order, two or more rows each, as lo, hi pairs. */
  segments: number[];
}

/** Each unfinished segment's rows after its first, and its first row beside each, into `rows` and `pivots`; returns their number. */
function gatherOperands(level: Level, rows: BigUint64Array[], pivots: BigUint64Array[]): number {
  const { current, segments } = level;
  let m = 0;
  for (let c = 0; c < current.length; c++) {
    const [h, r, p] = [current[c]!, new Uint32Array(rows[c]!.buffer), new Uint32Array(pivots[c]!.buffer)];
    const words = new BigUint64Array(h.buffer);
    let at = 0;
    for (let s = 0; s < segments.length; s += 2) {
      const lo = segments[s]!;
      const end = 2 * segments[s + 1]!;
      if (end - 2 * lo >= 2 * LONG_SEGMENT) {
        // A long segment: one copy and one fill (a BigInt per segment, none per row).
        r.set(h.subarray(2 * lo + 2, end), at);
        pivots[c]!.fill(words[lo]!, at / 2, (at + end - 2 * lo - 2) / 2);
        at += end - 2 * lo - 2;
        continue;
      }
      const [low, high] = [h[2 * lo]!, h[2 * lo + 1]!];
      for (let i = 2 * lo + 2; i < end; i += 2, at += 2) {
        r[at] = h[i]!;
        r[at + 1] = h[i + 1]!;
        p[at] = low;
        p[at + 1] = high;
      }
    }
    m = at / 2;
  }
  return m;
}

/**
 * Splits every unfinished segment by its opened comparisons (`bits`, one per row after
 * the pivot, in order): the rows below the pivot, the pivot, the others, each in their
 * order; records the rows whose place is now final and the next level's segments.
 */
function partition(level: Level, bits: Uint32Array): void {
  const { current, following, order, nextOrder, sorted, dest, segments } = level;
  const next: number[] = [];
  let at = 0;
  for (let s = 0; s < segments.length; s += 2) {
    const [lo, hi] = [segments[s]!, segments[s + 1]!];
    const pivotAt = lo + countOnes(bits, at, at + hi - lo - 1);
    let [low, high] = [lo, pivotAt + 1];
    dest[lo] = pivotAt;
    // Without a branch on the bit (half the rows go each way: a branch would be mispredicted half the time).
    for (let i = lo + 1; i < hi; i++, at++) {
      const below = (bits[at >>> 5]! >>> (at & 31)) & 1;
      dest[i] = high + below * (low - high);
      low += below;
      high += below ^ 1;
    }
    for (let i = lo; i < hi; i++) nextOrder[dest[i]!] = order[i]!;
    sorted[pivotAt] = nextOrder[pivotAt]!;
    for (const [from, to] of [[lo, pivotAt], [pivotAt + 1, hi]] as const) {
      if (to - from >= 2) next.push(from, to);
      else if (to - from === 1) sorted[from] = nextOrder[from]!;
    }
  }
  // A word's two components (always a pair of columns) move in one pass over dest.
  for (let c = 0; c < current.length; c += 2) {
    const [h0, h1, o0, o1] = [current[c]!, current[c + 1]!, following[c]!, following[c + 1]!];
    for (let s = 0; s < segments.length; s += 2) {
      for (let i = segments[s]!; i < segments[s + 1]!; i++) {
        const [d, j] = [2 * dest[i]!, 2 * i];
        o0[d] = h0[j]!;
        o0[d + 1] = h0[j + 1]!;
        o1[d] = h1[j]!;
        o1[d + 1] = h1[j + 1]!;
      }
    }
  }
  [level.current, level.following] = [following, current];
  [level.order, level.nextOrder] = [nextOrder, order];
  level.segments = next;
}

function abort(party: Party, message: string): PgError {
  const error = new PgError(SqlState.protocolViolation, message);
  party.exchange.abort(message);
  return error;
}
