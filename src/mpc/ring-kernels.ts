import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

/** A vector over Z_2^64 (or 64 packed bits per word): the unit every kernel works on. */
export type Words = BigUint64Array;

/** Two correlated word streams (CorrelatedRandomness). */
export interface PairSource {
  /** Fills `own` and `next` with the next words of each stream. */
  fillPair(own: Words, next: Words): void;
  /** Fills `out` with the next words of both streams XORed (each advances by out.length). */
  fillZeroShareB(out: Words): void;
}

// The project's lib settings (ES2023, no DOM) carry no WebAssembly types; these are
// the few members used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
type WasmModule = { readonly __wasmModule: unique symbol };
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  SCRATCH_WORDS: { value: number };
  SCRATCH_SLOTS: { value: number };
  slot(index: number): number;
  add(out: number, a: number, b: number, n: number): void;
  sub(out: number, a: number, b: number, n: number): void;
  neg(out: number, a: number, n: number): void;
  mul(out: number, a: number, b: number, n: number): void;
  addConst(out: number, a: number, c: bigint, n: number): void;
  mulConst(out: number, a: number, c: bigint, n: number): void;
  mulLocal(out: number, x0: number, x1: number, y0: number, y1: number, alpha: number, n: number): void;
  xor(out: number, a: number, b: number, n: number): void;
  and(out: number, a: number, b: number, n: number): void;
  xorConst(out: number, a: number, c: bigint, n: number): void;
  andConst(out: number, a: number, c: bigint, n: number): void;
  shl(out: number, a: number, k: number, n: number): void;
  shr(out: number, a: number, k: number, n: number): void;
  andLocal(out: number, x0: number, x1: number, y0: number, y1: number, alpha: number, n: number): void;
  mulLocalPair(out: number, x0: number, x1: number, y0: number, y1: number, r0: number, r1: number, n: number): void;
  sum(a: number, n: number): bigint;
  prefixSum(out: number, a: number, carry: bigint, n: number): bigint;
}

// From dist/src/mpc/ring-kernels.js the kernel is beside it; from the TypeScript
// source (vitest) it is in the build output. `npm run build:wasm` produces it.
const CANDIDATES = ['./kernels/ring.wasm', '../../dist/src/mpc/kernels/ring.wasm'];

let compiled: WasmModule | null = null;

function kernelModule(): WasmModule {
  if (compiled) return compiled;
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) {
      compiled = new wasm.Module(readFileSync(path));
      return compiled;
    }
  }
  throw new PgError(SqlState.internalError, 'the MPC WebAssembly kernels are not built', {
    hint: 'Run "npm run build:wasm" (npm install and npm test do it).',
  });
}

/**
 * Element-wise kernels over Z_2^64 and packed booleans, run in WebAssembly. Each
 * instance owns a small WebAssembly memory (a few scratch slots of 64 KiB); vectors
 * of any length stream through it in chunks, so a call costs two or three memcpys
 * per word plus the kernel, and never grows memory. Outputs may alias inputs.
 * Not shared between threads: make one per worker (they are cheap).
 */
export class RingKernels {
  /** Words per chunk. */
  readonly chunk: number;
  private readonly k: KernelExports;
  private readonly addr: number[];
  private readonly offsets: number[];
  private mem: BigUint64Array;

  constructor() {
    const instance = new wasm.Instance(kernelModule(), {});
    this.k = instance.exports as unknown as KernelExports;
    this.chunk = this.k.SCRATCH_WORDS.value;
    const slots = this.k.SCRATCH_SLOTS.value;
    this.addr = Array.from({ length: slots }, (_, i) => this.k.slot(i));
    this.offsets = this.addr.map((a) => a / 8);
    this.mem = new BigUint64Array(this.k.memory.buffer);
  }

  add(a: Words, b: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.binary(this.k.add, a, b, out);
  }

  sub(a: Words, b: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.binary(this.k.sub, a, b, out);
  }

  mul(a: Words, b: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.binary(this.k.mul, a, b, out);
  }

  xor(a: Words, b: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.binary(this.k.xor, a, b, out);
  }

  and(a: Words, b: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.binary(this.k.and, a, b, out);
  }

  neg(a: Words, out: Words = new BigUint64Array(a.length)): Words {
    return this.unary((o, x, n) => this.k.neg(o, x, n), a, out);
  }

