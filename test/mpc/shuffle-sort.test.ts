import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { quickSortA, quickSortB } from '../../src/mpc/quicksort.js';
import type { Party } from '../../src/mpc/party.js';
import { radixSortA, radixSortB, radixSortRounds, type RadixSortOptions } from '../../src/mpc/radix-sort.js';
import { bShare, type AShare } from '../../src/mpc/shares.js';
import { applyShuffle, randomPermutation, shuffle, shuffleAndOpen, unshuffle, type Column } from '../../src/mpc/shuffle.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import { EDGES, expectSortRounds, int64, MAX64, MIN64, vector } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const words = (v: readonly bigint[]): BigUint64Array => BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x)));
const signed = (a: BigUint64Array): bigint[] => Array.from(ringToSigned(a));
const cmp = (x: bigint, y: bigint): number => (x < y ? -1 : x > y ? 1 : 0);
const edgeVector = fc.oneof(
  vector(40),
  fc.array(fc.constantFrom(...EDGES), { maxLength: 40 }).map(words),
  fc.integer({ min: 0, max: 20 }).map((n) => new BigUint64Array(n).fill(BigInt.asUintN(64, -1n))),
);

type Sorter = (party: Party, keys: readonly AShare[], payload: readonly Column[], options: RadixSortOptions) => Promise<{ keys: readonly Column[]; payload: readonly Column[] }>;

/**
 * Shares the columns (column j by party j mod 3; keys arithmetic, the others of their
 * kind), sorts by the first `keys` with `sort` and opens every output column: each
 * party's rounds for the sort and the opened columns as signed values.
 */
async function sortAndOpen(columns: readonly { values: readonly bigint[]; kind: 'A' | 'B' }[], keys: number, sort: Sorter, options: RadixSortOptions = {}): Promise<{ rounds: number; out: bigint[][] }[]> {
  const n = columns[0]!.values.length;
  const { results } = await federation.run(async (party) => {
    const batch = party.batch();
    const shared = columns.map((c, j) => {
      const owner = (j % 3) as PartyIndex;
      const mine = party.self === owner ? words(c.values) : null;
      return c.kind === 'A' ? batch.shareInputA(mine, owner, n) : batch.shareInputB(mine, owner, n);
    });
    await batch.run();
    const before = party.exchange.stats.rounds;
    const sorted = await sort(party, shared.slice(0, keys).map((c) => c.value as AShare), shared.slice(keys).map((c) => c.value), options);
    const rounds = party.exchange.stats.rounds - before;
    const open = party.batch();
    const outs = [...sorted.keys, ...sorted.payload].map((c) => (c.kind === 'A' ? open.revealA(c) : open.revealB(c)));
    await open.run();
    return { rounds, out: outs.map((o) => signed(o.value)) };
  });
  return results;
}

/** The rows (columns of equal length) in stable order by their first `keys` columns, as columns again. */
function sortedPlain(columns: readonly (readonly bigint[])[], keys: number): bigint[][] {
  const rows = columns[0]!.map((_, i) => i);
  rows.sort((p, q) => {
    for (let j = 0; j < keys; j++) if (columns[j]![p] !== columns[j]![q]) return cmp(columns[j]![p]!, columns[j]![q]!);
    return p - q;
  });
  return columns.map((c) => rows.map((i) => c[i]!));
}

/** One 64-bit key with edges and ties, a value, and the row number. */
const oneKeyRows = (maxLength: number) => fc.array(fc.tuple(fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: -3n, max: 3n }), int64), int64), { maxLength });
const oneKeyColumns = (table: readonly (readonly [bigint, bigint])[]) => [
  { values: table.map((r) => r[0]), kind: 'A' as const },
  { values: table.map((r) => r[1]), kind: 'A' as const },
  { values: table.map((_, i) => BigInt(i)), kind: 'B' as const },
];
/** Two narrow keys (3 and 16 bits) and the row number; or all rows equal. */
const twoKeyRows = (maxLength: number) => fc.tuple(fc.array(fc.tuple(fc.bigInt({ min: -4n, max: 3n }), fc.bigInt({ min: -(2n ** 15n), max: 2n ** 15n - 1n })), { maxLength }), fc.boolean());
const twoKeyColumns = ([table, allEqual]: [[bigint, bigint][], boolean]) => {
  const rows = allEqual ? table.map(() => [-4n, 7n] as const) : table;
  return [{ values: rows.map((r) => r[0]), kind: 'A' as const }, { values: rows.map((r) => r[1]), kind: 'A' as const }, { values: rows.map((_, i) => BigInt(i)), kind: 'A' as const }];
};

