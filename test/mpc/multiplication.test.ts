import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { asList, ringMap2, vectorPair } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

describe('multiplication and AND', () => {
  it('mulA matches int64 multiplication with wrap-around', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(), async ([a, b]) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
          const y = await party.shareInputA(party.self === 1 ? b : null, 1, b.length);
          return party.revealA(await party.mulA(x, y));
        });
        const expected = asList(ringMap2(a, b, (x, y) => x * y));
        for (const r of results) expect(asList(r)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('andB matches bitwise AND, and orB bitwise OR', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(), async ([a, b]) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputB(party.self === 2 ? a : null, 2, a.length);
          const y = await party.shareInputB(party.self === 0 ? b : null, 0, b.length);
          const and = await party.revealB(await party.andB(x, y));
          const or = await party.revealB(await party.orB(x, y));
          return [and, or];
        });
        for (const [and, or] of results) {
          expect(asList(and!)).toEqual(asList(ringMap2(a, b, (x, y) => x & y)));
          expect(asList(or!)).toEqual(asList(ringMap2(a, b, (x, y) => x | y)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a product of products stays correct (shares are re-randomised each round)', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(32), async ([a, b]) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
          const y = await party.shareInputA(party.self === 1 ? b : null, 1, b.length);
          const xy = await party.mulA(x, y);
          const xyy = await party.mulA(xy, y);
          return party.revealA(await party.mulA(xyy, xy));
        });
        const expected = asList(ringMap2(a, b, (x, y) => x * y * y * x * y));
        for (const r of results) expect(asList(r)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('counts exactly one round per multiplication and one for a whole batch, with the bytes', async () => {
    const n = 1000;
    const a = BigUint64Array.from({ length: n }, (_, i) => BigInt(i * 7919));
    const { results, stats } = await federation.run(async (party) => {
      const x = await party.shareInputA(party.self === 0 ? a : null, 0, n);
      const before = { ...party.exchange.stats };
      await party.mulA(x, x);
      const afterOne = { ...party.exchange.stats };
      const batch = party.batch();
      const products = Array.from({ length: 10 }, () => batch.mulA(x, x));
      const ands = Array.from({ length: 5 }, () => batch.andB({ kind: 'B', s0: x.s0, s1: x.s1 }, { kind: 'B', s0: x.s1, s1: x.s0 }));
      await batch.run();
      const afterBatch = { ...party.exchange.stats };
      expect(products.every((p) => p.value.s0.length === n) && ands.length === 5).toBe(true);
      return { before, afterOne, afterBatch };
    });
    for (const { before, afterOne, afterBatch } of results) {
      expect(afterOne.rounds - before.rounds).toBe(1);
      expect(afterOne.framesSent - before.framesSent).toBe(1);
      expect(afterOne.bytesSent - before.bytesSent).toBe(n * 8);
      expect(afterBatch.rounds - afterOne.rounds).toBe(1);
      expect(afterBatch.framesSent - afterOne.framesSent).toBe(1);
      expect(afterBatch.bytesSent - afterOne.bytesSent).toBe(15 * n * 8);
    }
    // setup, input, one mul, one batch
    for (const s of stats) expect(s.rounds).toBe(4);
  });

  it('mixes operations of different kinds and owners in one round', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(), async ([a, b]) => {
        const { results, stats } = await federation.run(async (party) => {
          const inputs = party.batch();
          const x = inputs.shareInputA(party.self === 0 ? a : null, 0, a.length);
          const y = inputs.shareInputA(party.self === 1 ? b : null, 1, b.length);
          const z = inputs.shareInputB(party.self === 2 ? b : null, 2, b.length);
          await inputs.run();
          const work = party.batch();
          const p = work.mulA(x.value, y.value);
          const q = work.andB(z.value, z.value);
          const s = work.revealATo(x.value, 2);
          await work.run();
          const out = party.batch();
          const rp = out.revealA(p.value);
          const rq = out.revealB(q.value);
          await out.run();
          return [rp.value, rq.value, s.value] as const;
        });
        results.forEach(([p, q, s], i) => {
          expect(asList(p)).toEqual(asList(ringMap2(a, b, (x, y) => x * y)));
          expect(asList(q)).toEqual(asList(b));
          expect(s === null ? null : asList(s)).toEqual(i === 2 ? asList(a) : null);
        });
        for (const st of stats) expect(st.rounds).toBe(4);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses operands of different lengths', async () => {
    await expect(
      federation.run(async (party) => {
        const x = party.constantA(new BigUint64Array(3));
        const y = party.constantA(new BigUint64Array(4));
        return party.mulA(x, y);
      }),
    ).rejects.toThrow(/differ in length/);
  });
});
