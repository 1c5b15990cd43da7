import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nextParty, prevParty, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Rounds } from '../net/exchange.js';
import type { CorrelatedRandomness } from './correlated-randomness.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { bShare, shareLength, type AShare, type BShare } from './shares.js';

/**
 * Comparisons on bit-sliced data (Secrecy/ABY3 style, in WebAssembly): a chunk of
 * values is transposed so that one word-AND does one gate for 64 different values,
 * and the whole circuit of the chunk runs on planes kept in the kernel module's memory.
 *
 * The key step is bit extraction from an arithmetic sharing x = c_0 + c_1 + c_2 with
 * one holder h (rotated for balance): h knows a = c_h + c_{h+1}, and parties h+1 and
 * h+2 both know c_{h+2}, so x = a + b with b = c_{h+2} is a sum of two values that are
 * each *known* to someone. h XOR-shares a with one message (its component h+1 comes
 * from the PRG stream it shares with h+1), b is shared for free (component h+2), and
 * a 64-bit adder over two operands needs no carry-save step.
 */

// ---- the kernel module ------------------------------------------------------------

interface SlicedExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  transposeIn(out: number, x: number, y: number, nb: number, mode: number): void;
  xor(out: number, a: number, b: number, n: number): void;
  not(out: number, a: number, n: number): void;
  sub(out: number, a: number, b: number, n: number): void;
  andLocalAlpha(out: number, x0: number, x1: number, y0: number, y1: number, alpha: number, n: number): void;
  unpack(out: number, packed: number, n: number): void;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const CANDIDATES = ['./kernels/sliced.wasm', '../../dist/src/mpc/kernels/sliced.wasm'];

const TRANSPOSE_PLAIN = 0;
const TRANSPOSE_SUM = 1;
const TRANSPOSE_NEG = 2;

/** Values per chunk: bounds the kernel memory (~150 bytes per value for less-than). */
export const SLICED_CHUNK_VALUES = 1 << 18;

/**
 * Chunks in flight together, each on its own lane of rounds with its own arena and PRG
 * streams: while one waits for its round's messages another computes, and the rounds
 * on the critical path are those of ⌈chunks / SLICED_CHUNKS_IN_FLIGHT⌉ chunks. Bounds
 * the memory to this many arenas.
 */
export const SLICED_CHUNKS_IN_FLIGHT = 4;

let compiled: object | null = null;

function slicedModule(): object {
  if (compiled) return compiled;
  const path = CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
  if (!path) {
    throw new PgError(SqlState.internalError, 'the MPC WebAssembly kernels are not built', { hint: 'Run "npm run build:wasm" (npm install and npm test do it).' });
  }
  compiled = new wasm.Module(readFileSync(path));
  return compiled;
}

/**
 * The module's memory as a bump arena: a chunk allocates what it needs, and `reset`
 * frees it all at once. The memory grows to the largest chunk and stays (one per
 * arena in use, see `idleArenas`).
 */
class SlicedArena {
  readonly k: SlicedExports;
  private readonly base: number;
  private top: number;
  private words64: BigUint64Array;

  constructor() {
    this.k = new wasm.Instance(slicedModule(), {}).exports as SlicedExports;
    this.base = this.k.heapBase();
    this.top = this.base;
    this.words64 = new BigUint64Array(this.k.memory.buffer);
  }

  reset(): void {
    this.top = this.base;
  }

  /** The current top, to free everything allocated after it with `release`. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** A region of `words` words (16-byte aligned); its content is undefined. */
  alloc(words: number): number {
    const at = this.top;
    this.top += Math.ceil((words * 8) / 16) * 16;
    const have = this.k.memory.buffer.byteLength;
    // Grow geometrically: every grow replaces the ArrayBuffer (and its views) and
    // touches fresh pages, so a chunk should cause a few grows, not one per plane.
    if (this.top > have) this.k.memory.grow(Math.ceil(Math.max(this.top - have, have) / 65536));
    return at;
  }

  zeroed(words: number): number {
    const at = this.alloc(words);
    this.view(at, words).fill(0n);
    return at;
  }

  view(at: number, words: number): Words {
    if (this.words64.buffer !== this.k.memory.buffer) this.words64 = new BigUint64Array(this.k.memory.buffer);
    return this.words64.subarray(at / 8, at / 8 + words);
  }

