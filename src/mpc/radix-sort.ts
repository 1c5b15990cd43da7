import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { a2b, b2a, bitToA } from './conversions.js';
import type { Party } from './party.js';
import { prefixSumA } from './prefix.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, concatA, concatB, shareLength, sliceA, type AShare, type BShare } from './shares.js';
import { gatherPermutation, moveRows, scatterPermutation, shuffleAndOpen, shuffleAndOpenAdditive, unshuffle, type Column } from './shuffle.js';

/**
 * Radix sort of shared columns (Hamada et al. 2014, in the three-party form of Asharov
 * et al. 2022): least significant bit first, each bit a stable partition. A stable
 * partition turns the bit t into a secret destination (the rank among the rows with
 * the same bit, from a local prefix sum, plus the number of zeros for the ones), and
 * applies that secret permutation by shuffling the rows with it and opening the
 * shuffled destinations — a uniformly random permutation, so opening it reveals nothing
 * — then moving the rows locally. Every row moves as a whole, so any number of payload
 * columns (arithmetic or boolean, one element per word) come along.
 *
 * The digits are two bits wide (radix 4, a bucket partition into four): per digit the
 * two bits to arithmetic (2 rounds), their product for the one-hot buckets (1), the
 * destination as one inner product (1), shuffle and open (3): 7 rounds per two key bits
 * (6 for a last odd bit), one shuffle of the carried columns. Against a sorting
 * network's O(log² n) comparisons per element this is O(ℓ) cheap products per element.
 */

/** Public 0, 1, …, n−1 plus `offset` as words (n < 2^32). */
export function iota(n: number, offset = 0): Words {
  const out = new BigUint64Array(n);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) halves[2 * i] = i + offset;
  return out;
}

/**
 * Stable partition: rows with t = 0 first, then rows with t = 1, each group in its
 * original order. `t` holds arithmetic 0/1 values. With `revealZeros`, the number of
 * rows with t = 0 is opened to every party (in the same round as the product).
 * 4 rounds; `undo` moves other columns of the partitioned order back to the input
 * order (3 rounds). Reveals nothing else (the opened destinations are a uniformly random
 * permutation of 0..n−1).
 */
export async function stablePartitionA<T extends Column>(
  party: Party,
  t: AShare,
  columns: readonly T[],
  revealZeros = false,
): Promise<{ columns: T[]; zeros: number | null; undo: <U extends Column>(moved: readonly U[]) => Promise<U[]> }> {
  const n = shareLength(t);
  for (const c of columns) if (shareLength(c) !== n) throw new PgError(SqlState.internalError, `a partitioned column has ${shareLength(c)} rows, not ${n}`);
  if (n === 0) return { columns: [...columns], zeros: revealZeros ? 0 : null, undo: async (moved) => [...moved] };
  if (n >= 2 ** 32) throw new PgError(SqlState.programLimitExceeded, `a shared column of ${n} rows is too long to sort`);
  const { kernels } = party;
  // pt = inclusive prefix sum of t; ones = pt[n−1]. A row with t = 1 goes to
  // zeros + pt − 1, one with t = 0 to i − pt: dest = (i − pt) + t·(2pt − ones + n − 1 − i).
  const pt = prefixSumA(t);
  const last = aShare(pt.s0.subarray(n - 1), pt.s1.subarray(n - 1));
  const twice = party.mulConstA(pt, 2n);
  const u0 = aShare(kernels.addConst(twice.s0, -last.s0[0]!), kernels.addConst(twice.s1, -last.s1[0]!));
  const countDown = new BigUint64Array(n);
  const halves = new Uint32Array(countDown.buffer);
  for (let i = 0; i < n; i++) halves[2 * i] = n - 1 - i;
  const u = party.addConstA(u0, countDown);
  const base = party.addConstA(party.negA(pt), iota(n));
  const batch = party.batch();
  const product = batch.mulA(t, u);
  const zeros = revealZeros ? batch.revealA(party.subA(party.constantA(BigUint64Array.of(BigInt(n))), last)) : null;
  await batch.run();
  const dest = party.addA(base, product.value);
  const { columns: shuffled, opened, permutation } = await shuffleAndOpen(party, columns, [dest]);
  const perm = destinations(party, opened[0]!);
  const placed = moveRows(shuffled, perm, scatterPermutation);
  // Back to the input order: undo the local placement, then the shuffle.
  const undo = async <U extends Column>(moved: readonly U[]): Promise<U[]> => unshuffle(party, permutation, moveRows(moved, perm, gatherPermutation));
  let count: number | null = null;
  if (zeros) {
    const z = zeros.value[0]!;
    if (z > BigInt(n)) throw abort(party, `a partition opened ${z} zero rows of ${n}`);
    count = Number(z);
  }
  return { columns: placed, zeros: count, undo };
}

