import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { openAggregate, secureAggregate, type GroupPartial, type PartyInput, type SecureAggregateKind } from '../../src/mpc/secure-aggregate.js';
import { int64, MAX64, MIN64 } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const ALL: SecureAggregateKind[] = ['count', 'sum', 'min', 'max', 'avg'];
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

/** sum / count as averageOf gives it: toward zero at 2^−54, then the nearest float8. */
function average(sum: bigint, count: bigint): number {
  const magnitude = ((sum < 0n ? -sum : sum) << 54n) / count;
  return Number(sum < 0n ? -magnitude : magnitude) / 2 ** 54;
}

/** The plaintext answer: totals over the owners that have values for the group. */
function plaintext(groups: string[], inputs: PartyInput[]) {
  return groups.map((group) => {
    const present = inputs.map((i) => i.get(group)).filter((p): p is GroupPartial => p !== undefined && p.count !== 0n);
    const empty = present.length === 0;
    const count = wrap(present.reduce((t, p) => t + p.count, 0n));
    const sum = wrap(present.reduce((t, p) => t + p.sum!, 0n));
    const min = empty ? null : present.reduce((m, p) => (p.min! < m ? p.min! : m), MAX64);
    const max = empty ? null : present.reduce((m, p) => (p.max! > m ? p.max! : m), MIN64);
    return { group, empty, count, sum: empty ? null : sum, min, max, avg: empty ? null : average(sum, count) };
  });
}

const partial: fc.Arbitrary<GroupPartial> = fc.record({
  count: fc.oneof(fc.constant(0n), fc.constant(1n), fc.bigInt({ min: 1n, max: 1n << 40n })),
  sum: int64,
  min: int64,
  max: int64,
});

/** 0–6 groups, 0–6 owners, each with a random subset of the groups. */
const scenario = fc
  .uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 6 })
  .chain((groups) =>
    fc.record({
      groups: fc.constant(groups),
      inputs: fc.array(
        fc.array(fc.tuple(fc.constantFrom(...(groups.length > 0 ? groups : [''])), partial), { maxLength: groups.length }).map(
          (entries) => new Map(entries.filter(([g]) => groups.includes(g))) as PartyInput,
        ),
        { maxLength: 6 },
      ),
      aggregates: fc.subarray(ALL, { minLength: 1 }),
    }),
  );

function pick(row: Record<string, unknown>, aggregates: SecureAggregateKind[]) {
  const out: Record<string, unknown> = { group: row.group, empty: row.empty };
  for (const a of aggregates) out[a] = row[a];
  return out;
}

describe('secure aggregation of per-party partials (in-process, three compute parties)', () => {
  it('equals the plaintext totals for any groups, owners and asked aggregates', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ groups, inputs, aggregates }) => {
        const { rows } = await secureAggregate(federation, { groups, inputs, aggregates });
        const expected = plaintext(groups, inputs).map((r) => pick(r, aggregates));
        expect(rows.map((r) => pick(r as unknown as Record<string, unknown>, aggregates))).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('edge values: 0, ±1, −2^63, 2^63−1, an owner without the group, a group nobody has', async () => {
    const groups = ['a', 'b', 'c', 'none'];
    const inputs: PartyInput[] = [
      new Map([
        ['a', { count: 1n, sum: MIN64, min: MIN64, max: MIN64 }],
        ['b', { count: 2n, sum: 1n, min: -1n, max: 1n }],
      ]),
      new Map([['a', { count: 3n, sum: MAX64, min: MAX64, max: MAX64 }]]),
      new Map(),
      new Map([
        ['b', { count: 1n, sum: 0n, min: 0n, max: 0n }],
        ['c', { count: 1n, sum: -1n, min: MAX64, max: MAX64 }],
        ['none', { count: 0n }],
      ]),
    ];
    const { rows } = await secureAggregate(federation, { groups, inputs, aggregates: ALL });
    expect(rows).toEqual([
      { group: 'a', empty: false, count: 4n, sum: -1n, min: MIN64, max: MAX64, avg: -0.25 },
      { group: 'b', empty: false, count: 3n, sum: 1n, min: -1n, max: 1n, avg: average(1n, 3n) },
      { group: 'c', empty: false, count: 1n, sum: -1n, min: MAX64, max: MAX64, avg: -1 },
      { group: 'none', empty: true, count: 0n, sum: null, min: null, max: null, avg: null },
    ]);
  });

  it('with no owners or no groups, every group is empty and nothing is exchanged beyond setup', async () => {
    const none = await secureAggregate(federation, { groups: ['x'], inputs: [], aggregates: ['sum', 'min'] });
    expect(none.rows).toEqual([{ group: 'x', empty: true, sum: null, min: null }]);
    const noGroups = await secureAggregate(federation, { groups: [], inputs: [new Map()], aggregates: ['count'] });
    expect(noGroups.rows).toEqual([]);
    expect(noGroups.stats.map((s) => s.rounds)).toEqual([1, 1, 1]);
  });

  it('costs one round for sums and counts, 12 per tree level for MIN/MAX, whatever the number of groups', async () => {
    const groups = Array.from({ length: 500 }, (_, i) => `g${i}`);
    const input = (k: number): PartyInput => new Map(groups.map((g, i) => [g, { count: 1n, sum: BigInt(i * k), min: BigInt(i - k), max: BigInt(i + k) }]));
    const inputs = [0, 1, 2, 3, 4].map(input);
    const sums = await secureAggregate(federation, { groups, inputs, aggregates: ['count', 'sum'] });
    expect(sums.stats.map((s) => s.rounds)).toEqual([2, 2, 2]); // setup + sharing
    const extremes = await secureAggregate(federation, { groups, inputs, aggregates: ['count', 'min', 'max'] });
    expect(extremes.stats.map((s) => s.rounds)).toEqual([2 + 3 * 12, 2 + 3 * 12, 2 + 3 * 12]); // 5 owners: 3 levels
    expect(extremes.rows[7]).toEqual({ group: 'g7', empty: false, count: 5n, min: 3n, max: 11n });
  });

  it('the output shares alone are uniformly random: each is useless without the other two', async () => {
    const groups = ['only'];
    const spec = { groups, aggregates: ['sum'] as SecureAggregateKind[], hosts: [0, 1] as const };
    const inputs: PartyInput[] = [new Map([['only', { count: 1n, sum: 42n }]]), new Map([['only', { count: 1n, sum: 0n }]])];
    const seen = new Set<bigint>();
    for (let i = 0; i < 5; i++) {
      const { results } = await federation.run((party) =>
        import('../../src/mpc/secure-aggregate.js').then((m) => m.secureAggregateAt(party, spec, new Map(party.self < 2 ? [[party.self, inputs[party.self]!]] : []))),
      );
      for (const r of results) seen.add(r[0]!);
      expect(openAggregate(spec, results)).toEqual([{ group: 'only', empty: false, sum: 42n }]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(14); // 15 fresh shares of two words' worth each, no repeats expected
    expect(seen.has(42n)).toBe(false);
  });

  it('refuses a partial for an unknown group and a partial with values but no sum', async () => {
    await expect(secureAggregate(federation, { groups: ['a'], inputs: [new Map([['b', { count: 1n, sum: 1n }]])], aggregates: ['sum'] })).rejects.toThrow(/not among/);
    await expect(secureAggregate(federation, { groups: ['a'], inputs: [new Map([['a', { count: 1n }]])], aggregates: ['sum'] })).rejects.toThrow(/no sum/);
  });
});
