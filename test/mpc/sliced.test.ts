import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { booleanEqualityRounds, booleanLessThanRounds, equalSliced, equalSlicedB, lessThanPackedB, lessThanSliced } from '../../src/mpc/sliced.js';
import { PgError } from '../../src/server/pg-error.js';
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

async function compare(
  a: BigUint64Array,
  b: BigUint64Array,
  chunk: number,
  which: 'lt' | 'eq',
  inFlight?: number,
  bits?: number,
): Promise<{ opened: bigint[][]; rounds: number[]; depth: number[] }> {
  const { results } = await federation.run(async (party) => {
    const batch = party.batch();
    const x = batch.shareInputA(party.self === 0 ? a : null, 0, a.length);
    const y = batch.shareInputA(party.self === 2 ? b : null, 2, b.length);
    await batch.run();
    const before = { ...party.exchange.stats };
    const result = which === 'lt' ? await lessThanSliced(party, x.value, y.value, { chunkValues: chunk, inFlight, bits }) : await equalSliced(party, x.value, y.value, { chunkValues: chunk, inFlight, bits });
    const rounds = party.exchange.stats.rounds - before.rounds;
    const depth = party.exchange.stats.depth - before.depth;
    return { opened: Array.from(await party.revealB(result)), rounds, depth };
  });
  return { opened: results.map((r) => r.opened), rounds: results.map((r) => r.rounds), depth: results.map((r) => r.depth) };
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

  describe('operands in a narrower range (bits < 64)', () => {
    /** Pairs within [−2^(bits−1), 2^(bits−1)), the range's edges and their neighbours weighted in. */
    const inRange = (bits: number): fc.Arbitrary<[BigUint64Array, BigUint64Array]> => {
      const lo = -(2n ** BigInt(bits - 1));
      const hi = 2n ** BigInt(bits - 1) - 1n;
      const value = fc.oneof(fc.bigInt({ min: lo, max: hi }), fc.constantFrom(lo, lo + 1n, -1n, 0n, 1n, hi - 1n, hi));
      return fc
        .array(fc.oneof(fc.tuple(value, value), value.map((v) => [v, v] as [bigint, bigint])), { minLength: 0, maxLength: 300 })
        .map((pairs) => [
          BigUint64Array.from(pairs.map(([a]) => BigInt.asUintN(64, a))),
          BigUint64Array.from(pairs.map(([, b]) => BigInt.asUintN(64, b))),
        ] as [BigUint64Array, BigUint64Array]);
    };
    const widths = fc.constantFrom(2, 3, 8, 16, 17, 32, 33, 53, 62, 63);

    it('less-than matches plaintext for every width, in 2 + ⌈log2 bits⌉ rounds per chunk', async () => {
      await fc.assert(
        fc.asyncProperty(widths.chain((bits) => fc.tuple(fc.constant(bits), inRange(bits))), async ([bits, [a, b]]) => {
          const { opened, rounds } = await compare(a, b, 128, 'lt', 2, bits);
          const sa = ringToSigned(a);
          const sb = ringToSigned(b);
          const expected = Array.from(sa, (v, i) => (v < sb[i]! ? 1n : 0n));
          for (const o of opened) expect(o).toEqual(expected);
          const chunks = Math.max(1, Math.ceil(a.length / 128));
          expect(rounds).toEqual([0, 1, 2].map(() => (2 + Math.ceil(Math.log2(bits))) * chunks));
        }),
        { numRuns: 40 },
      );
    });

    it('equality matches plaintext for every width', async () => {
      await fc.assert(
        fc.asyncProperty(widths.chain((bits) => fc.tuple(fc.constant(bits), inRange(bits))), async ([bits, [a, b]]) => {
          const { opened, rounds } = await compare(a, b, 64, 'eq', 3, bits);
          for (const o of opened) expect(o).toEqual(Array.from(a, (v, i) => (v === b[i] ? 1n : 0n)));
          const chunks = Math.max(1, Math.ceil(a.length / 64));
          expect(rounds).toEqual([0, 1, 2].map(() => (1 + Math.ceil(Math.log2(bits + 1))) * chunks));
        }),
        { numRuns: 40 },
      );
    });

    it('the ends of an int4 range against each other, and fewer bytes than the whole range', async () => {
      const ends = [-(2n ** 31n), -(2n ** 31n) + 1n, -1n, 0n, 1n, 2n ** 31n - 2n, 2n ** 31n - 1n];
      const a = BigUint64Array.from(ends.flatMap((x) => ends.map(() => BigInt.asUintN(64, x))));
      const b = BigUint64Array.from(ends.flatMap(() => ends.map((y) => BigInt.asUintN(64, y))));
      const pairs = ends.flatMap((x) => ends.map((y) => [x, y] as const));
      expect((await compare(a, b, 64, 'lt', 1, 32)).opened[0]).toEqual(pairs.map(([x, y]) => (x < y ? 1n : 0n)));
      expect((await compare(a, b, 64, 'eq', 1, 32)).opened[2]).toEqual(pairs.map(([x, y]) => (x === y ? 1n : 0n)));
      // Bytes sent by all three parties for 2^14 comparisons, narrow against whole.
      const n = 1 << 14;
      const big = BigUint64Array.from({ length: n }, (_, i) => BigInt(i * 3));
      const sent = async (which: 'lt' | 'eq', bits?: number): Promise<number> => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 0 ? big : null, 0, n);
          const y = await party.shareInputA(party.self === 1 ? big.slice().reverse() : null, 1, n);
          const before = party.exchange.stats.bytesSent;
          if (which === 'lt') await lessThanSliced(party, x, y, { bits });
          else await equalSliced(party, x, y, { bits });
          return party.exchange.stats.bytesSent - before;
        });
        return results.reduce((sum, r) => sum + r, 0) / 3 / n;
      };
      const [ltWhole, ltNarrow, eqWhole, eqNarrow] = [await sent('lt'), await sent('lt', 32), await sent('eq'), await sent('eq', 32)];
      expect(ltWhole).toBeGreaterThan(70);
      expect(ltNarrow).toBeLessThan(14);
      expect(eqNarrow).toBeLessThan(eqWhole * 0.6);
    });

    it('equality of values in boolean form matches plaintext for every width, in ⌈log2 bits⌉ rounds per chunk and no decomposition', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(2, 5, 16, 32, 33, 63, 64).chain((bits) => fc.tuple(fc.constant(bits), bits === 64 ? longPairs : inRange(bits))), async ([bits, [a, b]]) => {
          const { results } = await federation.run(async (party) => {
            const batch = party.batch();
            const x = batch.shareInputB(party.self === 0 ? a : null, 0, a.length);
            const y = batch.shareInputB(party.self === 1 ? b : null, 1, b.length);
            await batch.run();
            const before = party.exchange.stats.rounds;
            const eq = await equalSlicedB(party, x.value, y.value, { bits, chunkValues: 128, inFlight: 2 });
            const rounds = party.exchange.stats.rounds - before;
            return { rounds, opened: Array.from(await party.revealB(eq)) };
          });
          const chunks = Math.max(1, Math.ceil(a.length / 128));
          for (const r of results) {
            expect(r.opened).toEqual(Array.from(a, (v, i) => (v === b[i] ? 1n : 0n)));
            expect(r.rounds).toBe(booleanEqualityRounds(bits) * chunks);
          }
        }),
        { numRuns: 30 },
      );
    });

    it('less-than of several words in boolean form (lexicographic, unsigned low bits) matches plaintext, packed 64 to a word; 1 + ⌈log2 bits⌉ rounds per chunk', async () => {
      // Two or three words per value, each of its width; equal leading words often, so later words decide.
      const layout = fc.constantFrom([64, 20], [1, 64], [3, 16, 5], [64, 64], [7]);
      const table = layout.chain((widths) =>
        fc.tuple(
          fc.constant(widths),
          fc.array(
            fc.tuple(
              fc.tuple(...widths.map((w) => fc.oneof(fc.bigInt({ min: 0n, max: 2n ** BigInt(w) - 1n }), fc.constantFrom(0n, 2n ** BigInt(w) - 1n)))),
              fc.tuple(...widths.map((w) => fc.oneof(fc.bigInt({ min: 0n, max: 2n ** BigInt(w) - 1n }), fc.constantFrom(0n, 2n ** BigInt(w) - 1n)))),
              fc.integer({ min: 0, max: widths.length }),
            ),
            { maxLength: 300 },
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(table, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), async ([widths, rows], noise) => {
          // y copies x's first `same` words; bits above a word's width are noise the comparison must ignore.
          const xs = rows.map(([x]) => x);
          const ys = rows.map(([x, y, same]) => y.map((v, j) => (j < same ? x[j]! : v)));
          const high = (w: number): bigint => (w === 64 ? 0n : noise & ~(2n ** BigInt(w) - 1n));
          const column = (values: bigint[][], j: number): BigUint64Array => BigUint64Array.from(values.map((v) => v[j]! | high(widths[j]!)));
          const n = rows.length;
          const { results } = await federation.run(async (party) => {
            const batch = party.batch();
            const x = widths.map((_, j) => batch.shareInputB(party.self === 0 ? column(xs, j) : null, 0, n));
            const y = widths.map((_, j) => batch.shareInputB(party.self === 1 ? column(ys, j) : null, 1, n));
            await batch.run();
            const before = party.exchange.stats.rounds;
            const lt = await lessThanPackedB(party, x.map((v) => v.value), y.map((v) => v.value), widths, { chunkValues: 128, inFlight: 2 });
            const rounds = party.exchange.stats.rounds - before;
            return { rounds, opened: await party.revealB(lt) };
          });
          const expected = xs.map((x, i) => {
            const j = x.findIndex((v, k) => v !== ys[i]![k]);
            return j >= 0 && x[j]! < ys[i]![j]! ? 1n : 0n;
          });
          const bits = widths.reduce((a, b) => a + b, 0);
          for (const r of results) {
            expect(r.opened.length).toBe(Math.ceil(n / 64));
            expect(Array.from({ length: 64 * r.opened.length }, (_, i) => (r.opened[i >> 6]! >> BigInt(i & 63)) & 1n)).toEqual([...expected, ...Array(64 * r.opened.length - n).fill(0n)]);
            expect(r.rounds).toBe(booleanLessThanRounds(bits) * Math.max(1, Math.ceil(n / 128)));
          }
        }),
        { numRuns: 25 },
      );
    });

    it('rejects a width outside 2 … 64', async () => {
      await expect(compare(new BigUint64Array(3), new BigUint64Array(3), 64, 'lt', 1, 1)).rejects.toThrow(/operands of 1 bits/);
      await expect(compare(new BigUint64Array(3), new BigUint64Array(3), 64, 'eq', 1, 65)).rejects.toThrow(/operands of 65 bits/);
    });
  });

  it('rejects a chunk size that is not a multiple of 64', async () => {
    await expect(compare(new BigUint64Array(3), new BigUint64Array(3), 100, 'lt')).rejects.toThrow(/chunk of 100 values/);
  });

  it('chunks in flight together on lanes: the same bits for every window, rounds per chunk, depth per chunk of the busiest lane', async () => {
    await fc.assert(
      fc.asyncProperty(longPairs, fc.integer({ min: 1, max: 7 }), fc.constantFrom('lt' as const, 'eq' as const), async ([a, b], inFlight, which) => {
        const { opened, rounds, depth } = await compare(a, b, 64, which, inFlight);
        const sa = ringToSigned(a);
        const sb = ringToSigned(b);
        const expected = Array.from(sa, (v, i) => ((which === 'lt' ? v < sb[i]! : v === sb[i]!) ? 1n : 0n));
        for (const o of opened) expect(o).toEqual(expected);
        const perChunk = which === 'lt' ? 9 : 7;
        const chunks = Math.max(1, Math.ceil(a.length / 64));
        expect(rounds).toEqual([0, 1, 2].map(() => perChunk * chunks));
        expect(depth).toEqual([0, 1, 2].map(() => perChunk * Math.ceil(chunks / Math.min(inFlight, chunks))));
      }),
      { numRuns: 30 },
    );
  });

  it('an abort while chunks are in flight ends every lane at all three parties, and the next comparison runs', async () => {
    const a = BigUint64Array.from({ length: 640 }, (_, i) => BigInt(i * 7));
    const b = BigUint64Array.from({ length: 640 }, (_, i) => BigInt(640 * 7 - i * 5));
    const failures: (PgError | null)[] = [null, null, null];
    let lanesClosed = 0;
    await expect(
      federation.run(async (party) => {
        const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
        const y = await party.shareInputA(party.self === 2 ? b : null, 2, b.length);
        // Party 1 aborts in the third round of its second lane, with the other lanes' rounds in flight.
        const open = party.exchange.openLanes.bind(party.exchange);
        party.exchange.openLanes = (count) => {
          const lanes = open(count);
          if (party.self === 1) {
            const lane = lanes[1]!;
            const round = lane.exchange.bind(lane);
            let calls = 0;
            lane.exchange = (outgoing, expectFrom) => {
              if (++calls === 3) party.exchange.abort('party 1 lost its disk');
              return round(outgoing, expectFrom);
            };
          }
          return lanes;
        };
        const close = party.exchange.closeLanes.bind(party.exchange);
        party.exchange.closeLanes = (lanes) => {
          lanesClosed++;
          close(lanes);
        };
        try {
          return await lessThanSliced(party, x, y, { chunkValues: 64, inFlight: 4 });
        } catch (error) {
          failures[party.self] = error as PgError;
          throw error;
        }
      }),
    ).rejects.toThrow(/aborted by party 1/);
    expect(failures[1]?.message).toMatch(/aborted by party 1: party 1 lost its disk/);
    for (const p of [0, 2]) {
      expect(failures[p]?.message).toMatch(/aborted by party 1$/);
      expect(failures[p]?.detail).toMatch(/party 1 lost its disk/);
    }
    // No party got as far as closing its lanes: the comparison failed at all three.
    expect(lanesClosed).toBe(0);
    const again = await compare(a, b, 64, 'lt', 4);
    expect(again.opened[0]).toEqual(Array.from(a, (v, i) => (v < b[i]! ? 1n : 0n)));
  });

  it('a stalled party times out the lanes of the others within the round timeout', async () => {
    const a = BigUint64Array.from({ length: 640 }, (_, i) => BigInt(i));
    const stalled = new InProcessFederation();
    const started = Date.now();
    const failures: unknown[] = [null, null, null];
    await expect(
      stalled.run(
        async (party) => {
          const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
          if (party.self === 0) stalled.network.stall(2);
          try {
            return await lessThanSliced(party, x, x, { chunkValues: 64, inFlight: 3 });
          } catch (error) {
            failures[party.self] = error;
            throw error;
          }
        },
        { roundTimeoutMs: 300 },
      ),
    ).rejects.toThrow(/did not answer round \d+ of lane \d+ within 300 ms/);
    expect(failures[0]).toBeInstanceOf(PgError);
    expect(failures[1]).toBeInstanceOf(PgError);
    expect(Date.now() - started).toBeLessThan(3000);
    await stalled.close();
  });
});
