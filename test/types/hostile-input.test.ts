/**
 * Hostile bytes and text: decoders end in a PgError with PostgreSQL's SQLSTATE, never in
 * another exception, a hang, or an allocation the input did not pay for.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PgError } from '../../src/server/pg-error.js';
import { binaryDecoder, defaultCodecContext as ctx, textDecoder, TypeOid } from '../../src/sql/types/index.js';

const oids = [...new Set(Object.values(TypeOid))];

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof PgError) return error.code;
    throw error;
  }
}

function arrayHeader(ndim: number, flags: number, elementOid: number, dims: Array<[number, number]>, tail: number[] = []): Uint8Array {
  const b = Buffer.alloc(12 + dims.length * 8 + tail.length * 4);
  b.writeInt32BE(ndim, 0);
  b.writeInt32BE(flags, 4);
  b.writeUInt32BE(elementOid, 8);
  dims.forEach(([size, lower], i) => {
    b.writeInt32BE(size, 12 + i * 8);
    b.writeInt32BE(lower, 16 + i * 8);
  });
  tail.forEach((v, i) => b.writeInt32BE(v, 12 + dims.length * 8 + i * 4));
  return b;
}

describe('hostile input', () => {
  it('random bytes into every binary decoder give a value or a PgError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...oids), fc.uint8Array({ maxLength: 48 }), (oid, bytes) => {
        outcome(() => binaryDecoder(oid)(bytes, ctx));
      }),
      { numRuns: 4000 },
    );
  });

  it('random text into every text decoder gives a value or a PgError', () => {
    const alphabet = fc.constantFrom(...'0123456789-+.:eE{}[]"\\, \tNULLabcdefxPTYMDHS/'.split(''));
    fc.assert(
      fc.property(fc.constantFrom(...oids), fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: alphabet, maxLength: 30 })), (oid, text) => {
        outcome(() => textDecoder(oid)(text, ctx));
      }),
      { numRuns: 4000 },
    );
  });

  it('wrong lengths of fixed-size binary values are 22P03', () => {
    for (const [oid, size] of [[TypeOid.int2, 2], [TypeOid.int4, 4], [TypeOid.int8, 8], [TypeOid.float8, 8], [TypeOid.date, 4], [TypeOid.timestamptz, 8], [TypeOid.interval, 16], [TypeOid.uuid, 16], [TypeOid.bool, 1]] as const) {
      expect(outcome(() => binaryDecoder(oid)(new Uint8Array(size + 1), ctx))).toBe('22P03');
      expect(outcome(() => binaryDecoder(oid)(new Uint8Array(size - 1), ctx))).toBe('22P03');
    }
  });

  it('array headers that lie are refused before anything is allocated', () => {
    const decode = (bytes: Uint8Array): string => outcome(() => binaryDecoder(TypeOid.int4_array)(bytes, ctx));
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[0x7fffffff, 1]]))).toBe('54000');
    expect(decode(arrayHeader(2, 0, TypeOid.int4, [[65536, 1], [65536, 1]]))).toBe('54000');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[1000000, 1]]))).toBe('22P03');
    expect(decode(arrayHeader(7, 0, TypeOid.int4, Array.from({ length: 7 }, () => [1, 1] as [number, number])))).toBe('54000');
    expect(decode(arrayHeader(-1, 0, TypeOid.int4, []))).toBe('22P03');
    expect(decode(arrayHeader(1, 2, TypeOid.int4, [[1, 1]], [4, 7]))).toBe('22P03');
    expect(decode(arrayHeader(1, 0, TypeOid.int8, [[1, 1]], [-1]))).toBe('42804');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[-1, 1]]))).toBe('22P03');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[1, 1]], [-5]))).toBe('22P03');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[1, 1]], [0x7ffffff0]))).toBe('22P03');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[2, 1]], [-1]))).toBe('22P03');
    expect(decode(arrayHeader(1, 0, TypeOid.int4, [[1, 0x7fffffff]], [-1]))).toBe('54000');
    expect(decode(arrayHeader(1, 1, TypeOid.int4, [[2, 1]], [-1, -1]))).toBe('ok');
  });

  it('numeric binary with impossible digits is 22P03', () => {
    const numeric = (words: number[]): string => {
      const b = Buffer.alloc(words.length * 2);
      words.forEach((w, i) => b.writeUInt16BE(w & 0xffff, i * 2));
      return outcome(() => binaryDecoder(TypeOid.numeric)(b, ctx));
    };
    expect(numeric([0x7fff, 0, 0, 0])).toBe('22P03');
    expect(numeric([1, 0, 0, 0, 10000])).toBe('22P03');
    expect(numeric([1, 0, 0x1234, 0, 1])).toBe('22P03');
    expect(numeric([0, 0, 0, 0x8000])).toBe('22P03');
    expect(numeric([1, 0x7fff, 0, 0, 1])).toBe('ok');
  });

  it('deep nesting in json and array text is refused, not a stack overflow', () => {
    expect(outcome(() => textDecoder(TypeOid.jsonb)('['.repeat(200000), ctx))).toBe('54001');
    expect(outcome(() => textDecoder(TypeOid.json)('['.repeat(200000), ctx))).toBe('54001');
    expect(outcome(() => textDecoder(TypeOid.int4_array)('{'.repeat(100000), ctx))).toBe('54000');
  });

  it('invalid UTF-8 and NUL in text are 22021', () => {
    expect(outcome(() => binaryDecoder(TypeOid.text)(Uint8Array.of(0xc3, 0x28), ctx))).toBe('22021');
    expect(outcome(() => binaryDecoder(TypeOid.varchar)(Uint8Array.of(0x61, 0), ctx))).toBe('22021');
    expect(outcome(() => textDecoder(TypeOid.text)('a\0b', ctx))).toBe('22021');
    expect(outcome(() => binaryDecoder(TypeOid.name)(new Uint8Array(64).fill(0x61), ctx))).toBe('42622');
  });
});