/** The opened destinations as a checked permutation. */
function destinations(party: Party, opened: Words): Uint32Array {
  const n = opened.length;
  const halves = new Uint32Array(opened.buffer, opened.byteOffset, 2 * n);
  const perm = new Uint32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = halves[2 * i]!;
    if (halves[2 * i + 1]! !== 0 || d >= n || seen[d]) throw abort(party, 'the opened destinations of a partition are not a permutation');
    seen[d] = 1;
    perm[i] = d;
  }
  return perm;
}

function abort(party: Party, message: string): PgError {
  const error = new PgError(SqlState.protocolViolation, message);
  party.exchange.abort(message);
  return error;
}

export interface RadixSortOptions {
  /**
   * Bits per key (1..64, default 64): key j is a signed value in
   * [−2^(bits−1), 2^(bits−1)). Fewer bits, fewer rounds.
   */
  readonly bits?: readonly number[];
}

/**
 * Sorts rows by `keys` (most significant first; signed ascending, the whole 64-bit range
 * by default), moving the `payload` columns with them. Stable: rows with equal keys keep
 * their input order (ties broken by position), which is what lets several keys be sorted
 * least significant first. Fewer rounds than `quickSortB` (which the group-by and the join
 * use), about twice its bytes: the better choice on a link of high latency.
 *
 * What it reveals: nothing but the number of rows. Rounds (n ≥ 2): 8 for the A2B of all
 * keys at once, then 7 per two bits of each key and 6 for an odd last bit
 * (`radixSortRounds`: 232 for one 64-bit key). The keys go through the digits in boolean
 * form only and come back to arithmetic form at the end (`b2a`, 9 rounds). Two or more
 * payload columns go by a row index instead, carried through the digits in their place,
 * and move once at the end (`gatherByIndex`, 6 rounds). No rounds for n ≤ 1.
 */
export async function radixSortA<P extends Column>(party: Party, keys: readonly AShare[], payload: readonly P[] = [], options: RadixSortOptions = {}): Promise<{ keys: AShare[]; payload: P[] }> {
  const sorted = await radixSort(party, keys, payload, options, 'arithmetic');
  return { keys: sorted.arithmetic, payload: sorted.payload };
}

/**
 * As radixSortA, with the sorted keys returned in boolean form (one value per word),
 * without the conversion back (`b2a`, 9 rounds), for callers that go on with boolean
 * keys (equalB, a group-by): `radixSortRounds` with `arithmetic` false; for n ≤ 1 the 8
 * of the A2B. Reveals nothing but the number of rows.
 */
export async function radixSortB<P extends Column>(party: Party, keys: readonly AShare[], payload: readonly P[] = [], options: RadixSortOptions = {}): Promise<{ keys: BShare[]; payload: P[] }> {
  const sorted = await radixSort(party, keys, payload, options, 'boolean');
  return { keys: sorted.boolean, payload: sorted.payload };
}

