/**
 * The result stream's encoding between a party and the gateway: what a party encodes the
 * gateway decodes to the same values, and bytes from a party that are not a well-formed
 * message end in 08P01, never in a crash or in rows that were not sent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ResultDecoder, ResultEncoder } from '../../src/party/wire-format.js';
import { PgError } from '../../src/server/pg-error.js';
import { TypeOid } from '../../src/sql/types/index.js';
import type { RemoteColumn } from '../../connectors/connector.js';

const kinds = [
  { typeOid: TypeOid.int4, value: fc.integer() },
  { typeOid: TypeOid.int8, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { typeOid: TypeOid.float8, value: fc.double({ noNaN: true }) },
  { typeOid: TypeOid.text, value: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { typeOid: TypeOid.bool, value: fc.boolean() },
] as const;

const column = (typeOid: number, i: number): RemoteColumn => ({ name: `c${i}`, typeOid, typmod: -1, nullable: true });

const stream = fc
  .tuple(fc.array(fc.constantFrom(...kinds.keys()), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }))
  .chain(([picked, rows, batches]) =>
    fc.record({
      picked: fc.constant(picked),
      batches: fc.array(
        fc.tuple(...picked.map((k) => fc.array(fc.option(kinds[k]!.value as fc.Arbitrary<unknown>, { nil: null }), { minLength: rows, maxLength: rows }))),
        { minLength: batches, maxLength: batches },
      ),
    }),
  );

function expectProtocolViolation(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    expect((error as PgError).code).toBe('08P01');
    return;
  }
  throw new Error('decoded without an error');
}

describe('result stream encoding', () => {
  it('decodes what was encoded: header, batches with NULLs, end', () => {
    fc.assert(
      fc.property(stream, ({ picked, batches }) => {
        const columns = picked.map((k, i) => column(kinds[k]!.typeOid, i));
        const encoder = new ResultEncoder();
        const decoder = new ResultDecoder();
        expect(decoder.decode(encoder.encode({ kind: 'header', columns }))).toEqual({ kind: 'header', columns });
        for (const batch of batches) {
          const rowCount = batch[0]?.length ?? 0;
          const decoded = decoder.decode(encoder.encode({ kind: 'batch', batch: { rowCount, columns: batch } }));
          expect(decoded).toEqual({ kind: 'batch', batch: { rowCount, columns: batch } });
        }
        expect(decoder.decode(encoder.encode({ kind: 'end' }))).toEqual({ kind: 'end' });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a batch or an end before the header', () => {
    const encoder = new ResultEncoder();
    const header = encoder.encode({ kind: 'header', columns: [column(TypeOid.int4, 0)] });
    const batch = encoder.encode({ kind: 'batch', batch: { rowCount: 2, columns: [[1, null]] } });
    const end = encoder.encode({ kind: 'end' });
    expectProtocolViolation(() => new ResultDecoder().decode(batch));
    expectProtocolViolation(() => new ResultDecoder().decode(end));
    const decoder = new ResultDecoder();
    decoder.decode(header);
    expect(decoder.decode(batch)).toEqual({ kind: 'batch', batch: { rowCount: 2, columns: [[1, null]] } });
    expectProtocolViolation(() => decoder.decode(Buffer.concat([end, Buffer.of(0)])));
  });

  it('ends every truncated, extended or corrupted batch with 08P01', () => {
    const encoder = new ResultEncoder();
    const header = encoder.encode({ kind: 'header', columns: [column(TypeOid.int8, 0), column(TypeOid.text, 1)] });
    const batch = encoder.encode({ kind: 'batch', batch: { rowCount: 3, columns: [[1n, null, -7n], ['a', "it's", null]] } });
    for (let cut = 0; cut < batch.length; cut++) {
      const decoder = new ResultDecoder();
      decoder.decode(header);
      expectProtocolViolation(() => decoder.decode(batch.subarray(0, cut)));
    }
    const decoder = new ResultDecoder();
    decoder.decode(header);
    expectProtocolViolation(() => decoder.decode(Buffer.concat([batch, Buffer.of(0)])));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const d = new ResultDecoder();
        d.decode(header);
        try {
          d.decode(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(PgError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
