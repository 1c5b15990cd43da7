import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { groupSumAt, openGroupSums } from '../../src/mpc/group-by.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { sortingLayers } from '../../src/mpc/sort.js';
import { EDGES, int64 } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

/** Party 0 owns the keys, party 1 the values; the caller is the recipient. */
async function groupSum(keys: bigint[], values: bigint[]) {
  const words = (v: bigint[]): BigUint64Array => BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x)));
  const { results, stats } = await federation.run(async (party) => {
    const batch = party.batch();
    const k = batch.shareInputA(party.self === 0 ? words(keys) : null, 0, keys.length);
    const v = batch.shareInputA(party.self === 1 ? words(values) : null, 1, values.length);
    await batch.run();
    return groupSumAt(party, k.value, v.value);
  });
  return { groups: openGroupSums(results), rounds: stats[0].rounds };
}

function plaintext(keys: bigint[], values: bigint[]) {
  const groups = new Map<bigint, { sum: bigint; count: bigint }>();
  keys.forEach((k, i) => {
    const g = groups.get(k) ?? { sum: 0n, count: 0n };
    groups.set(k, { sum: BigInt.asIntN(64, g.sum + values[i]!), count: g.count + 1n });
  });
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, g]) => ({ key, ...g }));
}

describe('oblivious group-by over secret keys', () => {
  it('SUM and COUNT per key equal the plaintext answer (edge keys and values, one group, empty)', async () => {
    const rows = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: -2n, max: 4n })), int64), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rows, async (table) => {
        const keys = table.map((r) => r[0]);
        const values = table.map((r) => r[1]);
        const { groups, rounds } = await groupSum(keys, values);
        expect(groups).toEqual(plaintext(keys, values));
        if (table.length > 1) {
          // setup, sharing, sort, equality and bit conversion, ⌈log2 n⌉ scan rounds, masking
          expect(rounds).toBe(2 + 12 * sortingLayers(table.length).length + 9 + Math.ceil(Math.log2(table.length)) + 1);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('all keys equal: one group', async () => {
    const { groups } = await groupSum(Array(17).fill(-5n), Array.from({ length: 17 }, (_, i) => BigInt(i)));
    expect(groups).toEqual([{ key: -5n, sum: 136n, count: 17n }]);
  });
});