async function radixSort<P extends Column>(
  party: Party,
  keys: readonly AShare[],
  payload: readonly P[],
  options: RadixSortOptions,
  form: 'arithmetic' | 'boolean',
): Promise<{ arithmetic: AShare[]; boolean: BShare[]; payload: P[] }> {
  const { n, bits } = sortShape(keys, payload, options);
  const signBit = (j: number): bigint => 1n << BigInt(bits[j]! - 1);
  if (n <= 1 && form === 'arithmetic') return { arithmetic: [...keys], boolean: [], payload: [...payload] };
  // Boolean form of every key.
  const all = await a2b(party, concatA(keys));
  const wordsOf = (j: number): BShare => bShare(all.s0.subarray(j * n, (j + 1) * n), all.s1.subarray(j * n, (j + 1) * n));
  if (n <= 1) return { arithmetic: [], boolean: keys.map((_, j) => wordsOf(j)), payload: [...payload] };
  // The keys travel in boolean form only, the sign bit flipped (unsigned order is signed
  // order); arithmetic keys to return come from it at the end (b2a: about 14 word-ANDs per
  // value, against 1⅓ words per digit for a column carried through every digit).
  let boolKeys: BShare[] = keys.map((_, j) => party.xorConstB(wordsOf(j), signBit(j)));
  let rest = [...payload];
  // Two or more payload columns: a row index goes through the digits in their place, and
  // they move once, by it, at the end.
  const deferred = deferPayload(rest.length) ? rest : null;
  if (deferred) rest = [];
  let index: AShare | null = deferred ? party.constantA(iota(n)) : null;
  for (let j = keys.length - 1; j >= 0; j--) {
    for (let i = 0; i < bits[j]!; i += 2) {
      const width = Math.min(2, bits[j]! - i);
      // The digit's bits (bit 0 of each word) to 0/1 values, both in one conversion.
      const digit = party.shrB(boolKeys[j]!, i);
      const low = party.andConstB(digit, 1n);
      const bitsB = width === 1 ? low : concatB([low, party.andConstB(party.shrB(digit, 1), 1n)]);
      const bitsA = await bitToA(party, bitsB);
      const b0 = aShare(bitsA.s0.subarray(0, n), bitsA.s1.subarray(0, n));
      let buckets: AShare[];
      if (width === 1) buckets = [party.addConstA(party.negA(b0), 1n), b0];
      else {
        const b1 = aShare(bitsA.s0.subarray(n), bitsA.s1.subarray(n));
        const both = await party.mulA(b0, b1);
        // One-hot of the digit v = b0 + 2·b1.
        const one = party.subA(party.addA(b0, b1), both);
        buckets = [party.addConstA(party.negA(one), 1n), party.subA(b0, both), party.subA(b1, both), both];
      }
      const carried: Column[] = [...boolKeys, ...(index ? [index] : []), ...rest];
      const columns = await bucketPartitionA(party, buckets, carried);
      let at = 0;
      boolKeys = boolKeys.map(() => columns[at++] as BShare);
      if (index) index = columns[at++] as AShare;
      rest = rest.map(() => columns[at++] as P);
    }
  }
  if (deferred) rest = (await gatherByIndex(party, index!, deferred)) as P[];
  const boolean = boolKeys.map((b, j) => party.xorConstB(b, signBit(j)));
  if (form === 'boolean') return { arithmetic: [], boolean, payload: rest };
  const arithmetic = await b2a(party, concatB(boolean));
  return { arithmetic: keys.map((_, j) => sliceA(arithmetic, j * n, (j + 1) * n)), boolean: [], payload: rest };
}

