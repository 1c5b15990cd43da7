// Bit-sliced boolean kernels, compiled by AssemblyScript to WebAssembly
// (`npm run build:wasm`; this folder is AssemblyScript, excluded from tsc). Unlike
// ring.ts, whose vectors stream through a fixed scratch area, these kernels work on
// whole chunks that live in this module's own (growable) memory: the JS side
// (src/mpc/sliced.ts) lays out every plane of a chunk there once, runs the circuit
// level by level on plane addresses, and copies only the network messages in and out.
//
// Layout ("plane-major"): a chunk of nb·64 values becomes 64 planes of nb words;
// word b of plane j holds bit j of values 64b … 64b+63 (value 64b+i in bit i). One
// word-AND of two planes is 64 bit-ANDs of 64 different values, with no waste.

/** 64 words of scratch for one 64×64 bit block. */
const BLOCK: usize = memory.data(64 * 8, 16);

/** Blocks transposed together before their planes are written (transposeIn). */
const GROUP: usize = 64;
/** GROUP transposed blocks, plane by plane: plane j's GROUP words at STAGE + j·GROUP·8. */
const STAGE: usize = memory.data(64 * 64 * 8, 16);

/** First free byte after the static data: the JS side allocates from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/**
 * Transposes the 64×64 bit matrix at BLOCK in place: afterwards bit c of word r is
 * what bit r of word c was (Hacker's Delight, 7-3, six rounds of block swaps).
 */
@inline
function transposeBlock(): void {
  let j: u32 = 32;
  let m: u64 = 0x00000000ffffffff;
  while (j != 0) {
    for (let k: u32 = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const lo = BLOCK + (<usize>k << 3);
      const hi = BLOCK + (<usize>(k | j) << 3);
      const a = load<u64>(lo);
      const b = load<u64>(hi);
      const t = ((a >> j) ^ b) & m;
      store<u64>(lo, a ^ (t << j));
      store<u64>(hi, b ^ t);
    }
    j >>= 1;
    m ^= m << j;
  }
}

/**
 * Values (nb·64 words at `x`, and `y`) to plane-major bits at `out` (64·nb words).
 * mode 0: x; mode 1: x + y (mod 2^64); mode 2: −x (mod 2^64). The sum and the
 * negation are fused in so that each input is read once.
 */
export function transposeIn(out: usize, x: usize, y: usize, nb: i32, mode: i32): void {
  const planeBytes = <usize>nb << 3;
  // Blocks go through STAGE in groups: each plane then takes a run of GROUP words at
  // once instead of one word per block (a store per plane per block touched 64 pages
  // for every 64 values: 2.7 ms per 2^18 values, against 1.0 ms staged 64 blocks at a
  // time; bench/mpc/transpose.ts).
  for (let b0: usize = 0; b0 < <usize>nb; b0 += GROUP) {
    const group = min(GROUP, <usize>nb - b0);
    for (let k: usize = 0; k < group; k++) {
      const xs = x + ((b0 + k) << 9);
      const ys = y + ((b0 + k) << 9);
      const staged = STAGE + (k << 3);
      if (mode == 0) {
        // 64 equal values (a quicksort's pivot beside a segment's rows): every plane is
        // all zeros or all ones, with no transpose.
        const first = load<u64>(xs);
        let i: usize = 8;
        while (i < 512 && load<u64>(xs + i) == first) i += 8;
        if (i == 512) {
          for (let j: usize = 0; j < 64; j++) store<u64>(staged + j * GROUP * 8, 0 - ((first >> <u64>j) & 1));
          continue;
        }
        memory.copy(BLOCK, xs, 512);
      } else if (mode == 1) {
        for (let i: usize = 0; i < 512; i += 16) v128.store(BLOCK + i, i64x2.add(v128.load(xs + i), v128.load(ys + i)));
      } else {
        for (let i: usize = 0; i < 512; i += 16) v128.store(BLOCK + i, i64x2.neg(v128.load(xs + i)));
      }
      transposeBlock();
      for (let j: usize = 0; j < 64; j++) store<u64>(staged + j * GROUP * 8, load<u64>(BLOCK + (j << 3)));
    }
    for (let j: usize = 0; j < 64; j++) memory.copy(out + j * planeBytes + (b0 << 3), STAGE + j * GROUP * 8, group << 3);
  }
}

/** out = a ^ b over n words. */
export function xor(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, v128.xor(v128.load(a + i), v128.load(b + i)));
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) ^ load<u64>(b + i));
}

/** out = ~a over n words. */
export function not(out: usize, a: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, v128.not(v128.load(a + i)));
  if (i < bytes) store<u64>(out + i, ~load<u64>(a + i));
}

/**
 * The local step of replicated AND, with this party's zero-share alpha (formed by the
 * PRG as r0 ^ r1): out = (x0&y0) ^ (x0&y1) ^ (x1&y0) ^ alpha.
 */
export function andLocalAlpha(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, alpha: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    const a = v128.load(x0 + i);
    const t = v128.xor(v128.and(a, v128.xor(v128.load(y0 + i), v128.load(y1 + i))), v128.and(v128.load(x1 + i), v128.load(y0 + i)));
    v128.store(out + i, v128.xor(t, v128.load(alpha + i)));
  }
  if (i < bytes) {
    const a = load<u64>(x0 + i);
    store<u64>(out + i, (a & (load<u64>(y0 + i) ^ load<u64>(y1 + i))) ^ (load<u64>(x1 + i) & load<u64>(y0 + i)) ^ load<u64>(alpha + i));
  }
}

/** Packed bits (n values, bit i&63 of word i>>6) to one value per word, 0 or 1. */
export function unpack(out: usize, packed: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    store<u64>(out + (i << 3), (load<u64>(packed + ((i >> 6) << 3)) >> (<u64>i & 63)) & 1);
  }
}

/** out = a − b (mod 2^64) over n words. */
export function sub(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, i64x2.sub(v128.load(a + i), v128.load(b + i)));
  if (i < bytes) store<u64>(out + i, load<u64>(a + i) - load<u64>(b + i));
}
