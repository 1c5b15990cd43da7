import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { equalA, lessThanA, muxA } from '../../src/mpc/comparisons.js';
import { a2b, b2a, bitToA } from '../../src/mpc/conversions.js';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import type { Party } from '../../src/mpc/party.js';
import type { AShare } from '../../src/mpc/shares.js';
import { asList, EDGES, vector, vectorPair } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

/** Pairs with many equal keys and all the edge values against each other. */
const comparable = fc.oneof(
  vectorPair(),
  vector().map((a) => [a, a.slice()] as [BigUint64Array, BigUint64Array]),
  fc.constant([
    BigUint64Array.from(EDGES.flatMap((x) => EDGES.map(() => BigInt.asUintN(64, x)))),
    BigUint64Array.from(EDGES.flatMap(() => EDGES.map((y) => BigInt.asUintN(64, y)))),
  ] as [BigUint64Array, BigUint64Array]),
);

/** Shares a (party 0) and b (party 1), runs `op` and counts its rounds. */
async function onShares<T>(a: BigUint64Array, b: BigUint64Array, op: (party: Party, x: AShare, y: AShare) => Promise<T>): Promise<{ results: T[]; rounds: number[] }> {
  const { results } = await federation.run(async (party) => {
    const batch = party.batch();
    const x = batch.shareInputA(party.self === 0 ? a : null, 0, a.length);
    const y = batch.shareInputA(party.self === 1 ? b : null, 1, b.length);
    await batch.run();
    const before = party.exchange.stats.rounds;
    const out = await op(party, x.value, y.value);
    return { out, rounds: party.exchange.stats.rounds - before };
  });
  return { results: results.map((r) => r.out), rounds: results.map((r) => r.rounds) };
}

describe('conversions and comparisons (whole signed 64-bit range)', () => {
  it('A2B yields the same value in boolean form, in 8 rounds', async () => {
    await fc.assert(
      fc.asyncProperty(vector(), async (a) => {
        const { results, rounds } = await onShares(a, a, async (party, x) => party.revealB(await a2b(party, x)));
        expect(rounds).toEqual([9, 9, 9]); // 8 + the reveal
        for (const r of results) expect(asList(r)).toEqual(asList(a));
      }),
      { numRuns: 30 },
    );
  });

  it('B2A of whole words gives back the value in arithmetic form, in 9 rounds', async () => {
    await fc.assert(
      fc.asyncProperty(vector(), async (a) => {
        const { results, rounds } = await onShares(a, a, async (party, x) => {
          const b = await a2b(party, x);
          const before = party.exchange.stats.rounds;
          const back = await b2a(party, b);
          const own = party.exchange.stats.rounds - before;
          return { own, value: await party.revealA(back) };
        });
        expect(rounds).toEqual([18, 18, 18]); // A2B 8, B2A 9, the reveal
        for (const r of results) {
          expect(r.own).toBe(9);
          expect(asList(r.value)).toEqual(asList(a));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('less-than matches signed comparison, in 9 rounds', async () => {
    await fc.assert(
      fc.asyncProperty(comparable, async ([a, b]) => {
        const { results, rounds } = await onShares(a, b, async (party, x, y) => party.revealB(await lessThanA(party, x, y)));
        expect(rounds).toEqual([10, 10, 10]);
        const sa = ringToSigned(a);
        const sb = ringToSigned(b);
        const expected = Array.from(sa, (v, i) => (v < sb[i]! ? 1n : 0n));
        for (const r of results) expect(asList(r)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('equality matches, in 7 rounds', async () => {
    await fc.assert(
      fc.asyncProperty(comparable, async ([a, b]) => {
        const { results, rounds } = await onShares(a, b, async (party, x, y) => party.revealB(await equalA(party, x, y)));
        expect(rounds).toEqual([8, 8, 8]);
        const expected = Array.from(a, (v, i) => (v === b[i] ? 1n : 0n));
        for (const r of results) expect(asList(r)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('the multiplexer selects by a comparison bit (B2A in 2 rounds, mux in 3)', async () => {
    await fc.assert(
      fc.asyncProperty(comparable, async ([a, b]) => {
        const { results } = await onShares(a, b, async (party, x, y) => {
          const lt = await lessThanA(party, x, y);
          const before = party.exchange.stats.rounds;
          const bit = await bitToA(party, lt);
          const afterBit = party.exchange.stats.rounds;
          const min = await muxA(party, lt, x, y);
          const afterMux = party.exchange.stats.rounds;
          expect([afterBit - before, afterMux - afterBit]).toEqual([2, 3]);
          const batch = party.batch();
          const outs = [batch.revealA(bit), batch.revealA(min)];
          await batch.run();
          return outs.map((o) => o.value);
        });
        const sa = ringToSigned(a);
        const sb = ringToSigned(b);
        for (const [bit, min] of results) {
          expect(asList(bit!)).toEqual(Array.from(sa, (v, i) => (v < sb[i]! ? 1n : 0n)));
          expect(Array.from(ringToSigned(min!))).toEqual(Array.from(sa, (v, i) => (v < sb[i]! ? v : sb[i]!)));
        }
      }),
      { numRuns: 20 },
    );
  });
});
