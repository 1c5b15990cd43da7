import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, shareLength, wordBytes, type AShare, type BShare } from './shares.js';

/**
 * Oblivious shuffle of shared columns by three-party resharing of composed
 * permutations (the replicated-sharing shuffle of Araki et al. 2021 / Asharov et al.
 * 2022, semi-honest). The secret permutation is the composition of three steps; step k
 * applies π_k, drawn from the AES-CTR stream of the pair key held by parties k+1 and
 * k+2, so party k never learns π_k and no single party knows π. (The steps run in an
 * order rotated from one shuffle to the next, to share the sending out.)
 *
 * The columns travel as a 2-out-of-2 sharing between the pair that knows the next
 * step's permutation. It starts locally at the first step's pair: with party k left
 * out, party k+1 holds c_{k+1} + c_{k+2} and party k+2 holds c_k. Each step, the pair applies its permutation locally;
 * then the member that the next pair does not include hands its part to the one it
 * adds, masked by a word of the stream it shares with the member that stays (who
 * subtracts the same word): n words per column, one way, and the newcomer sees only
 * uniform words. After the last step the pair reshares into replicated components:
 * the party left out takes its two from the streams it shares with each of them, and
 * the two exchange their parts less those components (n words each way), each masked
 * by a component the receiver lacks. So 4n words per column in all (a resharing per
 * step would take 6n), and every party's view is uniform.
 *
 * Arithmetic and boolean columns (one element per word; XOR instead of +) move
 * together under the same permutation, in one message per step.
 *
 * What it reveals: nothing (the length, which every party knows already). Cost:
 * 3 rounds for any number of columns; no rounds when the columns are empty.
 */

export type Column = AShare | BShare;

/**
 * A secret permutation as the parties hold it: party i knows the two step permutations
 * of the steps it takes part in (`steps[i]` is null at party i). Reusable: `applyShuffle`
 * moves more columns with it, `unshuffle` undoes it.
 */
export interface SharedPermutation {
  readonly length: number;
  readonly steps: readonly [Uint32Array | null, Uint32Array | null, Uint32Array | null];
  /** The party left out of each step, in the order they were applied. */
  readonly order: readonly PartyIndex[];
}

/**
 * The step order of a fresh permutation, rotated from one shuffle to the next: who sends
 * what depends on it (one member hands over twice as much as the others), so the load
 * turns round the three parties. All three call shuffles in the same order, so their
 * counters agree.
 */
const shuffles = new WeakMap<Party, number>();
function freshOrder(party: Party): PartyIndex[] {
  const count = shuffles.get(party) ?? 0;
  shuffles.set(party, count + 1);
  const first = (count % 3) as PartyIndex;
  return [first, nextParty(first), prevParty(first)];
}

/** Shuffles the columns (all of one length) with one fresh secret permutation. 3 rounds; reveals nothing. */
export async function shuffle<T extends Column>(party: Party, columns: readonly T[]): Promise<{ columns: T[]; permutation: SharedPermutation }> {
  const n = commonLength(columns);
  const order = freshOrder(party);
  const result = await permuteChain(party, columns, n, order, { fresh: true });
  return { columns: result.columns as T[], permutation: { length: n, steps: result.steps, order } };
}

/** Moves more columns with a permutation from `shuffle`. 3 rounds; reveals nothing. */
export async function applyShuffle<T extends Column>(party: Party, permutation: SharedPermutation, columns: readonly T[]): Promise<T[]> {
  return (await permuteChain(party, columns, sameAs(permutation, columns), permutation.order, { given: permutation.steps, inverse: false })).columns as T[];
}

/** Undoes a permutation from `shuffle` (its steps' inverses in reverse order). 3 rounds; reveals nothing. */
export async function unshuffle<T extends Column>(party: Party, permutation: SharedPermutation, columns: readonly T[]): Promise<T[]> {
  return (await permuteChain(party, columns, sameAs(permutation, columns), [...permutation.order].reverse(), { given: permutation.steps, inverse: true })).columns as T[];
}

