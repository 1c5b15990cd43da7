import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, bShare, shareLength, type AShare, type BShare } from './shares.js';

/**
 * Oblivious shuffle of shared columns by three-party resharing of composed
 * permutations (the replicated-sharing shuffle of Araki et al. 2021 / Asharov et al.
 * 2022, semi-honest). The secret permutation is π = π_2 ∘ π_1 ∘ π_0; π_k is drawn from
 * the AES-CTR stream of the pair key held by parties k+1 and k+2, so party k never
 * learns π_k and no single party knows π.
 *
 * Step k (one round): party k sits out. Party A = k+1 holds a = c_{k+1} + c_{k+2},
 * party B = k+2 holds b = c_k: a 2-out-of-2 sharing of x between the two who know π_k.
 * Both apply π_k locally and reshare into fresh replicated components
 * d_k (stream of parties k and B), d_{k+1} (stream of parties k and A) and
 * d_{k+2} = π_k(a) − d_{k+1} + π_k(b) − d_k, whose two halves A and B swap. Each half is
 * masked by a component the receiver lacks, and party k only draws fresh PRG words,
 * so every party's view is uniform. n words per column each way between A and B.
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
}

/** Shuffles the columns (all of one length) with one fresh secret permutation. 3 rounds; reveals nothing. */
export async function shuffle<T extends Column>(party: Party, columns: readonly T[]): Promise<{ columns: T[]; permutation: SharedPermutation }> {
  const n = commonLength(columns);
  const steps: [Uint32Array | null, Uint32Array | null, Uint32Array | null] = [null, null, null];
  let current: Column[] = [...columns];
  for (const k of [0, 1, 2] as const) {
    const step = await permuteStep(party, k, current, n, { fresh: true });
    steps[k] = step.permutation;
    current = step.columns;
  }
  return { columns: current as T[], permutation: { length: n, steps } };
}

/** Moves more columns with a permutation from `shuffle`. 3 rounds; reveals nothing. */
export async function applyShuffle<T extends Column>(party: Party, permutation: SharedPermutation, columns: readonly T[]): Promise<T[]> {
  let current: Column[] = [...columns];
  for (const k of [0, 1, 2] as const) current = (await permuteStep(party, k, current, sameAs(permutation, columns), { given: permutation.steps[k], inverse: false })).columns;
  return current as T[];
}

/** Undoes a permutation from `shuffle` (π⁻¹ = π_0⁻¹ ∘ π_1⁻¹ ∘ π_2⁻¹). 3 rounds; reveals nothing. */
export async function unshuffle<T extends Column>(party: Party, permutation: SharedPermutation, columns: readonly T[]): Promise<T[]> {
  let current: Column[] = [...columns];
  for (const k of [2, 1, 0] as const) current = (await permuteStep(party, k, current, sameAs(permutation, columns), { given: permutation.steps[k], inverse: true })).columns;
  return current as T[];
}

/**
 * Shuffles `columns` and `open` with one fresh secret permutation and opens the shuffled
 * `open` columns to all three parties, in the 3 rounds of the shuffle (the last step
 * opens instead of resharing). Reveals π(open) for each open column, nothing else: the
 * building block for applying a secret permutation (open π(σ), a uniformly random
 * permutation, then move π(x) locally).
 */
export async function shuffleAndOpen<T extends Column>(party: Party, columns: readonly T[], open: readonly AShare[]): Promise<{ columns: T[]; opened: Words[] }> {
  const n = commonLength([...columns, ...open]);
  let current: Column[] = [...columns, ...open];
  let opened: Words[] = [];
  for (const k of [0, 1, 2] as const) {
    const step = await permuteStep(party, k, current, n, { fresh: true, open: k === 2 ? open.length : 0 });
    current = step.columns;
    opened = step.opened;
  }
  return { columns: current as T[], opened };
}

interface StepResult {
  /** The reshared columns (without the opened ones). */
  columns: Column[];
  /** The opened columns' values (last step only). */
  opened: Words[];
  /** The step's permutation at the two parties that know it, when drawn fresh. */
  permutation: Uint32Array | null;
}

/**
 * One resharing step with party k out. The last `open` columns are opened instead of
 * reshared: A sends π(a) + z and B sends π(b) − z (z from their pair stream) to both
 * others, so party k sees only a random split of the opened value.
 */