describe('oblivious shuffle', () => {
  it('randomPermutation is a permutation', () => {
    for (const n of [0, 1, 2, 17, 1000]) {
      const p = randomPermutation(BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n)));
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('moves arithmetic and boolean columns with one permutation, in 3 rounds; apply and undo it again', async () => {
    await fc.assert(
      fc.asyncProperty(edgeVector, async (a) => {
        const n = a.length;
        const tag = words(Array.from({ length: n }, (_, i) => BigInt(i)));
        const { results } = await federation.run(async (party) => {
          const batch = party.batch();
          const x = batch.shareInputA(party.self === 0 ? a : null, 0, n);
          const y = batch.shareInputB(party.self === 1 ? a : null, 1, n);
          const i = batch.shareInputA(party.self === 2 ? tag : null, 2, n);
          await batch.run();
          const before = party.exchange.stats.rounds;
          const { columns, permutation } = await shuffle(party, [x.value, y.value, i.value]);
          const rounds = party.exchange.stats.rounds - before;
          const [again] = await applyShuffle(party, permutation, [i.value]);
          const [back] = await unshuffle(party, permutation, [columns[0]!]);
          const open = party.batch();
          const outs = [open.revealA(columns[0] as AShare), open.revealB(bShare(columns[1]!.s0, columns[1]!.s1)), open.revealA(columns[2] as AShare), open.revealA(again as AShare), open.revealA(back as AShare)];
          await open.run();
          return { rounds, out: outs.map((o) => o.value) };
        });
        for (const { rounds, out } of results) {
          expect(rounds).toBe(n === 0 ? 0 : 3);
          const [sa, sb, si, again, back] = out as [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];
          // Row j of the output is input row si[j], in both columns.
          expect([...si].map(Number).sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, j) => j));
          for (let j = 0; j < n; j++) {
            expect(sa[j]).toBe(a[Number(si[j])]);
            expect(sb[j]).toBe(a[Number(si[j])]);
          }
          expect(Array.from(again)).toEqual(Array.from(si));
          expect(Array.from(back)).toEqual(Array.from(a));
        }
        expect(Array.from(results[0].out[2]!)).toEqual(Array.from(results[1].out[2]!));
      }),
      { numRuns: 25 },
    );
  });

  it('permutes: over many runs every position receives several different rows', async () => {
    const n = 8;
    const seen = Array.from({ length: n }, () => new Set<bigint>());
    for (let run = 0; run < 40; run++) {
      const { results } = await federation.run(async (party) => {
        const x = party.constantA(words(Array.from({ length: n }, (_, i) => BigInt(i))));
        const { columns } = await shuffle(party, [x]);
        return party.revealA(columns[0]!);
      });
      results[0].forEach((v, j) => seen[j]!.add(v));
    }
    for (const s of seen) expect(s.size).toBeGreaterThan(3);
  });

  it('shuffleAndOpen opens the shuffled column and moves the others alike', async () => {
    const a = words([5n, MIN64, MAX64, 0n, -1n, 1n]);
    const { results, stats } = await federation.run(async (party) => {
      const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
      const { columns, opened } = await shuffleAndOpen(party, [x], [x]);
      return { opened: opened[0]!, moved: await party.revealA(columns[0]!) };
    });
    for (const r of results) {
      expect(Array.from(r.opened)).toEqual(Array.from(r.moved));
      expect(Array.from(r.opened).sort(cmp)).toEqual(Array.from(a).sort(cmp));
    }
    expect(stats[0].rounds).toBe(1 + 1 + 3 + 1);
  });
});