  bytes(at: number, bytes: number): Uint8Array {
    return new Uint8Array(this.k.memory.buffer, at, bytes);
  }
}

/**
 * Arenas not in use. A comparison takes one for its whole run and gives it back, so the
 * memory (already grown and paged in: fresh pages cost more than the kernels here) is
 * reused by the next comparison. The three in-process parties share a thread and
 * each take their own; a party runs one comparison at a time.
 */
const idleArenas: SlicedArena[] = [];

// ---- shares of planes ----------------------------------------------------------------

/** Party's share of one plane: addresses of its two components (nb words each). */
interface Plane {
  readonly s0: number;
  readonly s1: number;
}

/** Where a chunk runs: the party's index, the PRG streams and the rounds it uses (the party's own, or a lane's). */
interface ChunkContext {
  readonly self: PartyIndex;
  readonly randomness: CorrelatedRandomness;
  readonly exchange: Rounds;
}

/** One chunk's circuit state at one party. */
class Chunk {
  readonly nb: number;
  readonly planeBytes: number;
  readonly zero: number;
  private readonly party: ChunkContext;
  private readonly m: SlicedArena;

  constructor(party: ChunkContext, m: SlicedArena, nb: number) {
    this.party = party;
    this.m = m;
    this.nb = nb;
    this.planeBytes = nb * 8;
    this.zero = m.zeroed(Math.max(nb, 1));
  }

  plane(base: number, j: number): number {
    return base === this.zero ? this.zero : base + j * this.planeBytes;
  }

  xor(x: Plane, y: Plane): Plane {
    return { s0: this.xorWords(x.s0, y.s0), s1: this.xorWords(x.s1, y.s1) };
  }

  /** NOT: flips component 0 (held by party 0 as s0 and by party 2 as s1). */
  not(x: Plane): Plane {
    const self = this.party.self;
    if (self === 1) return x;
    const flipped = this.m.alloc(this.nb);
    this.m.k.not(flipped, self === 0 ? x.s0 : x.s1, this.nb);
    return self === 0 ? { s0: flipped, s1: x.s1 } : { s0: x.s0, s1: flipped };
  }

  /** One round: the AND of every pair, all in one message per peer. */
  async and(pairs: readonly (readonly [Plane, Plane])[]): Promise<Plane[]> {
    const { nb, planeBytes, m } = this;
    const count = pairs.length;
    const t = m.alloc(count * nb);
    // The zero-sharing lives only for the local step: freed before the round's reply.
    const scratch = m.mark();
    const alpha = m.alloc(count * nb);
    this.party.randomness.fillZeroShareB(m.view(alpha, count * nb));
    pairs.forEach(([x, y], j) => m.k.andLocalAlpha(t + j * planeBytes, x.s0, x.s1, y.s0, y.s1, alpha + j * planeBytes, nb));
    m.release(scratch);
    const received = await this.exchange(t, count * nb, count * nb);
    return pairs.map((_, j) => ({ s0: t + j * planeBytes, s1: received + j * planeBytes }));
  }

  /**
   * One round in the fixed pattern of this module: `sendWords` words at `send` go to the
   * previous party, `receiveWords` come from the next one, into a new region.
   */
  async exchange(send: number, sendWords: number, receiveWords: number): Promise<number> {
    const self = this.party.self;
    const out = new Map<PartyIndex, Uint8Array>();
    // Lent straight from the arena: over TLS it is encrypted from there, no copy. The
    // arena is not written until the round resolves, nor ever again if it fails.
    out.set(prevParty(self), this.m.bytes(send, sendWords * 8));
    const received = await this.party.exchange.exchange(out, [nextParty(self)], { lent: true });
    const bytes = received.get(nextParty(self))!;
    if (bytes.byteLength !== receiveWords * 8) {
      const error = new PgError(SqlState.protocolViolation, `party ${nextParty(self)} sent ${bytes.byteLength} bytes where ${receiveWords * 8} were due`);
      this.party.exchange.abort(error.message);
      throw error;
    }
    const at = this.m.alloc(receiveWords);
    this.m.bytes(at, bytes.byteLength).set(bytes);
    this.party.exchange.recycle(bytes);
    return at;
  }