async function permuteStep(
  party: Party,
  k: PartyIndex,
  columns: readonly Column[],
  n: number,
  how: { fresh: true; open?: number } | { given: Uint32Array | null; inverse: boolean },
): Promise<StepResult> {
  const self = party.self;
  const { kernels, randomness } = party;
  const a = nextParty(k);
  const b = prevParty(k);
  const open = 'fresh' in how ? (how.open ?? 0) : 0;
  const kept = columns.length - open;
  const m = kept * n;
  if (n === 0 || columns.length === 0) return { columns: columns.slice(0, kept), opened: columns.slice(kept).map(() => new BigUint64Array(0)), permutation: null };
  const exchange = async (sends: Map<PartyIndex, Words>, expect: Map<PartyIndex, number>): Promise<Map<PartyIndex, Words>> => {
    const outgoing = new Map<PartyIndex, Uint8Array>();
    for (const [to, w] of sends) outgoing.set(to, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
    const received = await party.exchange.exchange(outgoing, [...expect.keys()]);
    const out = new Map<PartyIndex, Words>();
    for (const [from, words] of expect) {
      const bytes = received.get(from)!;
      if (bytes.byteLength !== words * 8) {
        const error = new PgError(SqlState.protocolViolation, `party ${from} sent ${bytes.byteLength} bytes of a shuffle step where ${words * 8} were due`);
        party.exchange.abort(error.message);
        throw error;
      }
      out.set(from, bytes.byteOffset % 8 === 0 ? new BigUint64Array(bytes.buffer, bytes.byteOffset, words) : new BigUint64Array(bytes.slice().buffer));
    }
    return out;
  };

  if (self === k) {
    // The party left out: its new components are fresh stream words; for opened columns
    // it receives the two masked halves.
    const dk = randomness.component(k, m);
    const dk1 = randomness.component(a, m);
    const received = await exchange(new Map(), open > 0 ? new Map([[a, open * n], [b, open * n]]) : new Map());
    const opened = open > 0 ? split(sumOpened(columns.slice(kept), received.get(a)!, received.get(b)!, party), open, n) : [];
    return { columns: columns.slice(0, kept).map((c, j) => make(c, dk.subarray(j * n, (j + 1) * n), dk1.subarray(j * n, (j + 1) * n))), opened, permutation: null };
  }

  const isA = self === a;
  let perm: Uint32Array;
  let inverse = false;
  if ('fresh' in how) perm = randomPermutation(randomness.component(b, n));
  else {
    if (how.given === null || how.given.length !== n) throw new PgError(SqlState.internalError, `party ${self} lacks step ${k} of a shared permutation of ${n}`);
    perm = how.given;
    inverse = how.inverse;
  }
  // Fresh component this party shares with k: d_{k+1} at A, d_k at B.
  const mine = randomness.component(isA ? a : k, m);
  const z = open > 0 ? randomness.component(b, open * n) : null;
  const toPeer = new BigUint64Array(m);
  const toAll = new BigUint64Array(open * n);
  const moved: Words[] = [];
  columns.forEach((c, j) => {
    const half = isA ? (c.kind === 'A' ? kernels.add(c.s0, c.s1) : kernels.xor(c.s0, c.s1)) : c.s1;
    const p = inverse ? scatterPermutation(half, perm) : gatherPermutation(half, perm);
    if (j < kept) {
      const out = toPeer.subarray(j * n, (j + 1) * n);
      if (c.kind === 'A') kernels.sub(p, mine.subarray(j * n, (j + 1) * n), out);
      else kernels.xor(p, mine.subarray(j * n, (j + 1) * n), out);
    } else {
      const o = j - kept;
      const out = toAll.subarray(o * n, (o + 1) * n);
      const mask = z!.subarray(o * n, (o + 1) * n);
      if (c.kind === 'A') (isA ? kernels.add(p, mask, out) : kernels.sub(p, mask, out));
      else kernels.xor(p, mask, out);
      moved.push(out);
    }
  });
  const peer = isA ? b : a;
  const payload = open > 0 ? concat(toPeer, toAll) : toPeer;
  const sends = new Map<PartyIndex, Words>([[peer, payload]]);
  if (open > 0) sends.set(k, toAll);
  const received = (await exchange(sends, new Map([[peer, m + open * n]]))).get(peer)!;
  const shares = columns.slice(0, kept).map((c, j) => {
    const from = received.subarray(j * n, (j + 1) * n);
    const own = toPeer.subarray(j * n, (j + 1) * n);
    const third = c.kind === 'A' ? kernels.add(own, from) : kernels.xor(own, from);
    const d = mine.subarray(j * n, (j + 1) * n);
    return isA ? make(c, d, third) : make(c, third, d);
  });
  let opened: Words[] = [];
  if (open > 0) {
    const theirs = received.subarray(m);
    const mineOpen = concatAll(moved, open * n);
    opened = split(sumOpened(columns.slice(kept), mineOpen, theirs, party), open, n);
  }
  return { columns: shares, opened, permutation: 'fresh' in how ? perm : null };
}

function sumOpened(columns: readonly Column[], x: Words, y: Words, party: Party): Words {
  const out = new BigUint64Array(x.length);
  const n = columns.length === 0 ? 0 : x.length / columns.length;
  columns.forEach((c, j) => {
    const at = (v: Words): Words => v.subarray(j * n, (j + 1) * n);
    if (c.kind === 'A') party.kernels.add(at(x), at(y), at(out));
    else party.kernels.xor(at(x), at(y), at(out));
  });
  return out;
}

function split(words: Words, parts: number, n: number): Words[] {
  return Array.from({ length: parts }, (_, j) => words.subarray(j * n, (j + 1) * n));
}

function make(like: Column, s0: Words, s1: Words): Column {
  return like.kind === 'A' ? aShare(s0, s1) : bShare(s0, s1);
}

function concat(a: Words, b: Words): Words {
  const out = new BigUint64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatAll(parts: readonly Words[], total: number): Words {
  const out = new BigUint64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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

/** out[i] = x[perm[i]] (copying words through 32-bit views, no BigInt). */
export function gatherPermutation(x: Words, perm: Uint32Array): Words {
  const out = new BigUint64Array(perm.length);
  const src = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
  const dst = new Uint32Array(out.buffer);
  for (let i = 0; i < perm.length; i++) {
    const p = 2 * perm[i]!;
    dst[2 * i] = src[p]!;
    dst[2 * i + 1] = src[p + 1]!;
  }
  return out;
}

/** out[perm[i]] = x[i]: the inverse of gatherPermutation. */
export function scatterPermutation(x: Words, perm: Uint32Array): Words {
  const out = new BigUint64Array(perm.length);
  const src = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
  const dst = new Uint32Array(out.buffer);
  for (let i = 0; i < perm.length; i++) {
    const p = 2 * perm[i]!;
    dst[p] = src[2 * i]!;
    dst[p + 1] = src[2 * i + 1]!;
  }
  return out;
}
