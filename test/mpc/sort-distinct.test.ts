import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { distinctWords, secureDistinctCount } from '../../src/mpc/distinct-count.js';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { sortA, sortByKeyA, sortingLayers } from '../../src/mpc/sort.js';
import { EDGES, int64, vector } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const signedSorted = (a: BigUint64Array): bigint[] => Array.from(ringToSigned(a)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

describe('oblivious sort', () => {
  it('the network sorts every length up to 200 (plaintext run of its comparators)', () => {
    let badComparators = 0;
    for (let n = 0; n <= 200; n++) {
      const values = Array.from({ length: n }, () => Math.floor(Math.random() * 10));
      for (const { lo, hi } of sortingLayers(n)) {
        for (let k = 0; k < lo.length; k++) {
          if (!(lo[k]! < hi[k]! && hi[k]! < n)) badComparators++;
          const [a, b] = [values[lo[k]!]!, values[hi[k]!]!];
          values[lo[k]!] = Math.min(a, b);
          values[hi[k]!] = Math.max(a, b);
        }
      }
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(badComparators).toBe(0);
  });

  it('sortA equals a plaintext signed sort (edge values, equal keys, empty), 12 rounds per layer', async () => {
    const withEdges = fc.oneof(
      vector(40),
      fc.array(fc.constantFrom(...EDGES), { maxLength: 40 }).map((v) => BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x)))),
      fc.constant(new BigUint64Array(17).fill(5n)),
    );
    await fc.assert(
      fc.asyncProperty(withEdges, async (a) => {
        const { results, stats } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 1 ? a : null, 1, a.length);
          return party.revealA(await sortA(party, x));
        });
        for (const r of results) expect(Array.from(ringToSigned(r))).toEqual(signedSorted(a));
        expect(stats[0].rounds).toBe(3 + 12 * sortingLayers(a.length).length);
      }),
      { numRuns: 25 },
    );
  });
});

describe('sort with payload', () => {
  it('moves every payload column with its key (rows stay whole), 12 rounds per layer', async () => {
    const rows = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: -3n, max: 3n })), int64, int64), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rows, async (table) => {
        const col = (j: 0 | 1 | 2): BigUint64Array => BigUint64Array.from(table.map((r) => BigInt.asUintN(64, r[j])));
        const { results, stats } = await federation.run(async (party) => {
          const batch = party.batch();
          const k = batch.shareInputA(party.self === 0 ? col(0) : null, 0, table.length);
          const p = batch.shareInputA(party.self === 1 ? col(1) : null, 1, table.length);
          const q = batch.shareInputA(party.self === 2 ? col(2) : null, 2, table.length);
          await batch.run();
          const before = party.exchange.stats.rounds;
          const sorted = await sortByKeyA(party, k.value, [p.value, q.value]);
          const rounds = party.exchange.stats.rounds - before;
          const open = party.batch();
          const outs = [sorted.key, ...sorted.payload].map((c) => open.revealA(c));
          await open.run();
          return { rounds, columns: outs.map((o) => Array.from(ringToSigned(o.value))) };
        });
        for (const r of results) {
          expect(r.rounds).toBe(12 * sortingLayers(table.length).length);
          const got = r.columns[0]!.map((key, i) => [key, r.columns[1]![i]!, r.columns[2]![i]!]);
          // Keys ascending, and the same multiset of whole rows.
          expect(got.map((row) => row[0])).toEqual(signedSorted(col(0)));
          const canon = (rs: bigint[][]): string[] => rs.map((row) => row.join(',')).sort();
          expect(canon(got)).toEqual(canon(table.map((row) => row.map((v) => BigInt.asIntN(64, v)))));
        }
        expect(stats[0].rounds).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });
});

describe('secure distinct counts across owners', () => {
  it('distinctWords drops an owner’s duplicates', () => {
    const words = BigUint64Array.from([3n, 2n ** 64n - 1n, 3n, 0n, 2n ** 63n, 2n ** 64n - 1n, 3n]);
    expect(Array.from(distinctWords(words))).toEqual([0n, 3n, 2n ** 63n, 2n ** 64n - 1n]);
    expect(distinctWords(new BigUint64Array(0)).length).toBe(0);
  });

  /** Keys from a small pool (so owners overlap), edge values included, duplicates inside an owner too. */
  const owners = fc.array(
    fc.array(fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: 12n }), int64), { maxLength: 24 }).map((v) =>
      BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x))),
    ),
    { maxLength: 5 },
  );

  it('union and keys at two or more owners equal the plaintext answer', async () => {
    await fc.assert(
      fc.asyncProperty(owners, async (inputs) => {
        const { counts } = await secureDistinctCount(federation, inputs);
        const seenBy = new Map<bigint, number>();
        for (const keys of inputs) for (const key of new Set(keys)) seenBy.set(key, (seenBy.get(key) ?? 0) + 1);
        expect(counts).toEqual({ union: BigInt(seenBy.size), atLeastTwo: BigInt([...seenBy.values()].filter((c) => c >= 2).length) });
      }),
      { numRuns: 30 },
    );
  });

  it('three hospitals: patients seen at more than one', async () => {
    const w = (...v: bigint[]): BigUint64Array => BigUint64Array.from(v);
    const { counts, stats } = await secureDistinctCount(federation, [w(1n, 2n, 3n, 4n), w(3n, 4n, 5n, 4n), w(4n, 6n, 1n)]);
    expect(counts).toEqual({ union: 6n, atLeastTwo: 3n }); // 1, 3 and 4
    const n = 4 + 3 + 3;
    // setup, 3 length announcements, sharing, sort, equality (14), AND (1), bit to arithmetic (2)
    expect(stats.map((s) => s.rounds)).toEqual(Array(3).fill(1 + 3 + 1 + 12 * sortingLayers(n).length + 10));
  });

  it('no owners, one key, all owners empty', async () => {
    expect((await secureDistinctCount(federation, [])).counts).toEqual({ union: 0n, atLeastTwo: 0n });
    expect((await secureDistinctCount(federation, [BigUint64Array.of(7n), new BigUint64Array(0)])).counts).toEqual({ union: 1n, atLeastTwo: 0n });
    expect((await secureDistinctCount(federation, [new BigUint64Array(0), new BigUint64Array(0), new BigUint64Array(0)])).counts).toEqual({ union: 0n, atLeastTwo: 0n });
  });
});
