import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import { asList, int64, ringMap, ringMap2, vector, vectorPair } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const owner = fc.constantFrom<PartyIndex>(0, 1, 2);

describe('replicated sharing over Z_2^64', () => {
  it('shares from any owner and reveals to all', async () => {
    await fc.assert(
      fc.asyncProperty(vector(), owner, async (values, p) => {
        const { results, stats } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === p ? values : null, p, values.length);
          return party.revealA(x);
        });
        for (const r of results) expect(asList(r)).toEqual(asList(values));
        // setup + share + reveal
        for (const s of stats) expect(s.rounds).toBe(3);
      }),
      { numRuns: 40 },
    );
  });

  it('the shares are replicated: component i at parties i and i-1, and they sum to the value', async () => {
    const values = BigUint64Array.of(5n, 0n, 2n ** 64n - 1n);
    const { results } = await federation.run(async (party) => {
      const x = await party.shareInputA(party.self === 1 ? values : null, 1, values.length);
      return [x.s0, x.s1] as const;
    });
    for (let i = 0; i < 3; i++) {
      const next = (i + 1) % 3;
      expect(asList(results[i]![1])).toEqual(asList(results[next]![0]));
    }
    const sum = values.map((_, j) => BigInt.asUintN(64, results[0][0][j]! + results[1][0][j]! + results[2][0][j]!));
    expect(asList(sum)).toEqual(asList(values));
  });

  it('reveals to one party only', async () => {
    await fc.assert(
      fc.asyncProperty(vector(), owner, owner, async (values, p, to) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === p ? values : null, p, values.length);
          return party.revealATo(x, to);
        });
        results.forEach((r, i) => (i === to ? expect(asList(r)).toEqual(asList(values)) : expect(r).toBeNull()));
      }),
      { numRuns: 25 },
    );
  });

  it('local linear operations match plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(), int64, async ([a, b], c) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputA(party.self === 0 ? a : null, 0, a.length);
          const y = await party.shareInputA(party.self === 2 ? b : null, 2, b.length);
          const batch = party.batch();
          const outs = [
            party.addA(x, y),
            party.subA(x, y),
            party.negA(x),
            party.addConstA(x, c),
            party.mulConstA(x, c),
            party.addConstA(x, b),
            party.mulConstA(x, b),
            party.constantA(b),
          ].map((s) => batch.revealA(s));
          await batch.run();
          return outs.map((o) => o.value);
        });
        const expected = [
          ringMap2(a, b, (x, y) => x + y),
          ringMap2(a, b, (x, y) => x - y),
          ringMap(a, (x) => -x),
          ringMap(a, (x) => x + c),
          ringMap(a, (x) => x * c),
          ringMap2(a, b, (x, y) => x + y),
          ringMap2(a, b, (x, y) => x * y),
          b,
        ];
        for (const r of results) expect(r.map(asList)).toEqual(expected.map(asList));
      }),
      { numRuns: 30 },
    );
  });

  it('boolean sharing: share, xor, not, and-constant, shifts', async () => {
    await fc.assert(
      fc.asyncProperty(vectorPair(), int64, fc.integer({ min: 0, max: 63 }), owner, async ([a, b], c, k, p) => {
        const { results } = await federation.run(async (party) => {
          const x = await party.shareInputB(party.self === p ? a : null, p, a.length);
          const y = await party.shareInputB(party.self === 1 ? b : null, 1, b.length);
          const batch = party.batch();
          const outs = [
            x,
            party.xorB(x, y),
            party.notB(x),
            party.xorConstB(x, c),
            party.andConstB(x, c),
            party.shlB(x, k),
            party.shrB(x, k),
            party.constantB(b),
          ].map((s) => batch.revealB(s));
          await batch.run();
          return outs.map((o) => o.value);
        });
        const u = BigInt.asUintN(64, c);
        const expected = [
          a,
          ringMap2(a, b, (x, y) => x ^ y),
          ringMap(a, (x) => ~x),
          ringMap(a, (x) => x ^ u),
          ringMap(a, (x) => x & u),
          ringMap(a, (x) => x << BigInt(k)),
          ringMap(a, (x) => x >> BigInt(k)),
          b,
        ];
        for (const r of results) expect(r.map(asList)).toEqual(expected.map(asList));
      }),
      { numRuns: 30 },
    );
  });

  it('announces a length in one round', async () => {
    const { results, stats } = await federation.run((party) => party.announceLength(party.self === 2 ? 12345 : null, 2));
    expect(results).toEqual([12345, 12345, 12345]);
    for (const s of stats) expect(s.rounds).toBe(2);
  });
});

describe('NULL as a separate shared flag', () => {
  it('shares and reveals a nullable column in one round each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(int64, fc.boolean()), { maxLength: 150 }), owner, async (rows, p) => {
        const values = BigUint64Array.from(rows.map(([v]) => BigInt.asUintN(64, v)));
        const nulls = rows.map(([, isNull]) => isNull);
        const { results, stats } = await federation.run(async (party) => {
          const mine = party.self === p;
          const x = await party.shareNullableInputA(mine ? values : null, mine ? nulls : null, p, rows.length);
          return party.revealNullableA(x);
        });
        for (const r of results) {
          expect(Array.from(r.isNull, Boolean)).toEqual(nulls);
          expect(asList(r.values)).toEqual(rows.map(([v, isNull]) => (isNull ? 0n : BigInt.asUintN(64, v))));
        }
        for (const s of stats) expect(s.rounds).toBe(3);
      }),
      { numRuns: 30 },
    );
  });
});
