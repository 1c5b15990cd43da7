/**
 * Splits a byte stream into protocol frames: the untyped start-up packet first
 * (int32 length + body), then typed messages (type byte + int32 length + body). Bytes are
 * kept as a list of chunks and only joined once a whole frame is there; a length over the
 * limit is refused before anything is allocated for it.
 */
import { malformed } from './message-reader.js';
import type { PgError } from '../pg-error.js';

export interface Frame {
  /** Message type character, or '' for the untyped start-up packet. */
  type: string;
  body: Buffer;
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private startup = true;

  constructor(private readonly maxMessageLength: number) {}

  /** Next frames go without a type byte (after SSLRequest/GSSENCRequest, another start-up packet follows). */
  expectStartup(): void {
    this.startup = true;
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, null when more bytes are needed; throws PgError 08P01 on a bad length. */
  next(): Frame | null {
    const headerSize = this.startup ? 4 : 5;
    if (this.buffered < headerSize) return null;
    const header = this.peek(headerSize);
    const type = this.startup ? '' : String.fromCharCode(header[0]!);
    const length = header.readInt32BE(this.startup ? 0 : 1);
    if (length < 4) throw this.invalidLength(length);
    if (length > this.maxMessageLength) throw this.invalidLength(length);
    const total = length + (this.startup ? 0 : 1);
    if (this.buffered < total) return null;
    const frame = this.take(total);
    this.startup = false;
    return { type, body: frame.subarray(headerSize) };
  }

  private invalidLength(length: number): PgError {
    return malformed(`invalid message length ${length}`);
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    return Buffer.concat(this.chunks, Math.min(n, this.buffered)).subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const want = n - filled;
      if (chunk.length <= want) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, filled, 0, want);
        this.chunks[0] = chunk.subarray(want);
        filled += want;
      }
    }
    return out;
  }
}
