// Ring Z_2^64 and packed-boolean kernels, compiled by AssemblyScript to WebAssembly
// (`npm run build:wasm`). This folder is excluded from tsc: it is AssemblyScript, not
// TypeScript. Every function works on word vectors at byte addresses inside this
// module's own memory; the JS side (src/mpc/ring-kernels.ts) copies columns in and out
// in chunks of SCRATCH_WORDS, so no call ever needs more memory than the scratch area.
//
// Wrap-around is the ring: i64 add/sub/mul in WebAssembly are already mod 2^64.

/** Words per scratch slot: 64 KiB, the chunk size that keeps everything in L2. */
export const SCRATCH_WORDS: i32 = 8192;
/** Number of scratch slots (the widest kernel, mulLocalPair, reads six and writes one). */
export const SCRATCH_SLOTS: i32 = 7;

const SCRATCH: usize = memory.data(SCRATCH_WORDS * SCRATCH_SLOTS * 8, 16);

/** Byte address of scratch slot `slot`. */
export function slot(index: i32): usize {
  return SCRATCH + <usize>index * <usize>SCRATCH_WORDS * 8;
}

// Element-wise linear operations use 128-bit SIMD (two words per lane op); the tail
// word, if n is odd, is done scalar.

export function add(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, i64x2.add(v128.load(a + i), v128.load(b + i)));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) + load<u64>(b + i));
}

export function sub(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, i64x2.sub(v128.load(a + i), v128.load(b + i)));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) - load<u64>(b + i));
}

export function neg(out: usize, a: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, i64x2.neg(v128.load(a + i)));
  }
  if (i < bytes) store<u64>(out + i, 0 - load<u64>(a + i));
}

export function mul(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  for (let i: usize = 0; i < bytes; i += 8) {
    store<u64>(out + i, load<u64>(a + i) * load<u64>(b + i));
  }
}

export function addConst(out: usize, a: usize, c: u64, n: i32): void {
  const bytes = <usize>n << 3;
  const cc = i64x2.splat(c);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, i64x2.add(v128.load(a + i), cc));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) + c);
}

export function mulConst(out: usize, a: usize, c: u64, n: i32): void {
  const bytes = <usize>n << 3;
  for (let i: usize = 0; i < bytes; i += 8) {
    store<u64>(out + i, load<u64>(a + i) * c);
  }
}

/**
 * The local step of replicated multiplication (Araki et al. 2016): with this party's
 * pairs (x0, x1) and (y0, y1) and its zero-share alpha,
 * out = x0*y0 + x0*y1 + x1*y0 + alpha, a 3-out-of-3 share of x*y.
 * `out` may alias `alpha`.
 */
export function mulLocal(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, alpha: usize, n: i32): void {
  const bytes = <usize>n << 3;
  for (let i: usize = 0; i < bytes; i += 8) {
    const a = load<u64>(x0 + i);
    // x0*y0 + x0*y1 = x0*(y0+y1): two multiplications instead of three.
    store<u64>(out + i, a * (load<u64>(y0 + i) + load<u64>(y1 + i)) + load<u64>(x1 + i) * load<u64>(y0 + i) + load<u64>(alpha + i));
  }
}

export function xor(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, v128.xor(v128.load(a + i), v128.load(b + i)));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) ^ load<u64>(b + i));
}

export function and(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, v128.and(v128.load(a + i), v128.load(b + i)));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) & load<u64>(b + i));
}

export function xorConst(out: usize, a: usize, c: u64, n: i32): void {
  const bytes = <usize>n << 3;
  const cc = i64x2.splat(c);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, v128.xor(v128.load(a + i), cc));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) ^ c);
}

export function andConst(out: usize, a: usize, c: u64, n: i32): void {
  const bytes = <usize>n << 3;
  const cc = i64x2.splat(c);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(out + i, v128.and(v128.load(a + i), cc));
  }
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) & c);
}

/** Left shift of every word by k (0..63); bits shifted out are lost. */
export function shl(out: usize, a: usize, k: i32, n: i32): void {
  const bytes = <usize>n << 3;
  const s = <u64>(k & 63);
  for (let i: usize = 0; i < bytes; i += 8) store<u64>(out + i, load<u64>(a + i) << s);
}

/** Logical right shift of every word by k (0..63). */
export function shr(out: usize, a: usize, k: i32, n: i32): void {
  const bytes = <usize>n << 3;
  const s = <u64>(k & 63);
  for (let i: usize = 0; i < bytes; i += 8) store<u64>(out + i, load<u64>(a + i) >> s);
}

/**
 * The local step of replicated AND on packed bits:
 * out = (x0&y0) ^ (x0&y1) ^ (x1&y0) ^ alpha. `out` may alias `alpha`.
 */
export function andLocal(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, alpha: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    const a = v128.load(x0 + i);
    const t = v128.xor(
      v128.and(a, v128.xor(v128.load(y0 + i), v128.load(y1 + i))),
      v128.and(v128.load(x1 + i), v128.load(y0 + i)),
    );
    v128.store(out + i, v128.xor(t, v128.load(alpha + i)));
  }
  if (i < bytes) {
    const a = load<u64>(x0 + i);
    store<u64>(out + i, (a & (load<u64>(y0 + i) ^ load<u64>(y1 + i))) ^ (load<u64>(x1 + i) & load<u64>(y0 + i)) ^ load<u64>(alpha + i));
  }
}

/** The sum of n words mod 2^64 (a reduction: one result per call, not per word). */
export function sum(a: usize, n: i32): u64 {
  const bytes = <usize>n << 3;
  let acc = i64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) acc = i64x2.add(acc, v128.load(a + i));
  let total = i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1);
  if (i < bytes) total += load<u64>(a + i);
  return total;
}

/** Inclusive prefix sums: out[i] = carry + a[0] + … + a[i]; returns the last (the next chunk's carry). */
export function prefixSum(out: usize, a: usize, carry: u64, n: i32): u64 {
  const bytes = <usize>n << 3;
  let acc = carry;
  for (let i: usize = 0; i < bytes; i += 8) {
    acc += load<u64>(a + i);
    store<u64>(out + i, acc);
  }
  return acc;
}

/**
 * mulLocal with the zero-sharing formed here from the two PRG words:
 * out = x0*y0 + x0*y1 + x1*y0 + r0 − r1.
 */
export function mulLocalPair(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, r0: usize, r1: usize, n: i32): void {
  const bytes = <usize>n << 3;
  for (let i: usize = 0; i < bytes; i += 8) {
    const a = load<u64>(x0 + i);
    const b = load<u64>(y0 + i);
    store<u64>(out + i, a * (b + load<u64>(y1 + i)) + load<u64>(x1 + i) * b + load<u64>(r0 + i) - load<u64>(r1 + i));
  }
}