/**
 * Shuffles `columns` and `open` with one fresh secret permutation and opens the shuffled
 * `open` columns to all three parties, in the 3 rounds of the shuffle (the last step
 * opens instead of resharing). Reveals π(open) for each open column, nothing else: the
 * building block for applying a secret permutation (open π(σ), a uniformly random
 * permutation, then move π(x) locally). The permutation comes back for `unshuffle`.
 */
export async function shuffleAndOpen<T extends Column>(party: Party, columns: readonly T[], open: readonly AShare[]): Promise<{ columns: T[]; opened: Words[]; permutation: SharedPermutation }> {
  const n = commonLength([...columns, ...open]);
  const order = freshOrder(party);
  const result = await permuteChain(party, [...columns, ...open], n, order, { fresh: true }, open.length);
  return { columns: result.columns as T[], opened: result.opened, permutation: { length: n, steps: result.steps, order } };
}

/**
 * As shuffleAndOpen with one column to open given as this party's 3-out-of-3 additive
 * share (a product's local sum before its resharing round, say): that round is replaced
 * by one in which a single party sends its share, so 4 rounds, and the opened column
 * costs one word per value less than resharing it first would have.
 */
export async function shuffleAndOpenAdditive<T extends Column>(party: Party, columns: readonly T[], additive: Words): Promise<{ columns: T[]; opened: Words; permutation: SharedPermutation }> {
  const all = [...columns, aShare(additive, additive)];
  const n = commonLength(all);
  const order = freshOrder(party);
  const result = await permuteChain(party, all, n, order, { fresh: true }, 1, true);
  return { columns: result.columns as T[], opened: result.opened[0]!, permutation: { length: n, steps: result.steps, order } };
}

interface ChainResult {
  /** The reshared columns (without the opened ones). */
  columns: Column[];
  /** The opened columns' values. */
  opened: Words[];
  /** Each step's permutation at the two parties that know it, when drawn fresh. */
  steps: [Uint32Array | null, Uint32Array | null, Uint32Array | null];
}

/**
 * The three steps, party `order[i]` left out of step i: the 2-out-of-2 hand-overs between
 * them (one round each) and the final resharing, in which the last `open` columns are
 * opened instead: each member of the last pair sends its part to the other, and to the
 * party left out masked by a word of their pair stream (+z and −z), so that party sees
 * only a random split of the opened value. With `additive`, the last column is given as
 * 3-out-of-3 additive shares (each party's in s0) and is opened: one round more.
 */
