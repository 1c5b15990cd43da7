/**
 * Reads the fields of one frontend message body. Every read is bounds-checked: a body
 * shorter than its fields claim is a protocol violation (08P01), never an exception from
 * Buffer or a read past the end.
 */
import { PgError } from '../pg-error.js';
import { SqlState } from '../sqlstate.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class MessageReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.offset;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  /** Counts (of parameters, formats, columns) are unsigned 16-bit, as PostgreSQL reads them. */
  uint16(): number {
    this.need(2);
    const v = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string; invalid UTF-8 is 22021 as in PostgreSQL. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw malformed('missing string terminator');
    const bytes = this.body.subarray(this.offset, end);
    this.offset = end + 1;
    return decodeUtf8(bytes);
  }

  bytes(length: number): Buffer {
    if (length < 0) throw malformed('negative length');
    this.need(length);
    const out = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** The message must have been read to its end. */
  end(): void {
    if (this.remaining !== 0) throw malformed('message has trailing bytes');
  }

  private need(n: number): void {
    if (this.offset + n > this.body.length) throw malformed('insufficient data left in message');
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

export function malformed(message: string): PgError {
  return new PgError(SqlState.protocolViolation, message);
}
