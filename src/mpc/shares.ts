import type { Words } from './ring-kernels.js';

/**
 * Party i's replicated 2-out-of-3 share of a vector x over Z_2^64: with
 * x = c_0 + c_1 + c_2 (mod 2^64, element-wise), party i holds `s0` = c_i and
 * `s1` = c_{i+1}. Any two parties can reconstruct; any one sees uniform noise.
 * Signed integers are their two's-complement bit patterns (see encoding.ts).
 */
export interface AShare {
  readonly kind: 'A';
  readonly s0: Words;
  readonly s1: Words;
}

/**
 * The same over XOR: x = c_0 ^ c_1 ^ c_2 word by word. A word is either one 64-bit
 * value in boolean form (after A2B) or 64 packed one-bit values (flags, comparison
 * results, NULL markers: bit j of word w is element 64w+j).
 */
export interface BShare {
  readonly kind: 'B';
  readonly s0: Words;
  readonly s1: Words;
}

/** A shared column that may hold NULLs: the value (0 where NULL) and a packed NULL flag. */
export interface NullableAShare {
  readonly value: AShare;
  /** One bit per element, packed 64 to a word; 1 = NULL. */
  readonly isNull: BShare;
}

export function aShare(s0: Words, s1: Words): AShare {
  return { kind: 'A', s0, s1 };
}

export function bShare(s0: Words, s1: Words): BShare {
  return { kind: 'B', s0, s1 };
}

/** Number of elements (words) in a share. */
export function shareLength(x: AShare | BShare): number {
  return x.s0.length;
}

/** Elements [from, to) of a share, without copying. */
export function sliceA(x: AShare, from: number, to: number): AShare {
  return aShare(x.s0.subarray(from, to), x.s1.subarray(from, to));
}

/** Elements [from, to) of a boolean share, without copying. */
export function sliceB(x: BShare, from: number, to: number): BShare {
  return bShare(x.s0.subarray(from, to), x.s1.subarray(from, to));
}

/** The bytes of a word vector, without copying (what a round sends). */
export function wordBytes(w: Words): Uint8Array {
  return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
}

/** Received bytes as words: a view when 8-aligned, else a copy (the length a multiple of 8). */
export function bytesAsWords(bytes: Uint8Array): Words {
  return bytes.byteOffset % 8 === 0 ? new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8) : new BigUint64Array(bytes.slice().buffer);
}

/** Two word vectors one after the other, in a new vector. */
export function concatWords(a: Words, b: Words): Words {
  const out = new BigUint64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Shares of vectors one after the other: a share of their concatenation (no communication). */
export function concatA(parts: readonly AShare[]): AShare {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((t, p) => t + p.s0.length, 0);
  const s0 = new BigUint64Array(n);
  const s1 = new BigUint64Array(n);
  let at = 0;
  for (const p of parts) {
    s0.set(p.s0, at);
    s1.set(p.s1, at);
    at += p.s0.length;
  }
  return aShare(s0, s1);
}

/** Boolean shares one after the other: a share of their concatenation (no communication). */
export function concatB(parts: readonly BShare[]): BShare {
  const a = concatA(parts.map((p) => aShare(p.s0, p.s1)));
  return bShare(a.s0, a.s1);
}