async function permuteChain(
  party: Party,
  columns: readonly Column[],
  n: number,
  order: readonly PartyIndex[],
  how: { fresh: true } | { given: SharedPermutation['steps']; inverse: boolean },
  open = 0,
  additive = false,
): Promise<ChainResult> {
  const self = party.self;
  const { kernels, randomness } = party;
  const kept = columns.length - open;
  const steps: ChainResult['steps'] = [null, null, null];
  if (n === 0 || columns.length === 0) return { columns: columns.slice(0, kept), opened: columns.slice(kept).map(() => new BigUint64Array(0)), steps };
  const total = columns.length * n;
  const at = (w: Words, j: number): Words => w.subarray(j * n, (j + 1) * n);
  const combine = (like: readonly Column[], x: Words, y: Words, out: Words, op: 'add' | 'sub'): Words => combineColumns(kernels, like, n, x, y, out, op);
  /** One round: `sends`, and `words` words from each party in `from`. */
  const exchange = async (sends: Map<PartyIndex, Words>, from: readonly PartyIndex[], words: number): Promise<Map<PartyIndex, Words>> => {
    const outgoing = new Map<PartyIndex, Uint8Array>();
    for (const [to, w] of sends) outgoing.set(to, wordBytes(w));
    const received = await party.exchange.exchange(outgoing, [...from]);
    return new Map(from.map((f) => [f, party.wordsFrom(received, f, words, 'a shuffle step')]));
  };

  // The 2-out-of-2 start at the first step's pair: A = k+1 holds c_{k+1} + c_{k+2}, B = k+2 holds c_k.
  // An additive last column (this party's 3-out-of-3 share in s0) starts with one round
  // of its own: k hands its share to A (a uniform word: it carries k's zero-sharing).
  const first = order[0]!;
  const plain = additive ? columns.length - 1 : columns.length;
  let fromFirst: Words | null = null;
  if (additive) {
    const mine = columns[plain]!.s0;
    if (self === first) await exchange(new Map([[nextParty(first), mine]]), [], 0);
    else if (self === nextParty(first)) fromFirst = (await exchange(new Map(), [first], n)).get(first)!;
    else await exchange(new Map(), [], 0);
  }
  let part: Words | null = null;
  if (self === nextParty(first)) {
    part = new BigUint64Array(total);
    columns.slice(0, plain).forEach((c, j) => (c.kind === 'A' ? kernels.add(c.s0, c.s1, at(part!, j)) : kernels.xor(c.s0, c.s1, at(part!, j))));
    if (additive) kernels.add(columns[plain]!.s0, fromFirst!, at(part, plain));
  } else if (self === prevParty(first)) {
    part = new BigUint64Array(total);
    columns.slice(0, plain).forEach((c, j) => part!.set(c.s1, j * n));
    if (additive) part.set(columns[plain]!.s0, plain * n);
  }

  for (let i = 0; i < 3; i++) {
    const k = order[i]!;
    if (self !== k) {
      let perm: Uint32Array;
      let inverse = false;
      if ('fresh' in how) {
        perm = randomPermutation(randomness.component(prevParty(k), n));
        steps[k] = perm;
      } else {
        const given = how.given[k];
        if (!given || given.length !== n) throw new PgError(SqlState.internalError, `party ${self} lacks step ${k} of a shared permutation of ${n}`);
        perm = given;
        inverse = how.inverse;
      }
      const moved = new BigUint64Array(total);
      columns.forEach((_c, j) => (inverse ? scatterPermutation(at(part!, j), perm, at(moved, j)) : gatherPermutation(at(part!, j), perm, at(moved, j))));
      part = moved;
    }
    if (i === 2) break;
    // Hand-over to the next pair: `leaving` gives its part to `joining` (k), masked by the
    // stream it shares with `staying`, who takes the mask off its own part.
    const leaving = order[i + 1]!;
    const joining = k;
    const staying = (3 - leaving - joining) as PartyIndex;
    const stream = prevParty(leaving) === staying ? leaving : staying;
    if (self === leaving) {
      const masked = combine(columns, part!, randomness.component(stream, total), part!, 'add');
      await exchange(new Map([[joining, masked]]), [], 0);
      part = null;
    } else if (self === staying) {
      part = combine(columns, part!, randomness.component(stream, total), part!, 'sub');
      await exchange(new Map(), [], 0);
    } else {
      part = (await exchange(new Map(), [leaving], total)).get(leaving)!;
    }
  }

  // Back to replicated components at the last pair U = w+1, V = w+2, w left out: c'_w from
  // the stream of w and V, c'_{w+1} from that of w and U; c'_{w+2} = (y_U − c'_{w+1}) + (y_V − c'_w),
  // whose two terms U and V swap.
  const w = order[2]!;
  const u = nextParty(w);
  const v = prevParty(w);
  const m = kept * n;
  const keptColumns = columns.slice(0, kept);
  const openColumns = columns.slice(kept);
  const sumOpened = (x: Words, y: Words): Words[] => split(combine(openColumns, x, y, new BigUint64Array(open * n), 'add'), open, n);
  if (self === w) {
    const cw = randomness.component(w, m);
    const cu = randomness.component(u, m);
    const received = await exchange(new Map(), open > 0 ? [u, v] : [], open * n);
    const opened = open > 0 ? sumOpened(received.get(u)!, received.get(v)!) : [];
    return { columns: keptColumns.map((c, j) => make(c, at(cw, j), at(cu, j))), opened, steps };
  }
  const isU = self === u;
  const peer = isU ? v : u;
  // Its fresh component: c'_{w+1} at U (shared with w), c'_w at V.
  const mine = randomness.component(isU ? u : w, m);
  // z from the pair stream of U and V (key k_v, held by v and v − 1 = u).
  const z = open > 0 ? randomness.component(v, open * n) : null;
  const toPeer = new BigUint64Array(m + open * n);
  combine(keptColumns, part!.subarray(0, m), mine, toPeer.subarray(0, m), 'sub');
  toPeer.set(part!.subarray(m), m);
  const sends = new Map<PartyIndex, Words>([[peer, toPeer]]);
  // The opened parts to w, masked by z: +z from U, −z from V.
  if (open > 0) sends.set(w, combine(openColumns, part!.subarray(m), z!, new BigUint64Array(open * n), isU ? 'add' : 'sub'));
  const received = (await exchange(sends, [peer], m + open * n)).get(peer)!;
  const third = combine(keptColumns, toPeer.subarray(0, m), received.subarray(0, m), new BigUint64Array(m), 'add');
  const shares = keptColumns.map((c, j) => (isU ? make(c, at(mine, j), at(third, j)) : make(c, at(third, j), at(mine, j))));
  const opened = open > 0 ? sumOpened(part!.subarray(m), received.subarray(m)) : [];
  return { columns: shares, opened, steps };
}

