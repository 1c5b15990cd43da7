/**
 * Splits a byte stream into protocol frames: untyped start-up packets (int32 length +
 * body) and typed messages (type byte + int32 length + body). Received chunks are kept
 * as a list and a frame is cut out of them only once it is complete: a frame inside one
 * chunk is a view of it (no copy); only a frame split across reads is joined. A header
 * is judged before its body is waited for, so an unknown type or a length over the
 * limit (a claimed 1 GiB) is refused without allocating anything for it.
 */
import { PgError } from '../pg-error.js';
import { SqlState } from '../sqlstate.js';
import { MAX_STARTUP_PACKET_LENGTH, frontendLengthLimit } from './message-types.js';

export interface Frame {
  /** Message type character, or '' for an untyped start-up packet. */
  type: string;
  body: Buffer;
}

/**
 * 'startup': the next frame is an untyped start-up packet. 'hold': a start-up packet
 * was read and the connection has not yet said what follows it (after SSLRequest the
 * next bytes may be a TLS handshake, which must not be parsed as frames). 'messages':
 * typed messages.
 */
type Mode = 'startup' | 'hold' | 'messages';

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private mode: Mode = 'startup';

  constructor(private readonly maxMessageLength: number) {}

  /** Another start-up packet comes next (after SSLRequest answered 'N', or inside TLS). */
  expectStartup(): void {
    this.mode = 'startup';
  }

  /** Typed messages come next (the start-up packet was a StartupMessage). */
  expectMessages(): void {
    this.mode = 'messages';
  }

  /** Bytes received and not yet returned as frames. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete frame, or null when more bytes are needed (or the mode is 'hold').
   * Throws a FATAL PgError 08P01 on a header that cannot be trusted; nothing after it can.
   */
  next(): Frame | null {
    if (this.mode === 'hold') return null;
    const startup = this.mode === 'startup';
    const headerSize = startup ? 4 : 5;
    if (this.buffered < headerSize) return null;
    const header = this.peek(headerSize);
    const type = startup ? '' : String.fromCharCode(header[0]!);
    const length = header.readInt32BE(startup ? 0 : 1);
    if (startup) {
      // A start-up packet holds at least its protocol code.
      if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) throw fatal(`invalid length of startup packet`);
    } else {
      const limit = frontendLengthLimit(type, this.maxMessageLength);
      if (limit < 0) throw fatal(`invalid frontend message type ${header[0]}`);
      if (length < 4 || length > limit) throw fatal(`invalid message length ${length} for message type "${type}"`);
    }
    const total = length + (startup ? 0 : 1);
    if (this.buffered < total) return null;
    const frame = this.take(total);
    if (startup) this.mode = 'hold';
    return { type, body: frame.subarray(headerSize) };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    // Only a header split across reads is joined here (at most 5 bytes are used).
    return Buffer.concat(this.chunks.slice(0, n));
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

function fatal(message: string): PgError {
  return new PgError(SqlState.protocolViolation, message, { severity: 'FATAL' });
}
