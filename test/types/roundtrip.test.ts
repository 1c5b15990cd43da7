/**
 * encode → decode is the identity, in text and in binary, for every type and for arrays
 * of every type (nested, with NULLs), in several sessions' settings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CodecContext } from '../../src/server/engine.js';
import { binaryDecoder, binaryEncoder, defaultCodecContext, textDecoder, textEncoder } from '../../src/sql/types/index.js';
import { arrayArb, comparable, typeCases, vectorCases, type TypeCase } from './type-cases.js';

const contexts: CodecContext[] = [
  defaultCodecContext,
  { ...defaultCodecContext, timeZone: 'America/New_York', byteaOutput: 'escape', extraFloatDigits: 3 },
  { ...defaultCodecContext, timeZone: 'Asia/Kolkata' },
  { ...defaultCodecContext, timeZone: '+05:30' },
];

function expected(c: TypeCase, value: unknown): unknown {
  return comparable(c.canonical ? c.canonical(value) : value);
}

function checkRoundTrip(c: TypeCase, oid: number, value: unknown, ctx: CodecContext, canonical: unknown): void {
  const text = textEncoder(oid)(value, ctx);
  expect(comparable(textDecoder(oid)(text, ctx)), `${c.sql} text ${text}`).toEqual(canonical);
  const bytes = binaryEncoder(oid)(value, ctx);
  expect(comparable(binaryDecoder(oid)(bytes, ctx)), `${c.sql} binary`).toEqual(canonical);
}

/** Arrays whose elements are canonicalised like the scalars. */
function canonicalArray(c: TypeCase, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalArray(c, v));
  return value === null ? null : expected(c, value);
}

describe('round trips', () => {
  for (const c of [...typeCases, ...vectorCases]) {
    it(`${c.sql}: edges and random values`, () => {
      for (const ctx of contexts) for (const v of c.edges) checkRoundTrip(c, c.oid, v, ctx, expected(c, v));
      fc.assert(
        fc.property(c.arb, fc.constantFrom(...contexts), (v, ctx) => checkRoundTrip(c, c.oid, v, ctx, expected(c, v))),
        { numRuns: 300 },
      );
    });
  }
  for (const c of typeCases) {
    it(`${c.sql}[]: nested arrays with NULLs`, () => {
      const ctx = defaultCodecContext;
      checkRoundTrip(c, c.arrayOid, [], ctx, []);
      checkRoundTrip(c, c.arrayOid, [null], ctx, [null]);
      checkRoundTrip(c, c.arrayOid, c.edges, ctx, canonicalArray(c, c.edges));
      fc.assert(
        fc.property(arrayArb(c.arb), (v) => checkRoundTrip(c, c.arrayOid, v, ctx, canonicalArray(c, v))),
        { numRuns: 100 },
      );
    });
  }
});