  private xorWords(a: number, b: number): number {
    if (b === this.zero) return a;
    if (a === this.zero) return b;
    const out = this.m.alloc(this.nb);
    this.m.k.xor(out, a, b, this.nb);
    return out;
  }
}

/** A value to decompose: its two components in the arena (nb·64 words each), the holder and b's sign. */
interface Operand {
  readonly s0: number;
  readonly s1: number;
  readonly holder: PartyIndex;
}

/**
 * Shares of the low `width` bit-planes of a = c_h + c_{h+1} and of b = ±c_{h+2}
 * (negated for equality, where x = 0 ⟺ a = −c_{h+2}). Bit j of a + b depends on bits
 * 0 … j of a and b only, so a circuit that needs no higher bit decomposes no more. One
 * round for all operands: each holder sends its masked a (`width` planes) to the party
 * before it.
 */
async function decompose(chunk: Chunk, m: SlicedArena, party: ChunkContext, operands: readonly Operand[], negateB: boolean, width: number): Promise<{ a: Plane[]; b: Plane[] }[]> {
  const self = party.self;
  const { nb, zero } = chunk;
  const planes = width * nb;
  const send = operands.filter((o) => o.holder === self).length;
  const sendAt = m.alloc(send * planes);
  const layouts: { a0: number; a1: number; b0: number; b1: number; fromNext: number }[] = [];
  let sent = 0;
  let fromNext = 0;
  for (const o of operands) {
    const h = o.holder;
    if (self === h) {
      // x_h = a ⊕ x_{h+1}, with x_{h+1} from the stream shared with party h+1.
      const masked = sendAt + sent++ * planes * 8;
      const mask = m.alloc(planes);
      party.randomness.fillComponent(nextParty(self), m.view(mask, planes));
      const scratch = m.mark();
      const a = m.alloc(64 * nb);
      m.k.transposeIn(a, o.s0, o.s1, nb, TRANSPOSE_SUM);
      m.k.xor(masked, a, mask, planes);
      m.release(scratch);
      layouts.push({ a0: masked, a1: mask, b0: zero, b1: zero, fromNext: -1 });
    } else if (self === nextParty(h)) {
      const mask = m.alloc(planes);
      party.randomness.fillComponent(self, m.view(mask, planes));
      const b = m.alloc(64 * nb);
      m.k.transposeIn(b, o.s1, o.s1, nb, negateB ? TRANSPOSE_NEG : TRANSPOSE_PLAIN);
      layouts.push({ a0: mask, a1: zero, b0: zero, b1: b, fromNext: -1 });
    } else {
      const b = m.alloc(64 * nb);
      m.k.transposeIn(b, o.s0, o.s0, nb, negateB ? TRANSPOSE_NEG : TRANSPOSE_PLAIN);
      layouts.push({ a0: zero, a1: -1, b0: b, b1: zero, fromNext: fromNext++ });
    }
  }
  const received = await chunk.exchange(sendAt, send * planes, fromNext * planes);
  return layouts.map((l) => {
    const a1 = l.fromNext >= 0 ? received + l.fromNext * planes * 8 : l.a1;
    const plane = (s0: number, s1: number, j: number): Plane => ({ s0: chunk.plane(s0, j), s1: chunk.plane(s1, j) });
    return {
      a: Array.from({ length: width }, (_, j) => plane(l.a0, a1, j)),
      b: Array.from({ length: width }, (_, j) => plane(l.b0, l.b1, j)),
    };
  });
}

/**
 * Bit `top` of a + b for every operand: g = a∧b on bits 0 … top−1 (one round), then a
 * Brent–Kung-shaped tree of (generate, propagate) pairs over those `top` positions
 * (⌈log2 top⌉ rounds) for the carry into bit `top`, which p_top = a_top ⊕ b_top
 * completes. For top = 63: 63 + 118 = 181 bit-ANDs per operand in 7 rounds; every
 * level of all operands goes in one round.
 */
