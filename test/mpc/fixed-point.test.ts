import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFixed, encodeFixed, ringToSigned, signedToRing } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

/** |x| < 2^40: truncation fails with probability ≤ 2^(41−64) per element. */
const bounded = fc.bigInt({ min: -(2n ** 40n) + 1n, max: 2n ** 40n - 1n });

describe('fixed point', () => {
  it('truncA is floor(x / 2^d) or one more', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(0n, 1n, -1n, 2n ** 40n - 1n, -(2n ** 40n) + 1n), bounded), { maxLength: 100 }), fc.integer({ min: 0, max: 30 }), async (values, d) => {
        const a = signedToRing(BigInt64Array.from(values));
        const { results, stats } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 1 ? a : null, 1, a.length);
          return party.revealA(await party.truncA(x, d));
        });
        for (const r of results) {
          const got = ringToSigned(r);
          values.forEach((v, i) => {
            const floor = v >> BigInt(d);
            expect(got[i]! - floor >= 0n && got[i]! - floor <= 1n, `${v} >> ${d} gave ${got[i]}`).toBe(true);
          });
        }
        for (const s of stats) expect(s.rounds).toBe(4);
      }),
      { numRuns: 40 },
    );
  });

  it('mulFixedA multiplies decimals within one unit in the last place', async () => {
    // Products stay under 2^38 scaled units, so a large error has probability < 2^-25.
    const f = 12;
    const decimal = fc.double({ min: -100, max: 100, noNaN: true });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(decimal, decimal), { maxLength: 50 }), async (pairs) => {
        const a = encodeFixed(pairs.map(([x]) => x), f);
        const b = encodeFixed(pairs.map(([, y]) => y), f);
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
          const y = await party.shareInputA(party.self === 2 ? b : null, 2, b.length);
          return party.revealA(await party.mulFixedA(x, y, f));
        });
        const exact = decodeFixed(a, f).map((x, i) => x * decodeFixed(b, f)[i]!);
        for (const r of results) {
          const got = decodeFixed(r, f);
          exact.forEach((e, i) => expect(Math.abs(got[i]! - e)).toBeLessThanOrEqual(2 ** -f + 1e-9));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('fails as documented when magnitudes approach 2^63: at most 2^(l+1-64) of the elements', async () => {
    // |x| just under 2^60: the bound is 2^-3 of the elements; the rest stay exact to one unit.
    const n = 4096;
    const a = signedToRing(BigInt64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1n : -1n) * (2n ** 60n - 1n - BigInt(i))));
    const { results } = await federation.run(async (party) => {
      const x = await party.shareInputA(party.self === 0 ? a : null, 0, n);
      return party.revealA(await party.truncA(x, 8));
    });
    const got = ringToSigned(results[0]);
    const want = ringToSigned(a);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const error = got[i]! - (want[i]! >> 8n);
      if (error < 0n || error > 1n) wrong++;
    }
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThanOrEqual(n / 8);
  });

  it('encodes and decodes decimals, and refuses what does not fit', () => {
    const words = encodeFixed([1.5, -2.25, 0], 8);
    expect(Array.from(ringToSigned(words))).toEqual([384n, -576n, 0n]);
    expect(Array.from(decodeFixed(words, 8))).toEqual([1.5, -2.25, 0]);
    expect(() => encodeFixed([2 ** 60], 8)).toThrow(/does not fit/);
    expect(() => encodeFixed([1], 63)).toThrow(/fraction bits/);
  });
});
