/**
 * Framing: frames come out whole and in order however the stream is cut into reads;
 * headers that cannot be trusted are refused before their body is waited for.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { FrameReader, type Frame } from '../../../src/server/protocol/frame-reader.js';
import { PgError } from '../../../src/server/pg-error.js';

const MiB = 1024 * 1024;

function typed(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function drain(reader: FrameReader): Frame[] {
  const out: Frame[] = [];
  for (let f = reader.next(); f; f = reader.next()) out.push(f);
  return out;
}

function refusal(fn: () => unknown): PgError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    return error as PgError;
  }
  throw new Error('expected a refusal');
}

describe('FrameReader', () => {
  it('returns the same frames however the stream is split into reads', () => {
    const frameArb = fc.tuple(fc.constantFrom('Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'd'), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const startup = serialize.startup({ user: 'u', database: 'd' });
        const stream = Buffer.concat([startup, ...frames.map(([t, b]) => typed(t, b))]);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const reader = new FrameReader(64 * MiB);
        const got: Frame[] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          reader.push(stream.subarray(from, point));
          from = point;
          for (let f = reader.next(); f; f = reader.next()) {
            got.push(f);
            if (f.type === '') reader.expectMessages();
          }
        }
        expect(got[0]!.type).toBe('');
        expect(got[0]!.body.equals(startup.subarray(4))).toBe(true);
        expect(got.slice(1).map((f) => [f.type, Buffer.from(f.body).toString('hex')])).toEqual(
          frames.map(([t, b]) => [t, Buffer.from(b).toString('hex')]),
        );
        expect(reader.pendingBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('hands out frames that lie inside one read as views of it, without copying', () => {
    const reader = new FrameReader(64 * MiB);
    reader.expectMessages();
    const chunk = Buffer.concat([serialize.query('SELECT 1'), serialize.sync(), serialize.query('SELECT 2')]);
    reader.push(chunk);
    const frames = drain(reader);
    expect(frames.map((f) => f.type)).toEqual(['Q', 'S', 'Q']);
    for (const f of frames) expect(f.body.buffer).toBe(chunk.buffer);
  });

  it('refuses a length claiming 1 GiB from the five header bytes alone', () => {
    const reader = new FrameReader(64 * MiB);
    reader.expectMessages();
    const head = Buffer.alloc(5);
    head[0] = 0x51;
    head.writeInt32BE(1 << 30, 1);
    reader.push(head);
    const e = refusal(() => reader.next());
    expect([e.code, e.severity]).toEqual(['08P01', 'FATAL']);
    expect(reader.pendingBytes).toBe(5);
  });

  it('honours a configured maximum message length', () => {
    const reader = new FrameReader(1000);
    reader.expectMessages();
    reader.push(typed('Q', Buffer.alloc(996)));
    expect(reader.next()?.body.length).toBe(996);
    reader.push(typed('Q', Buffer.alloc(997)).subarray(0, 5));
    expect(refusal(() => reader.next()).code).toBe('08P01');
  });

  it('limits messages that never carry data (Sync, Execute, …) to 10000 bytes, as PostgreSQL does', () => {
    const reader = new FrameReader(64 * MiB);
    reader.expectMessages();
    const head = Buffer.alloc(5);
    head[0] = 0x53;
    head.writeInt32BE(20_000, 1);
    reader.push(head);
    expect(refusal(() => reader.next()).message).toMatch(/invalid message length/);
  });

  it('refuses an unknown message type at its header', () => {
    const reader = new FrameReader(64 * MiB);
    reader.expectMessages();
    reader.push(Buffer.from([0x7a, 0x00, 0x10, 0x00, 0x00]));
    const e = refusal(() => reader.next());
    expect([e.code, e.message]).toEqual(['08P01', 'invalid frontend message type 122']);
  });

  it('refuses lengths below the length word itself', () => {
    for (const length of [0, 3, -1, -(2 ** 31)]) {
      const reader = new FrameReader(64 * MiB);
      reader.expectMessages();
      const head = Buffer.alloc(5);
      head[0] = 0x51;
      head.writeInt32BE(length, 1);
      reader.push(head);
      expect(refusal(() => reader.next()).code).toBe('08P01');
    }
  });

  it('refuses start-up packets shorter than a protocol code or longer than 10000 bytes', () => {
    for (const length of [4, 7, 10_001, 1 << 30]) {
      const reader = new FrameReader(64 * MiB);
      const head = Buffer.alloc(8);
      head.writeInt32BE(length, 0);
      reader.push(head);
      expect(refusal(() => reader.next()).message).toBe('invalid length of startup packet');
    }
  });

  it('does not parse what follows a start-up packet until told what it is (a TLS handshake is no frame)', () => {
    const reader = new FrameReader(64 * MiB);
    reader.push(Buffer.concat([serialize.requestSsl(), Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])]));
    expect(reader.next()?.type).toBe('');
    expect(reader.next()).toBeNull();
    expect(reader.pendingBytes).toBe(5);
  });
});
