/**
 * Re-aggregation and distinct counts over ADDITIVELY split inputs (the data owner splits,
 * each compute party holds one share): against plaintext on random inputs with edge
 * values, absent groups, one owner and many.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAdditive } from '../../src/mpc/additive-shares.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { averageOf } from '../../src/mpc/average.js';
import { absentShare, distinctCountAdditiveAt, openOutputShares, outputWidths, reaggregateAt, shareAdditiveA, type ReaggregateKind } from '../../src/mpc/reaggregate.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;
/** Values in a `bits`-bit range, its ends and their neighbours weighted in. */
const valueIn = (bits: number): fc.Arbitrary<bigint> => {
  const lo = -(1n << BigInt(bits - 1));
  const hi = (1n << BigInt(bits - 1)) - 1n;
  return fc.oneof(fc.constantFrom(0n, 1n, -1n, lo, hi, lo + 1n, hi - 1n), fc.bigInt({ min: lo, max: hi }), fc.bigInt({ min: -1000n, max: 1000n }));
};

describe('additive inputs turned into replicated shares', () => {
  it('shareAdditiveA opens to the sum of the three additive shares', async () => {
    const x = BigUint64Array.from([0n, 1n, BigInt.asUintN(64, -1n), 1n << 63n, 12345n]);
    const parts = splitAdditive(x);
    const { results } = await federation.run(async (party) => {
      const shared = await shareAdditiveA(party, parts[party.self]!);
      return party.revealA(shared);
    });
    for (const r of results) expect([...r]).toEqual([...x]);
  });
});