/** out = x + y (or x − y) column by column, n words each; XOR for boolean columns. */
function combineColumns(kernels: Party['kernels'], columns: readonly Column[], n: number, x: Words, y: Words, out: Words, op: 'add' | 'sub'): Words {
  columns.forEach((c, j) => {
    const at = (w: Words): Words => w.subarray(j * n, (j + 1) * n);
    if (c.kind === 'B') kernels.xor(at(x), at(y), at(out));
    else if (op === 'sub') kernels.sub(at(x), at(y), at(out));
    else kernels.add(at(x), at(y), at(out));
  });
  return out;
}

function split(words: Words, parts: number, n: number): Words[] {
  return Array.from({ length: parts }, (_, j) => words.subarray(j * n, (j + 1) * n));
}

function make(like: Column, s0: Words, s1: Words): Column {
  return like.kind === 'A' ? aShare(s0, s1) : bShare(s0, s1);
}

function commonLength(columns: readonly Column[]): number {
  if (columns.length === 0) return 0;
  const n = shareLength(columns[0]!);
  for (const c of columns) {
    if (shareLength(c) !== n) throw new PgError(SqlState.internalError, `shuffled columns differ in length (${n} and ${shareLength(c)})`);
  }
  return n;
}

function sameAs(permutation: SharedPermutation, columns: readonly Column[]): number {
  const n = commonLength(columns);
  if (columns.length > 0 && n !== permutation.length) throw new PgError(SqlState.internalError, `a permutation of ${permutation.length} applied to ${n} rows`);
  return n;
}

/**
 * A uniform permutation of 0..n−1 from n stream words (Fisher–Yates; 53 random bits per
 * draw, so the bias is below n/2^53).
 */
export function randomPermutation(words: Words): Uint32Array {
  const n = words.length;
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const halves = new Uint32Array(words.buffer, words.byteOffset, 2 * n);
  for (let i = n - 1; i > 0; i--) {
    const r = ((halves[2 * i + 1]! >>> 11) * 4294967296 + halves[2 * i]!) / 9007199254740992;
    const j = Math.floor(r * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** Both components of every column moved by a public permutation (gather or scatter). Local. */
export function moveRows<T extends Column>(columns: readonly T[], perm: Uint32Array, move: (x: Words, perm: Uint32Array) => Words): T[] {
  return columns.map((c) => (c.kind === 'A' ? aShare(move(c.s0, perm), move(c.s1, perm)) : bShare(move(c.s0, perm), move(c.s1, perm))) as T);
}

/** out[i] = x[perm[i]] (copying words through 32-bit views, no BigInt). */
export function gatherPermutation(x: Words, perm: Uint32Array, out: Words = new BigUint64Array(perm.length)): Words {
  const src = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
  const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * out.length);
  for (let i = 0; i < perm.length; i++) {
    const p = 2 * perm[i]!;
    dst[2 * i] = src[p]!;
    dst[2 * i + 1] = src[p + 1]!;
  }
  return out;
}

/** out[perm[i]] = x[i]: the inverse of gatherPermutation. */
export function scatterPermutation(x: Words, perm: Uint32Array, out: Words = new BigUint64Array(perm.length)): Words {
  const src = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
  const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * out.length);
  for (let i = 0; i < perm.length; i++) {
    const p = 2 * perm[i]!;
    dst[p] = src[2 * i]!;
    dst[p + 1] = src[2 * i + 1]!;
  }
  return out;
}