async function carryBits(chunk: Chunk, bits: { a: Plane[]; b: Plane[] }[], top: number): Promise<Plane[]> {
  const pAll = bits.map(({ a, b }) => a.map((aj, j) => chunk.xor(aj, b[j]!)));
  const gAll = await chunk.and(bits.flatMap(({ a, b }) => a.slice(0, top).map((aj, j) => [aj, b[j]!] as const)));
  let groups = bits.map((_, k) => ({ g: gAll.slice(k * top, (k + 1) * top), p: pAll[k]!.slice(0, top) }));
  while (groups[0] !== undefined && groups[0].g.length > 1) {
    const pairs: (readonly [Plane, Plane])[] = [];
    for (const { g, p } of groups) {
      for (let j = 0; 2 * j + 1 < g.length; j++) {
        pairs.push([p[2 * j + 1]!, g[2 * j]!]);
        // The group holding position 0 never needs its propagate.
        if (j > 0) pairs.push([p[2 * j + 1]!, p[2 * j]!]);
      }
    }
    const products = await chunk.and(pairs);
    let at = 0;
    groups = groups.map(({ g, p }) => {
      const g2: Plane[] = [];
      const p2: Plane[] = [];
      for (let j = 0; 2 * j + 1 < g.length; j++) {
        g2.push(chunk.xor(g[2 * j + 1]!, products[at++]!));
        p2.push(j > 0 ? products[at++]! : p[2 * j]!);
      }
      if (g.length % 2 === 1) {
        g2.push(g[g.length - 1]!);
        p2.push(p[p.length - 1]!);
      }
      return { g: g2, p: p2 };
    });
  }
  return groups.map(({ g }, k) => chunk.xor(pAll[k]![top]!, g[0]!));
}

/** The AND of all `planes`: a tree, one round per level (⌈log2 count⌉ rounds). */
async function andAll(chunk: Chunk, planes: Plane[]): Promise<Plane> {
  let z = planes;
  while (z.length > 1) {
    const pairs = Array.from({ length: Math.floor(z.length / 2) }, (_, j) => [z[2 * j]!, z[2 * j + 1]!] as const);
    const products = await chunk.and(pairs);
    z = z.length % 2 === 1 ? [...products, z[z.length - 1]!] : products;
  }
  return z[0]!;
}

/** A chunk's circuit: its result plane, from the operands' shares copied into the arena. */
type Circuit = (chunk: Chunk, m: SlicedArena, party: ChunkContext, inArena: { s0: number; s1: number }[], index: number) => Promise<Plane>;

/**
 * Operands' shares copied into an arena, chunk by chunk; `circuit` gives one result plane
 * per chunk. One chunk runs on the party's own rounds; more run `inFlight` at a time,
 * chunk c on lane c mod inFlight (lanes and their PRG streams opened here, in the same
 * order at every party), so a chunk's rounds overlap the others' and its work.
 */
