import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { equalSliced, lessThanSliced } from '../../src/mpc/sliced.js';
import { EDGES, int64 } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

/** Long vectors (several 64-value blocks, several chunks of 128) mixing edges, neighbours and equal pairs. */
const longPairs = fc
  .array(
    fc.oneof(
      fc.tuple(int64, int64),
      int64.map((v) => [v, v] as [bigint, bigint]),
      int64.map((v) => [v, v + 1n] as [bigint, bigint]),
      fc.tuple(fc.constantFrom(...EDGES), fc.constantFrom(...EDGES)),
    ),
    { minLength: 0, maxLength: 700 },
  )
  .map((pairs) => [
    BigUint64Array.from(pairs.map(([a]) => BigInt.asUintN(64, a))),
    BigUint64Array.from(pairs.map(([, b]) => BigInt.asUintN(64, b))),
  ] as [BigUint64Array, BigUint64Array]);

async function compare(a: BigUint64Array, b: BigUint64Array, chunk: number, which: 'lt' | 'eq'): Promise<{ opened: bigint[][]; rounds: number[] }> {
  const { results } = await federation.run(async (party) => {
    const batch = party.batch();
    const x = batch.shareInputA(party.self === 0 ? a : null, 0, a.length);
    const y = batch.shareInputA(party.self === 2 ? b : null, 2, b.length);
    await batch.run();
    const before = party.exchange.stats.rounds;
    const bits = which === 'lt' ? await lessThanSliced(party, x.value, y.value, chunk) : await equalSliced(party, x.value, y.value, chunk);
    const rounds = party.exchange.stats.rounds - before;
    return { opened: Array.from(await party.revealB(bits)), rounds };
  });
  return { opened: results.map((r) => r.opened), rounds: results.map((r) => r.rounds) };
}

describe('bit-sliced comparisons, chunked (whole signed range)', () => {
  it('less-than over several chunks matches plaintext, 9 rounds per chunk', async () => {
    await fc.assert(
      fc.asyncProperty(longPairs, async ([a, b]) => {
        const { opened, rounds } = await compare(a, b, 128, 'lt');
        const sa = ringToSigned(a);
        const sb = ringToSigned(b);
        const expected = Array.from(sa, (v, i) => (v < sb[i]! ? 1n : 0n));
        for (const o of opened) expect(o).toEqual(expected);
        expect(rounds).toEqual([0, 1, 2].map(() => 9 * Math.max(1, Math.ceil(a.length / 128))));
      }),
      { numRuns: 25 },
    );
  });

  it('equality over several chunks matches plaintext, 7 rounds per chunk', async () => {
    await fc.assert(
      fc.asyncProperty(longPairs, async ([a, b]) => {
        const { opened, rounds } = await compare(a, b, 192, 'eq');
        expect(opened[0]).toEqual(Array.from(a, (v, i) => (v === b[i] ? 1n : 0n)));
        for (const o of opened) expect(o).toEqual(opened[0]);
        expect(rounds).toEqual([0, 1, 2].map(() => 7 * Math.max(1, Math.ceil(a.length / 192))));
      }),
      { numRuns: 25 },
    );
  });

  it('every pair of edge values, in one block', async () => {
    const a = BigUint64Array.from(EDGES.flatMap((x) => EDGES.map(() => BigInt.asUintN(64, x))));
    const b = BigUint64Array.from(EDGES.flatMap(() => EDGES.map((y) => BigInt.asUintN(64, y))));
    const lt = await compare(a, b, 64, 'lt');
    const eq = await compare(a, b, 64, 'eq');
    const pairs = EDGES.flatMap((x) => EDGES.map((y) => [x, y] as const));
    expect(lt.opened[1]).toEqual(pairs.map(([x, y]) => (x < y ? 1n : 0n)));
    expect(eq.opened[2]).toEqual(pairs.map(([x, y]) => (x === y ? 1n : 0n)));
  });

  it('rejects a chunk size that is not a multiple of 64', async () => {
    await expect(compare(new BigUint64Array(3), new BigUint64Array(3), 100, 'lt')).rejects.toThrow(/chunk of 100 values/);
  });
});
