import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Words } from './ring-kernels.js';

/**
 * Plaintext ↔ ring encodings. Signed 64-bit integers map to Z_2^64 by their
 * two's-complement bit pattern, so ring addition and multiplication are exactly
 * int64 arithmetic with wrap-around. Fixed-point decimals are integers scaled by
 * 2^fractionBits; a product carries 2·fractionBits and is truncated back (see
 * `Party.truncA`). Booleans pack 64 to a word.
 */

/** The ring view of signed integers: the same bytes, no copy. */
export function signedToRing(values: BigInt64Array): Words {
  return new BigUint64Array(values.buffer, values.byteOffset, values.length);
}

/** The signed view of ring elements: the same bytes, no copy. */
export function ringToSigned(words: Words): BigInt64Array {
  return new BigInt64Array(words.buffer, words.byteOffset, words.length);
}

/** Largest |value| a fixed-point encoding with `fractionBits` can hold exactly as a double. */
function checkFractionBits(fractionBits: number): void {
  if (!Number.isInteger(fractionBits) || fractionBits < 0 || fractionBits > 62) {
    throw new PgError(SqlState.invalidParameterValue, `fixed-point fraction bits must be 0..62, not ${fractionBits}`);
  }
}

/** Encodes decimals as round(v · 2^fractionBits) in two's complement. */
export function encodeFixed(values: ArrayLike<number>, fractionBits: number): Words {
  checkFractionBits(fractionBits);
  const out = new BigInt64Array(values.length);
  const scale = 2 ** fractionBits;
  for (let i = 0; i < values.length; i++) {
    const scaled = Math.round(values[i]! * scale);
    if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 63) {
      throw new PgError(SqlState.numericValueOutOfRange, `value ${values[i]} does not fit a fixed-point number with ${fractionBits} fraction bits`);
    }
    out[i] = BigInt(scaled);
  }
  return signedToRing(out);
}

/** Decodes fixed-point ring elements to doubles (exact up to 2^53 scaled units). */
export function decodeFixed(words: Words, fractionBits: number): Float64Array {
  checkFractionBits(fractionBits);
  const signed = ringToSigned(words);
  const out = new Float64Array(words.length);
  const scale = 2 ** fractionBits;
  for (let i = 0; i < words.length; i++) out[i] = Number(signed[i]!) / scale;
  return out;
}

/** Packs booleans (any truthy value is 1) into ceil(n/64) words, element j at bit j%64 of word ⌊j/64⌋. */
export function packBits(values: ArrayLike<boolean | number>): Words {
  const out = new BigUint64Array(Math.ceil(values.length / 64));
  for (let w = 0; w < out.length; w++) {
    let lo = 0;
    let hi = 0;
    const base = w * 64;
    const end = Math.min(64, values.length - base);
    for (let j = 0; j < end; j++) {
      if (!values[base + j]) continue;
      if (j < 32) lo |= 1 << j;
      else hi |= 1 << (j - 32);
    }
    out[w] = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }
  return out;
}

/** Unpacks the first `n` bits. */
export function unpackBits(words: Words, n: number): Uint8Array {
  if (n > words.length * 64) throw new PgError(SqlState.internalError, `${n} bits asked of ${words.length} words`);
  const out = new Uint8Array(n);
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    const lo = Number(word & 0xffffffffn);
    const hi = Number(word >> 32n);
    const base = w * 64;
    const end = Math.min(64, n - base);
    for (let j = 0; j < end; j++) out[base + j] = j < 32 ? (lo >>> j) & 1 : (hi >>> (j - 32)) & 1;
  }
  return out;
}

/** Words needed for `n` packed bits. */
export function packedWords(n: number): number {
  return Math.ceil(n / 64);
}