async function runChunked(party: Party, inputs: readonly (AShare | BShare)[], circuit: Circuit, options: SlicedOptions, packed = false): Promise<BShare> {
  const { chunkValues = SLICED_CHUNK_VALUES, inFlight = SLICED_CHUNKS_IN_FLIGHT } = options;
  if (!Number.isSafeInteger(chunkValues) || chunkValues < 64 || chunkValues % 64 !== 0) throw new PgError(SqlState.internalError, `chunk of ${chunkValues} values`);
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) throw new PgError(SqlState.internalError, `${inFlight} chunks in flight`);
  const n = shareLength(inputs[0]!);
  for (const x of inputs) if (shareLength(x) !== n) throw new PgError(SqlState.internalError, `MPC operands differ in length (${n} and ${shareLength(x)})`);
  // One bit per word, or (packed) the result planes as they are: value i in bit i mod 64 of word ⌊i/64⌋.
  const out0 = new BigUint64Array(packed ? Math.ceil(n / 64) : n);
  const out1 = new BigUint64Array(out0.length);
  const chunks = Math.max(1, Math.ceil(n / chunkValues));
  const runChunk = async (c: number, context: ChunkContext, m: SlicedArena): Promise<void> => {
    const from = c * chunkValues;
    const to = Math.min(n, from + chunkValues);
    const nb = Math.ceil((to - from) / 64);
    m.reset();
    const chunk = new Chunk(context, m, nb);
    const inArena = inputs.map((x) => {
      const copy = (v: Words): number => {
        const at = m.alloc(nb * 64);
        const view = m.view(at, nb * 64);
        view.set(v.subarray(from, to));
        view.fill(0n, to - from);
        return at;
      };
      return { s0: copy(x.s0), s1: copy(x.s1) };
    });
    const result = await circuit(chunk, m, context, inArena, c);
    if (packed) {
      // Bits past the last value are cleared: the padding's results are not the caller's.
      const words = Math.ceil((to - from) / 64);
      out0.set(m.view(result.s0, words), from / 64);
      out1.set(m.view(result.s1, words), from / 64);
      const tail = (to - from) % 64;
      if (tail > 0) for (const out of [out0, out1]) out[from / 64 + words - 1]! &= (1n << BigInt(tail)) - 1n;
      return;
    }
    const unpacked = m.alloc(nb * 64);
    m.k.unpack(unpacked, result.s0, to - from);
    out0.set(m.view(unpacked, to - from), from);
    m.k.unpack(unpacked, result.s1, to - from);
    out1.set(m.view(unpacked, to - from), from);
  };
  const width = Math.min(inFlight, chunks);
  // An arena goes back for reuse only after a comparison succeeded: after a failure a
  // message lent from it may still be on its way out, so it is left to the GC.
  if (width === 1) {
    const m = idleArenas.pop() ?? new SlicedArena();
    for (let c = 0; c < chunks; c++) await runChunk(c, party, m);
    m.reset();
    idleArenas.push(m);
    return bShare(out0, out1);
  }
  const lanes = party.exchange.openLanes(width);
  const contexts: ChunkContext[] = lanes.map((lane) => ({ self: party.self, randomness: party.randomness.fork(), exchange: lane }));
  const arenas = lanes.map(() => idleArenas.pop() ?? new SlicedArena());
  // Every lane runs to its end (or its first failure) before returning: a lane still
  // computing must not share its memory with the next comparison. A failure on one lane
  // aborts the computation, which ends the others' rounds at once.
  const settled = await Promise.allSettled(
    contexts.map(async (context, k) => {
      try {
        for (let c = k; c < chunks; c += width) await runChunk(c, context, arenas[k]!);
      } catch (error) {
        party.exchange.abort(error instanceof Error ? error.message : String(error));
        throw error;
      }
    }),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  // The computation's own failure (the first, whichever lane saw it) is the one to report.
  if (failed) throw party.exchange.failed ?? failed.reason;
  for (const m of arenas) {
    m.reset();
    idleArenas.push(m);
  }
  party.exchange.closeLanes(lanes);
  return bShare(out0, out1);
}

function rotate(base: number, k: number): PartyIndex {
  return ((base + k) % 3) as PartyIndex;
}

/** How a comparison runs: the operands' range, and how its chunks are cut and run. */
export interface SlicedOptions {
  /**
   * Both operands are known to lie in [−2^(bits−1), 2^(bits−1)) (2 ≤ bits ≤ 64; 64, the
   * default, is the whole signed range). A narrower range makes the circuit smaller: the
   * difference x − y then cannot wrap, and only its low bits + 1 bits matter. Values
   * outside the range give wrong answers (never an error): the caller vouches for it,
   * from the column's type (int4 and date: 32; int2: 16).
   */
  readonly bits?: number;
  readonly chunkValues?: number;
  readonly inFlight?: number;
}

function rangeBits(options: SlicedOptions): number {
  const bits = options.bits ?? 64;
  if (!Number.isInteger(bits) || bits < 2 || bits > 64) throw new PgError(SqlState.internalError, `comparison operands of ${bits} bits`);
  return bits;
}

/** d = x − y in the arena, for every value of the chunk. */
function difference(chunk: Chunk, m: SlicedArena, xs: { s0: number; s1: number }, ys: { s0: number; s1: number }): { s0: number; s1: number } {
  const words = chunk.nb * 64;
  const d0 = m.alloc(words);
  const d1 = m.alloc(words);
  m.k.sub(d0, xs.s0, ys.s0, words);
  m.k.sub(d1, xs.s1, ys.s1, words);
  return { s0: d0, s1: d1 };
}

/**
 * x < y (signed). Whole range (bits = 64): the signs of x, y and d = x − y (three bit
 * extractions in the same rounds), then lt = s_d ⊕ ((s_x ⊕ s_y) ∧ (s_x ⊕ s_d)): when the
 * signs differ the difference may have wrapped, and x's sign decides; 9 rounds per chunk
 * of SLICED_CHUNK_VALUES, about 68 bytes per value sent by each party plus 8 from each
 * holder. Narrower (bits < 64): d lies in [−2^bits, 2^bits), so its bit `bits` is its
 * sign: one extraction of bits + 1 planes, 2 + ⌈log2 bits⌉ rounds, about
 * (3·bits)/8 + (bits + 1)/24 bytes per value per party (bits = 32: ~13; 63: ~26).
 * Result: one bit per word, in bit 0. Reveals nothing.
 */