  addConst(a: Words, c: bigint, out: Words = new BigUint64Array(a.length)): Words {
    const cc = BigInt.asIntN(64, c);
    return this.unary((o, x, n) => this.k.addConst(o, x, cc, n), a, out);
  }

  mulConst(a: Words, c: bigint, out: Words = new BigUint64Array(a.length)): Words {
    const cc = BigInt.asIntN(64, c);
    return this.unary((o, x, n) => this.k.mulConst(o, x, cc, n), a, out);
  }

  xorConst(a: Words, c: bigint, out: Words = new BigUint64Array(a.length)): Words {
    const cc = BigInt.asIntN(64, c);
    return this.unary((o, x, n) => this.k.xorConst(o, x, cc, n), a, out);
  }

  andConst(a: Words, c: bigint, out: Words = new BigUint64Array(a.length)): Words {
    const cc = BigInt.asIntN(64, c);
    return this.unary((o, x, n) => this.k.andConst(o, x, cc, n), a, out);
  }

  /** Shift every word left by k (0..63). */
  shl(a: Words, k: number, out: Words = new BigUint64Array(a.length)): Words {
    return this.unary((o, x, n) => this.k.shl(o, x, k, n), a, out);
  }

  /** Logical shift right of every word by k (0..63). */
  shr(a: Words, k: number, out: Words = new BigUint64Array(a.length)): Words {
    return this.unary((o, x, n) => this.k.shr(o, x, k, n), a, out);
  }

  /** x0*y0 + x0*y1 + x1*y0 + alpha: the local step of replicated multiplication. */
  mulLocal(x0: Words, x1: Words, y0: Words, y1: Words, alpha: Words, out: Words = new BigUint64Array(x0.length)): Words {
    return this.five(this.k.mulLocal, x0, x1, y0, y1, alpha, out);
  }

  /** (x0&y0) ^ (x0&y1) ^ (x1&y0) ^ alpha: the local step of replicated AND. */
  andLocal(x0: Words, x1: Words, y0: Words, y1: Words, alpha: Words, out: Words = new BigUint64Array(x0.length)): Words {
    return this.five(this.k.andLocal, x0, x1, y0, y1, alpha, out);
  }

  /**
   * mulLocal with the zero-sharing α = own − next drawn from `pair` chunk by chunk into
   * kernel memory: no full-length randomness vectors, one pass.
   */
  mulLocalPair(x0: Words, x1: Words, y0: Words, y1: Words, pair: PairSource, out: Words = new BigUint64Array(x0.length)): Words {
    return this.withPair(this.k.mulLocalPair, x0, x1, y0, y1, pair, out);
  }

  /**
   * andLocal with the zero-sharing α = own ⊕ next drawn from `pair` chunk by chunk (one
   * AES pass over the other stream's words, straight into kernel memory).
   */
  andLocalPair(x0: Words, x1: Words, y0: Words, y1: Words, pair: PairSource, out: Words = new BigUint64Array(x0.length)): Words {
    const [o, a] = [this.offsets, this.addr];
    return this.chunksOfFour(x0, x1, y0, y1, out, (mem, len) => {
      pair.fillZeroShareB(mem.subarray(o[4]!, o[4]! + len));
      this.k.andLocal(a[4]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, len);
      return o[4]!;
    });
  }

  /** Inclusive prefix sums mod 2^64. */
  prefixSum(a: Words, out: Words = new BigUint64Array(a.length)): Words {
    sameLength(a, out);
    const mem = this.view();
    const [o0, o1] = this.offsets as [number, number];
    const [a0, a1] = this.addr as [number, number];
    let carry = 0n;
    for (let off = 0; off < a.length; off += this.chunk) {
      const end = Math.min(a.length, off + this.chunk);
      mem.set(a.subarray(off, end), o0);
      carry = this.k.prefixSum(a1, a0, carry, end - off);
      out.set(mem.subarray(o1, o1 + end - off), off);
    }
    return out;
  }

  /** The sum of all words mod 2^64 (one BigInt per call, none per word). */
  sum(a: Words): bigint {
    const mem = this.view();
    const o0 = this.offsets[0]!;
    const a0 = this.addr[0]!;
    let total = 0n;
    for (let off = 0; off < a.length; off += this.chunk) {
      const end = Math.min(a.length, off + this.chunk);
      mem.set(a.subarray(off, end), o0);
      total += this.k.sum(a0, end - off);
    }
    return BigInt.asUintN(64, total);
  }