describe('radix sort', () => {
  it('equals a stable plaintext sort on one key, moving payload rows whole; 8 + 7·32 + 6 + 9 rounds', async () => {
    await fc.assert(
      fc.asyncProperty(oneKeyRows(30), async (table) => {
        const columns = oneKeyColumns(table);
        const expected = sortedPlain(columns.map((c) => c.values), 1);
        for (const { rounds, out } of await sortAndOpen(columns, 1, radixSortA)) {
          expect(rounds).toBe(radixSortRounds(table.length, [64], 2, true));
          expect(out).toEqual(expected);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('several keys (most significant first), narrow bit widths, all-equal keys, stable; keys returned in arithmetic or boolean form', async () => {
    await fc.assert(
      fc.asyncProperty(twoKeyRows(30), fc.constantFrom('A' as const, 'B' as const), async (rows, form) => {
        const columns = twoKeyColumns(rows);
        const n = columns[0]!.values.length;
        const expected = sortedPlain(columns.map((c) => c.values), 2);
        // Boolean keys of a narrow width come back sign-extended, as A2B gave them.
        for (const { rounds, out } of await sortAndOpen(columns, 2, form === 'A' ? radixSortA : radixSortB, { bits: [3, 16] })) {
          expect(rounds).toBe(n <= 1 ? (form === 'A' ? 0 : 8) : 8 + 7 + 6 + 7 * 8 + (form === 'A' ? 9 : 0)); // A: the keys back to arithmetic form
          expect(out).toEqual(expected);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('sorting with boolean keys out skips the conversion back (b2a): fewer bytes than with arithmetic keys', async () => {
    const n = 512;
    const key = words(Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 1000) - 500n));
    const sent = async (form: 'A' | 'B'): Promise<number> => {
      const { results } = await federation.run(async (party) => {
        const k = await party.shareInputA(party.self === 0 ? key : null, 0, n);
        const before = party.exchange.stats.bytesSent;
        if (form === 'A') await radixSortA(party, [k], [], { bits: [16] });
        else await radixSortB(party, [k], [], { bits: [16] });
        return party.exchange.stats.bytesSent - before;
      });
      return results.reduce((a, b) => a + b, 0);
    };
    const [a, b] = [await sent('A'), await sent('B')];
    expect(b).toBeLessThan(a * 0.95);
  });
});

describe('quicksort after a shuffle', () => {
  it('equals a stable plaintext sort on one key over the whole range, moving arithmetic and boolean payload; whole levels of rounds', async () => {
    await fc.assert(
      fc.asyncProperty(oneKeyRows(40), async (table) => {
        const n = table.length;
        const columns = oneKeyColumns(table);
        const expected = sortedPlain(columns.map((c) => c.values), 1);
        const results = await sortAndOpen(columns, 1, quickSortB);
        for (const { rounds, out } of results) {
          if (n <= 1) expect(rounds).toBe(8);
          else expectSortRounds(rounds, 0, n, [64]);
          expect(out).toEqual(expected);
        }
        // All three parties saw the same openings, so ran the same levels.
        expect(new Set(results.map((r) => r.rounds)).size).toBe(1);
      }),
      { numRuns: 20 },
    );
  });

  it('several keys (most significant first), narrow widths, all-equal keys stay in input order; keys out in arithmetic or boolean form', async () => {
    await fc.assert(
      fc.asyncProperty(twoKeyRows(70), fc.constantFrom('A' as const, 'B' as const), async (rows, form) => {
        const columns = twoKeyColumns(rows);
        const expected = sortedPlain(columns.map((c) => c.values), 2);
        for (const { out } of await sortAndOpen(columns, 2, form === 'A' ? quickSortA : quickSortB, { bits: [3, 16] })) expect(out).toEqual(expected);
      }),
      { numRuns: 16 },
    );
  });

  it('sorts 3,000 rows with many ties (long segments, dozens of levels) like plaintext', async () => {
    const n = 3000;
    const key = Array.from({ length: n }, (_, i) => (BigInt(Math.imul(i, 2654435761) >>> 0) % 97n) - 48n + (i % 5 === 0 ? MIN64 + 48n : 0n));
    const columns = [
      { values: key, kind: 'A' as const },
      { values: key.map((_, i) => BigInt(i)), kind: 'A' as const },
    ];
    for (const { out } of await sortAndOpen(columns, 1, quickSortB)) expect(out).toEqual(sortedPlain(columns.map((c) => c.values), 1));
  });

  it('refuses no keys, columns of other lengths and key widths outside 1 … 64', async () => {
    const run = (sort: (party: Parameters<typeof quickSortB>[0]) => Promise<unknown>) => federation.run(sort);
    await expect(run((party) => quickSortA(party, []))).rejects.toThrow(/at least one key/);
    await expect(run((party) => quickSortB(party, [party.constantA(new BigUint64Array(3))], [party.constantA(new BigUint64Array(2))]))).rejects.toThrow(/2 rows, not 3/);
    await expect(run((party) => quickSortB(party, [party.constantA(new BigUint64Array(3))], [], { bits: [65] }))).rejects.toThrow(/bit widths/);
  });

  it('sends fewer bytes than the radix sort for 64-bit keys', async () => {
    const n = 1024;
    const key = words(Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n));
    const sent = async (sort: typeof quickSortB): Promise<number> => {
      const { results } = await federation.run(async (party) => {
        const k = await party.shareInputA(party.self === 0 ? key : null, 0, n);
        const before = party.exchange.stats.bytesSent;
        await sort(party, [k]);
        return party.exchange.stats.bytesSent - before;
      });
      return results.reduce((a, b) => a + b, 0);
    };
    const [quick, radix] = [await sent(quickSortB), await sent(radixSortB)];
    expect(quick).toBeLessThan(radix * 0.7);
  });
});
