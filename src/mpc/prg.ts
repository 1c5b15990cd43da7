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
 * draw in the same order, which the SPMD protocols guarantee.
 */
export class AesCtrPrg {
  private readonly cipher: Cipher;
  private block: BigUint64Array = new BigUint64Array(0);
  private used = 0;

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
    let at = 0;
    while (at < out.length) {
      if (this.used === this.block.length) this.refill();
      const take = Math.min(out.length - at, this.block.length - this.used);
      out.set(this.block.subarray(this.used, this.used + take), at);
      this.used += take;
      at += take;
    }
  }

  private refill(): void {
    const bytes = this.cipher.update(ZEROS);
    // Buffers this large are never pool slices, but a misaligned one would need a copy.
    this.block =
      bytes.byteOffset % 8 === 0
        ? new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8)
        : new BigUint64Array(new Uint8Array(bytes).buffer);
    this.used = 0;
  }
}