  private view(): BigUint64Array {
    // The memory never grows (the kernels allocate nothing), but stay correct if it did.
    if (this.mem.buffer !== this.k.memory.buffer) this.mem = new BigUint64Array(this.k.memory.buffer);
    return this.mem;
  }

  private binary(fn: (out: number, a: number, b: number, n: number) => void, a: Words, b: Words, out: Words): Words {
    sameLength(a, b, out);
    const mem = this.view();
    const [o0, o1, o2] = this.offsets as [number, number, number];
    const [a0, a1, a2] = this.addr as [number, number, number];
    for (let off = 0; off < a.length; off += this.chunk) {
      const end = Math.min(a.length, off + this.chunk);
      mem.set(a.subarray(off, end), o0);
      mem.set(b.subarray(off, end), o1);
      fn(a2, a0, a1, end - off);
      out.set(mem.subarray(o2, o2 + end - off), off);
    }
    return out;
  }

  private unary(fn: (out: number, a: number, n: number) => void, a: Words, out: Words): Words {
    sameLength(a, out);
    const mem = this.view();
    const [o0, o1] = this.offsets as [number, number];
    const [a0, a1] = this.addr as [number, number];
    for (let off = 0; off < a.length; off += this.chunk) {
      const end = Math.min(a.length, off + this.chunk);
      mem.set(a.subarray(off, end), o0);
      fn(a1, a0, end - off);
      out.set(mem.subarray(o1, o1 + end - off), off);
    }
    return out;
  }

  private withPair(
    fn: (out: number, x0: number, x1: number, y0: number, y1: number, r0: number, r1: number, n: number) => void,
    x0: Words,
    x1: Words,
    y0: Words,
    y1: Words,
    pair: PairSource,
    out: Words,
  ): Words {
    const [o, a] = [this.offsets, this.addr];
    return this.chunksOfFour(x0, x1, y0, y1, out, (mem, len) => {
      pair.fillPair(mem.subarray(o[4]!, o[4]! + len), mem.subarray(o[5]!, o[5]! + len));
      fn(a[6]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, len);
      return o[6]!;
    });
  }

  /**
   * Runs `step` on each chunk of four equal-length inputs copied into kernel memory slots
   * 0-3; `step` computes into a slot and returns its offset, which is copied out.
   */
  private chunksOfFour(x0: Words, x1: Words, y0: Words, y1: Words, out: Words, step: (mem: BigUint64Array, len: number) => number): Words {
    sameLength(x0, x1, y0, y1, out);
    const mem = this.view();
    const o = this.offsets;
    for (let off = 0; off < x0.length; off += this.chunk) {
      const end = Math.min(x0.length, off + this.chunk);
      const len = end - off;
      mem.set(x0.subarray(off, end), o[0]!);
      mem.set(x1.subarray(off, end), o[1]!);
      mem.set(y0.subarray(off, end), o[2]!);
      mem.set(y1.subarray(off, end), o[3]!);
      const result = step(mem, len);
      out.set(mem.subarray(result, result + len), off);
    }
    return out;
  }

  private five(
    fn: (out: number, x0: number, x1: number, y0: number, y1: number, alpha: number, n: number) => void,
    x0: Words,
    x1: Words,
    y0: Words,
    y1: Words,
    alpha: Words,
    out: Words,
  ): Words {
    sameLength(x0, x1, y0, y1, alpha, out);
    const mem = this.view();
    const o = this.offsets;
    const a = this.addr;
    for (let off = 0; off < x0.length; off += this.chunk) {
      const end = Math.min(x0.length, off + this.chunk);
      mem.set(x0.subarray(off, end), o[0]!);
      mem.set(x1.subarray(off, end), o[1]!);
      mem.set(y0.subarray(off, end), o[2]!);
      mem.set(y1.subarray(off, end), o[3]!);
      mem.set(alpha.subarray(off, end), o[4]!);
      fn(a[4]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, end - off);
      out.set(mem.subarray(o[4]!, o[4]! + end - off), off);
    }
    return out;
  }
}

function sameLength(...vectors: Words[]): void {
  const n = vectors[0]!.length;
  for (const v of vectors) {
    if (v.length !== n) throw new PgError(SqlState.internalError, `kernel operands differ in length (${n} and ${v.length})`);
  }
}