describe('reaggregateAt', () => {
  it('sums, MIN and MAX across owners equal plaintext (absent groups, edge values), over the whole range and narrower ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom<ReaggregateKind>('add', 'min', 'max'), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(64, 64, 35, 32, 16).chain((bits) => fc.tuple(fc.constant(bits), fc.array(fc.tuple(valueIn(bits), fc.boolean()), { minLength: 60, maxLength: 60 }))),
        async (owners, groups, kinds, [bits, pool]) => {
          // owner o, column c, group g: a value, or absent.
          const cell = (o: number, c: number, g: number): [bigint, boolean] => pool[(o * 12 + c * 4 + g) % pool.length]!;
          const expected: Array<bigint | null> = [];
          kinds.forEach((kind, c) => {
            for (let g = 0; g < groups; g++) {
              let acc: bigint | null = null;
              for (let o = 0; o < owners; o++) {
                const [v, present] = cell(o, c, g);
                if (!present) continue;
                acc = acc === null ? v : kind === 'add' ? BigInt.asIntN(64, acc + v) : kind === 'min' ? (v < acc ? v : acc) : v > acc ? v : acc;
              }
              expected.push(acc);
            }
          });
          // Each owner splits its present values; compute party i gets share i, absent cells are the identity's share.
          const inputs = [0, 1, 2].map(() => new BigUint64Array(owners * kinds.length * groups));
          for (let o = 0; o < owners; o++) {
            kinds.forEach((kind, c) => {
              for (let g = 0; g < groups; g++) {
                const at = (o * kinds.length + c) * groups + g;
                const [v, present] = cell(o, c, g);
                if (present) {
                  const parts = splitAdditive(BigUint64Array.of(BigInt.asUintN(64, v)));
                  for (let p = 0; p < 3; p++) inputs[p]![at] = parts[p]![0]!;
                } else for (let p = 0; p < 3; p++) inputs[p]![at] = absentShare(kind, p, bits);
              }
            });
          }
          const { results } = await federation.run((party) => reaggregateAt(party, kinds, owners, groups, inputs[party.self]!, bits));
          const opened = openOutputShares(results, kinds.length * groups);
          expected.forEach((e, i) => {
            const kind = kinds[Math.floor(i / groups)]!;
            // Absent everywhere: the identity (the gateway tells NULL from the count beside it).
            const identity = kind === 'add' ? 0n : kind === 'min' ? (1n << BigInt(bits - 1)) - 1n : -(1n << BigInt(bits - 1));
            expect(opened[i]).toBe(e ?? identity);
          });
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('reveals counts as nonzero flags and sums as averages only, when asked to', async () => {
    // Columns: a sum, its count, another count, a MIN; three owners, four groups (the last empty everywhere).
    const kinds: ReaggregateKind[] = ['add', 'add', 'add', 'min'];
    const owners = [
      [[10n, -3n, 7n, 0n], [2n, 1n, 1n, 0n], [5n, 0n, 2n, 0n], [4n, -8n, 9n, 0n]],
      [[-4n, 0n, 2n, 0n], [1n, 0n, 1n, 0n], [0n, 0n, 0n, 0n], [-1n, 0n, 3n, 0n]],
      [[1n, 6n, 0n, 0n], [1n, 2n, 0n, 0n], [1n, 0n, 0n, 0n], [6n, 2n, 0n, 0n]],
    ];
    const groups = 4;
    const inputs = [0, 1, 2].map(() => new BigUint64Array(owners.length * kinds.length * groups));
    owners.forEach((columns, o) =>
      columns.forEach((values, c) =>
        values.forEach((v, g) => {
          const absent = owners[o]![1]![g] === 0n;
          const parts = splitAdditive(BigUint64Array.of(BigInt.asUintN(64, v)));
          for (let p = 0; p < 3; p++) inputs[p]![(o * kinds.length + c) * groups + g] = absent && kinds[c] === 'min' ? absentShare('min', p, 32) : parts[p]![0]!;
        }),
      ),
    );
    const reveal = { nonzero: [1, 2], averages: [{ sum: 0, count: 1 }], averageBits: 32 };
    expect(outputWidths(kinds.length, reveal)).toEqual([2, 1, 1, 1]);
    const { results } = await federation.run((party) => reaggregateAt(party, kinds, owners.length, groups, inputs[party.self]!, 32, reveal));
    const opened = openOutputShares(results, 5 * groups);
    const vector = (v: number): bigint[] => opened.slice(v * groups, (v + 1) * groups);
    // Sums 7, 3, 9, 0 over counts 4, 3, 2, 0.
    expect(vector(0).map((integer, g) => averageOf(BigInt.asUintN(64, integer), BigInt.asUintN(64, vector(1)[g]!)))).toEqual([7 / 4, 1, 4.5, 0]);
    expect(vector(2)).toEqual([1n, 1n, 1n, 0n]);
    expect(vector(3)).toEqual([1n, 0n, 1n, 0n]);
    expect(vector(4)).toEqual([-1n, -8n, 3n, (1n << 31n) - 1n]);
  });

  it('refuses a reveal plan naming a column twice or a MIN column', async () => {
    const run = (reveal: Parameters<typeof reaggregateAt>[6]) => federation.run((party) => reaggregateAt(party, ['add', 'add', 'min'], 1, 1, new BigUint64Array(3), 64, reveal));
    await expect(run({ nonzero: [2] })).rejects.toThrow(/not a summed column/);
    await expect(run({ averages: [{ sum: 0, count: 0 }] })).rejects.toThrow(/two roles/);
    await expect(run({ nonzero: [0], averages: [{ sum: 0, count: 1 }] })).rejects.toThrow(/two roles/);
  });

  it('no groups: an empty output', async () => {
    const { results } = await federation.run((party) => reaggregateAt(party, ['min'], 3, 0, new BigUint64Array(0)));
    for (const r of results) expect(r.length).toBe(0);
  });
});

describe('distinctCountAdditiveAt', () => {
  it('union and keys at two or more owners equal plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uniqueArray(fc.constantFrom(...Array.from({ length: 12 }, (_, i) => BigInt(i * 7919) - 40n), MIN64, MAX64, 0n)), { minLength: 1, maxLength: 4 }), async (owners) => {
        const all = owners.flat();
        const counts = new Map<bigint, number>();
        for (const k of all) counts.set(k, (counts.get(k) ?? 0) + 1);
        const parts = splitAdditive(BigUint64Array.from(all.map((k) => BigInt.asUintN(64, k))));
        const { results } = await federation.run((party) => distinctCountAdditiveAt(party, parts[party.self]!));
        const [union, atLeastTwo] = openOutputShares(results, 2);
        expect(union).toBe(BigInt(counts.size));
        expect(atLeastTwo).toBe(BigInt([...counts.values()].filter((n) => n >= 2).length));
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});