/** A sort's row count and key widths, its columns and options checked (internal errors: the caller's mistake). */
export function sortShape(keys: readonly AShare[], payload: readonly Column[], options: RadixSortOptions): { n: number; bits: readonly number[] } {
  if (keys.length === 0) throw new PgError(SqlState.internalError, 'a sort needs at least one key');
  const n = shareLength(keys[0]!);
  for (const c of [...keys, ...payload]) if (shareLength(c) !== n) throw new PgError(SqlState.internalError, `a sorted column has ${shareLength(c)} rows, not ${n}`);
  const bits = options.bits ?? keys.map(() => 64);
  if (bits.length !== keys.length || bits.some((b) => !Number.isInteger(b) || b < 1 || b > 64)) {
    throw new PgError(SqlState.internalError, `sort key bit widths ${JSON.stringify(bits)} do not fit ${keys.length} keys`);
  }
  if (n >= 2 ** 32) throw new PgError(SqlState.programLimitExceeded, `a shared column of ${n} rows is too long to sort`);
  return { n, bits };
}

/** Whether a sort moves its `columns` payload columns by a row index at the end. */
function deferPayload(columns: number): boolean {
  return columns >= 2;
}

/**
 * Rows moved by a secret permutation given as a shared vector: out[i] = x[index[i]]. The
 * index is shuffled with a fresh π and opened (a uniformly random permutation, whatever
 * the index), each party gathers its shares of x by it locally — π(out) — and π is undone
 * on the moved columns. 6 rounds. Reveals nothing.
 */
async function gatherByIndex(party: Party, index: AShare, columns: readonly Column[]): Promise<Column[]> {
  const { opened, permutation } = await shuffleAndOpen(party, [], [index]);
  const order = destinations(party, opened[0]!);
  return unshuffle(party, permutation, moveRows(columns, order, gatherPermutation));
}

/**
 * Rounds of a radix sort of n rows with the given key widths and `columns` payload
 * columns: 6 more when two or more move by a row index at the end, 9 more for keys
 * returned in arithmetic form (`radixSortA`).
 */
export function radixSortRounds(n: number, bits: readonly number[], columns = 0, arithmetic = false): number {
  return n <= 1 ? 0 : 8 + bits.reduce((s, b) => s + 7 * Math.floor(b / 2) + 6 * (b % 2), 0) + (deferPayload(columns) ? 6 : 0) + (arithmetic ? 9 : 0);
}

/**
 * Stable partition into buckets: `buckets` are 0/1 indicator columns, exactly one of
 * them 1 in every row; rows of bucket 0 come first, then bucket 1, …, each bucket in
 * its input order. The destination Σ_v e_v·(offset_v + rank_v) is one inner product
 * (local prefix sums give the ranks and totals), whose 3-out-of-3 local sums go straight
 * into the shuffle that opens it (`shuffleAndOpenAdditive`): 4 rounds. Reveals nothing
 * (the opened destinations are a uniformly random permutation).
 */
export async function bucketPartitionA<T extends Column>(party: Party, buckets: readonly AShare[], columns: readonly T[]): Promise<T[]> {
  const n = shareLength(buckets[0]!);
  if (n === 0) return [...columns];
  const { kernels, randomness } = party;
  let offset = aShare(BigUint64Array.of(0n), BigUint64Array.of(0n));
  let acc = randomness.zeroShareA(n);
  for (const e of buckets) {
    const rank = prefixSumA(e);
    // offset_v + rank_v − 1, with the shared scalar offset added component-wise.
    const target = party.addConstA(aShare(kernels.addConst(rank.s0, offset.s0[0]!), kernels.addConst(rank.s1, offset.s1[0]!)), -1n);
    kernels.mulLocal(e.s0, e.s1, target.s0, target.s1, acc, acc);
    offset = aShare(kernels.add(offset.s0, rank.s0.subarray(n - 1)), kernels.add(offset.s1, rank.s1.subarray(n - 1)));
  }
  // The 3-out-of-3 sum goes into the shuffle as it is: opened there, never reshared.
  const { columns: shuffled, opened } = await shuffleAndOpenAdditive(party, columns, acc);
  const perm = destinations(party, opened);
  return moveRows(shuffled, perm, scatterPermutation);
}