export async function lessThanSliced(party: Party, x: AShare, y: AShare, options: SlicedOptions = {}): Promise<BShare> {
  const bits = rangeBits(options);
  return runChunked(party, [x, y], async (chunk, m, context, [xs, ys], index) => {
    const d = difference(chunk, m, xs!, ys!);
    if (bits < 64) {
      const [sign] = await carryBits(chunk, await decompose(chunk, m, context, [{ ...d, holder: rotate(index, 0) }], false, bits + 1), bits);
      return sign!;
    }
    const operands: Operand[] = [
      { ...xs!, holder: rotate(index, 0) },
      { ...ys!, holder: rotate(index, 1) },
      { ...d, holder: rotate(index, 2) },
    ];
    const [sx, sy, sd] = (await carryBits(chunk, await decompose(chunk, m, context, operands, false, 64), 63)) as [Plane, Plane, Plane];
    const [w] = await chunk.and([[chunk.xor(sx, sy), chunk.xor(sx, sd)]]);
    return chunk.xor(sd, w!);
  }, options);
}

/** Rounds of one chunk of `lessThanSliced` for operands of `bits` bits (64: the whole range). */
export function lessThanRounds(bits = 64): number {
  return bits >= 64 ? 9 : 2 + Math.ceil(Math.log2(bits));
}

/** Rounds of one chunk of `equalSliced` for operands of `bits` bits: the decomposition and the AND tree. */
export function equalityRounds(bits = 64): number {
  return 1 + Math.ceil(Math.log2(Math.min(64, bits + 1)));
}

/**
 * x == y: d = x − y is zero exactly when a = −c_{h+2} in each of its significant bits
 * (all 64 for the whole range; bits + 1 when both lie in a `bits`-bit range, where d
 * cannot wrap), so an AND tree over their XNORs after the decomposition round: 7 rounds
 * per chunk for the whole range, about 8 bytes per value sent by each party plus 8 from
 * the holder (rotated by chunk); bits = 32: 7 rounds, ~4 + 4 bytes. Result: one bit per
 * word, in bit 0. Reveals nothing.
 */
export async function equalSliced(party: Party, x: AShare, y: AShare, options: SlicedOptions = {}): Promise<BShare> {
  const width = Math.min(64, rangeBits(options) + 1);
  return runChunked(party, [x, y], async (chunk, m, context, [xs, ys], index) => {
    const d = difference(chunk, m, xs!, ys!);
    const [planes] = await decompose(chunk, m, context, [{ ...d, holder: rotate(index, 0) }], true, width);
    return andAll(chunk, planes!.a.map((aj, j) => chunk.not(chunk.xor(aj, planes!.b[j]!))));
  }, options);
}

/** Rounds of one chunk of `equalSlicedB` for operands of `bits` bits: the AND tree alone. */
export function booleanEqualityRounds(bits = 64): number {
  return Math.ceil(Math.log2(bits));
}

/**
 * x == y for values in boolean form (one value per word, as A2B gives them): x ⊕ y is
 * already XOR-shared bit by bit, so its planes come from a local transpose of each
 * component, with no decomposition round; an AND tree over the NOTs of the low `bits`
 * planes (both operands in a `bits`-bit range, so equal low bits mean equal values):
 * ⌈log2 bits⌉ rounds per chunk, bits − 1 bit-ANDs per value (bits = 32: ~4 bytes).
 * Result: one bit per word, in bit 0. Reveals nothing.
 */
export async function equalSlicedB(party: Party, x: BShare, y: BShare, options: SlicedOptions = {}): Promise<BShare> {
  const width = rangeBits(options);
  return runChunked(party, [x, y], async (chunk, m, _context, [xs, ys]) => {
    const words = chunk.nb * 64;
    const planes = (a: number, b: number): number => {
      const d = m.alloc(words);
      m.k.xor(d, a, b, words);
      const out = m.alloc(words);
      m.k.transposeIn(out, d, d, chunk.nb, TRANSPOSE_PLAIN);
      return out;
    };
    const p0 = planes(xs!.s0, ys!.s0);
    const p1 = planes(xs!.s1, ys!.s1);
    return andAll(chunk, Array.from({ length: width }, (_, j) => chunk.not({ s0: chunk.plane(p0, j), s1: chunk.plane(p1, j) })));
  }, options);
}

