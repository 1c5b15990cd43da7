import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Words } from './ring-kernels.js';

/** Bytes per AES call: the size at which node:crypto's AES-CTR runs fastest here (DESIGN.md). */
const CHUNK_BYTES = 64 * 1024;
const ZEROS = new Uint8Array(CHUNK_BYTES);

export const PRG_KEY_BYTES = 16;

/**
 * A pseudo-random word stream: AES-128 in counter mode under a 16-byte key, from
 * counter 0. Two parties holding the same key draw the same words as long as they
 * draw in the same order, which the SPMD protocols guarantee. Each draw asks
 * node:crypto for exactly its bytes (CTR is a stream: any split gives the same words),
 * in calls of at most 64 KiB, and copies them once into the destination.
 */
export class AesCtrPrg {
  private readonly cipher: Cipher;

  constructor(key: Uint8Array) {
    if (key.byteLength !== PRG_KEY_BYTES) {
      throw new PgError(SqlState.internalError, `a PRG key has ${PRG_KEY_BYTES} bytes, not ${key.byteLength}`);
    }
    this.cipher = createCipheriv('aes-128-ctr', key, new Uint8Array(16));
  }

  static randomKey(): Uint8Array {
    return new Uint8Array(randomBytes(PRG_KEY_BYTES));
  }

  /** The next `n` words of the stream. */
  words(n: number): Words {
    const out = new BigUint64Array(n);
    this.fill(out);
    return out;
  }

  /** Overwrites `out` with the next `out.length` words of the stream. */
  fill(out: Words): void {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) {
      bytes.set(this.cipher.update(ZEROS.subarray(0, Math.min(CHUNK_BYTES, bytes.byteLength - at))), at);
    }
  }

  /**
   * Overwrites `out` with the next `out.length` words of this stream XOR the next
   * `out.length` words of `other` (both advance as by `fill`): CTR encryption of the
   * other stream's words under this key, one copy instead of two and an XOR.
   */
  fillXor(out: Words, other: AesCtrPrg): void {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) {
      const theirs = other.cipher.update(ZEROS.subarray(0, Math.min(CHUNK_BYTES, bytes.byteLength - at)));
      bytes.set(this.cipher.update(theirs), at);
    }
  }
}
