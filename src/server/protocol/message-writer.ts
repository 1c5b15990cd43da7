/**
 * Builds backend messages into one growing buffer, so a result's many DataRows go out in
 * few large socket writes. Each message is type byte + int32 length (patched in at the
 * end) + body.
 */
export class MessageWriter {
  private buffer: Buffer;
  private length = 0;
  private messageStart = -1;

  constructor(initialSize = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  get size(): number {
    return this.length;
  }

  begin(type: string): this {
    // A message begun and never ended (a value that failed to encode midway) is dropped, so
    // the ErrorResponse that follows is not read as part of it and the client stays in step.
    if (this.messageStart >= 0) this.length = this.messageStart - 1;
    this.ensure(5);
    this.buffer[this.length] = type.charCodeAt(0);
    this.messageStart = this.length + 1;
    this.length += 5;
    return this;
  }

  end(): this {
    this.buffer.writeInt32BE(this.length - this.messageStart, this.messageStart);
    this.messageStart = -1;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buffer[this.length++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(v, this.length);
    this.length += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buffer.writeUInt16BE(v & 0xffff, this.length);
    this.length += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(v, this.length);
    this.length += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }

  /** A NUL-terminated string; a NUL inside `s` would end it early and desynchronise the client, so it is dropped. */
  cstring(text: string): this {
    const s = text.includes('\0') ? text.replaceAll('\0', '') : text;
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.buffer.write(s, this.length, 'utf8');
    this.length += n;
    this.buffer[this.length++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** int32 length + UTF-8 bytes of `s` (a DataRow text value). */
  lengthPrefixedString(s: string): this {
    const units = s.length;
    if (units <= 48) {
      // Short values (numbers, dates, codes) are nearly always ASCII: copying the char
      // codes in JS beats a native Buffer.write call per value.
      this.ensure(4 + units);
      const buffer = this.buffer;
      const start = this.length + 4;
      let i = 0;
      for (; i < units; i++) {
        const code = s.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[start + i] = code;
      }
      if (i === units) {
        buffer.writeInt32BE(units, this.length);
        this.length = start + units;
        return this;
      }
    }
    // Worst case 3 bytes per UTF-16 unit; write, then patch the real length.
    this.ensure(4 + s.length * 3);
    const n = this.buffer.write(s, this.length + 4, 'utf8');
    this.buffer.writeInt32BE(n, this.length);
    this.length += 4 + n;
    return this;
  }

  /**
   * int32 length + the decimal text of the integer `m` scaled down by 10^`k`: (m, 0) is an
   * integer, (15, 1) is "1.5", (-5, 2) is "-0.05". The digits go straight into the buffer,
   * with no string made: integers and short decimals are most of what numeric columns hold.
   * `m` must be a safe integer.
   */
  lengthPrefixedDecimal(m: number, k: number): this {
    this.ensure(4 + 24 + k);
    const buffer = this.buffer;
    let at = this.length + 4;
    let magnitude = m;
    if (m < 0) {
      buffer[at++] = 0x2d; // '-'
      magnitude = -m;
    }
    let digits = 1;
    for (let p = 10; p <= magnitude; p *= 10) digits++;
    // With k fraction digits, at least k + 1 digits are printed ("0.05").
    const width = Math.max(digits, k + 1);
    const point = k > 0 ? 1 : 0;
    let end = at + width + point;
    for (let i = 0; i < width; i++) {
      if (point && i === k) buffer[--end] = 0x2e; // '.'
      const next = Math.floor(magnitude / 10);
      buffer[--end] = 0x30 + (magnitude - next * 10);
      magnitude = next;
    }
    const length = width + point + (m < 0 ? 1 : 0);
    buffer.writeInt32BE(length, this.length);
    this.length += 4 + length;
    return this;
  }

  lengthPrefixedBytes(b: Uint8Array): this {
    this.ensure(4 + b.length);
    this.buffer.writeInt32BE(b.length, this.length);
    this.buffer.set(b, this.length + 4);
    this.length += 4 + b.length;
    return this;
  }

  /** Takes what was written so far (an unfinished message is dropped) and starts afresh. */
  take(): Buffer {
    if (this.messageStart >= 0) {
      this.length = this.messageStart - 1;
      this.messageStart = -1;
    }
    const size = this.length;
    this.length = 0;
    if (size >= 32 * 1024) {
      // Large output: hand the buffer itself to the socket and start a new one (no copy).
      const out = this.buffer.subarray(0, size);
      this.buffer = Buffer.allocUnsafe(Math.min(Math.max(this.buffer.length, 64 * 1024), 1024 * 1024));
      return out;
    }
    return Buffer.from(this.buffer.subarray(0, size));
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