/**
 * x < y for values of several words in boolean form (as A2B gives them), compared
 * lexicographically: word 0 first, each as an unsigned number of its low `widths[j]`
 * bits (callers flip a signed key's sign bit first). The planes of both operands come
 * from local transposes; each bit gives lt_b = ¬x_b ∧ y_b (one round for all) and
 * eq_b = ¬(x_b ⊕ y_b) (free), and a tree joins neighbours, most significant first:
 * lt = lt_hi ⊕ (eq_hi ∧ lt_lo), eq = eq_hi ∧ eq_lo (lt_hi and eq_hi never both hold, so ⊕
 * is ∨), the eq of the group holding the last bit never needed. For B bits in all:
 * 1 + ⌈log2 B⌉ rounds per chunk (`booleanLessThanRounds`), about 3B bit-ANDs per value
 * (B = 84: ~31 bytes per value per party). The result comes packed, 64 values to a word:
 * value i in bit i mod 64 of word ⌊i/64⌋ (higher bits of the last word 0). Reveals nothing.
 */
export async function lessThanPackedB(party: Party, x: readonly BShare[], y: readonly BShare[], widths: readonly number[], options: Omit<SlicedOptions, 'bits'> = {}): Promise<BShare> {
  if (x.length === 0 || x.length !== y.length || x.length !== widths.length || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) {
    throw new PgError(SqlState.internalError, `a comparison of ${x.length} and ${y.length} words of widths ${JSON.stringify(widths)}`);
  }
  const k = x.length;
  return runChunked(party, [...x, ...y], async (chunk, m, _context, inArena) => {
    const planes = (at: number): number => {
      const out = m.alloc(chunk.nb * 64);
      m.k.transposeIn(out, at, at, chunk.nb, TRANSPOSE_PLAIN);
      return out;
    };
    // Every bit's planes, most significant first.
    const xs: Plane[] = [];
    const ys: Plane[] = [];
    for (let j = 0; j < k; j++) {
      const [x0, x1, y0, y1] = [planes(inArena[j]!.s0), planes(inArena[j]!.s1), planes(inArena[k + j]!.s0), planes(inArena[k + j]!.s1)];
      for (let b = widths[j]! - 1; b >= 0; b--) {
        xs.push({ s0: chunk.plane(x0, b), s1: chunk.plane(x1, b) });
        ys.push({ s0: chunk.plane(y0, b), s1: chunk.plane(y1, b) });
      }
    }
    const lt = await chunk.and(xs.map((xb, i) => [chunk.not(xb), ys[i]!] as const));
    let groups = lt.map((l, i) => ({ lt: l, eq: chunk.not(chunk.xor(xs[i]!, ys[i]!)) }));
    while (groups.length > 1) {
      const pairs: (readonly [Plane, Plane])[] = [];
      const joined = Math.floor(groups.length / 2);
      const last = groups.length - 1;
      for (let j = 0; j < joined; j++) {
        const [hi, lo] = [groups[2 * j]!, groups[2 * j + 1]!];
        pairs.push([hi.eq, lo.lt]);
        if (2 * j + 1 !== last) pairs.push([hi.eq, lo.eq]);
      }
      const products = await chunk.and(pairs);
      let at = 0;
      const next: { lt: Plane; eq: Plane }[] = [];
      for (let j = 0; j < joined; j++) {
        const lt2 = chunk.xor(groups[2 * j]!.lt, products[at++]!);
        next.push({ lt: lt2, eq: 2 * j + 1 !== last ? products[at++]! : groups[2 * j + 1]!.eq });
      }
      if (groups.length % 2 === 1) next.push(groups[last]!);
      groups = next;
    }
    return groups[0]!.lt;
  }, options, true);
}

/** Rounds of one chunk of `lessThanPackedB` over `bits` bits in all: the leaves' round and the tree. */
export function booleanLessThanRounds(bits: number): number {
  return 1 + Math.ceil(Math.log2(bits));
}
