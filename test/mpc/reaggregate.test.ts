/**
 * Re-aggregation and distinct counts over ADDITIVELY split inputs (the data owner splits,
 * each compute party holds one share): against plaintext on random inputs with edge
 * values, absent groups, one owner and many.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitAdditive } from '../../src/mpc/additive-shares.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { absentShare, distinctCountAdditiveAt, openOutputShares, reaggregateAt, shareAdditiveA, type ReaggregateKind } from '../../src/mpc/reaggregate.js';

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
