/**
 * The digits-in-place writer for integers and short-decimal doubles writes exactly what
 * the text encoders would: PostgreSQL's text of the value, length-prefixed, for any
 * integer and any double (shortDecimal says null where it cannot be sure, and the
 * encoder's text is used).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageWriter } from '../../src/server/protocol/message-writer.js';
import { formatFloat8, shortDecimal } from '../../src/sql/types/float-format.js';

function written(write: (w: MessageWriter) => void): string {
  const w = new MessageWriter(16);
  write(w);
  const bytes = w.take();
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
  return bytes.subarray(4).toString('latin1');
}

describe('numbers written digit by digit', () => {
  it('integers', () => {
    for (const v of [0, 1, -1, 9, 10, -10, 99, 100, 2147483647, -2147483648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e15, 999999999999999]) {
      expect(written((w) => w.lengthPrefixedDecimal(v, 0))).toBe(String(v));
    }
    fc.assert(fc.property(fc.maxSafeInteger(), (v) => written((w) => w.lengthPrefixedDecimal(v, 0)) === String(v)));
  });

  it('doubles: the short-decimal form, where there is one, is what PostgreSQL prints', () => {
    const check = (v: number): void => {
      const d = shortDecimal(v);
      if (d) expect(written((w) => w.lengthPrefixedDecimal(d[0], d[1]))).toBe(formatFloat8(v, 1));
    };
    for (const v of [0.5, -0.5, 1.5, 0.0001, -0.0001, 0.05, 1.1, 0.7, 0.1 + 0.2, 123456789012345, 100000000000000.5, 1e15 - 1, 2.675, 1e-5, 0, -0]) check(v);
    expect(shortDecimal(0.5)).toEqual([5, 1]);
    expect(shortDecimal(-0.05)).toEqual([-5, 2]);
    fc.assert(fc.property(fc.double({ noNaN: true }), (v) => check(v)), { numRuns: 20_000 });
    // Decimals with up to six places, as data often holds.
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 6 }), (m, k) => check(m / 10 ** k)), { numRuns: 20_000 });
  });
});
