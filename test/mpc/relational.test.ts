import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compactA, compactB } from '../../src/mpc/compaction.js';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { groupAggregateA, type GroupAggregate } from '../../src/mpc/group-aggregate.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { pkFkJoinA } from '../../src/mpc/join.js';
import { prefixSumA, prefixSumWords, segmentedCopyA, segmentedMinMaxA, segmentedSumA } from '../../src/mpc/prefix.js';
import { booleanEqualityRounds } from '../../src/mpc/sliced.js';
import { EDGES, expectSortRounds, int64, MAX64, MIN64 } from './plaintext.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const words = (v: readonly bigint[]): BigUint64Array => BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x)));
const signed = (a: BigUint64Array): bigint[] => Array.from(ringToSigned(a));
const wrap = (x: bigint): bigint => BigInt.asIntN(64, x);
const cmp = (x: bigint, y: bigint): number => (x < y ? -1 : x > y ? 1 : 0);
const smallOrEdge = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: -2n, max: 3n }));
const log2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));


describe('prefix sums and segmented scans', () => {
  it('prefixSumWords wraps mod 2^64 like BigInt', () => {
    fc.assert(
      fc.property(fc.array(int64, { maxLength: 50 }), (v) => {
        let s = 0n;
        expect(signed(prefixSumWords(words(v)))).toEqual(v.map((x) => (s = wrap(s + x))));
      }),
    );
  });

  it('local prefix sum, segmented sum, copy, min and max equal plaintext; exact rounds', async () => {
    const rows = fc.array(fc.tuple(fc.boolean(), int64), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rows, async (table) => {
        const n = table.length;
        const cont = words(table.map((r) => (r[0] ? 1n : 0n)));
        const x = words(table.map((r) => r[1]));
        const { results } = await federation.run(async (party) => {
          const batch = party.batch();
          const c = batch.shareInputA(party.self === 0 ? cont : null, 0, n);
          const cb = batch.shareInputB(party.self === 0 ? cont : null, 0, n);
          const v = batch.shareInputA(party.self === 1 ? x : null, 1, n);
          await batch.run();
          const r0 = party.exchange.stats.rounds;
          const [sum] = await segmentedSumA(party, c.value, [v.value]);
          const [copy] = await segmentedCopyA(party, c.value, [v.value]);
          const r1 = party.exchange.stats.rounds;
          const [min, min2] = await segmentedMinMaxA(party, cb.value, [v.value, v.value], 'min');
          const [max] = await segmentedMinMaxA(party, cb.value, [v.value], 'max');
          const r2 = party.exchange.stats.rounds;
          const open = party.batch();
          const outs = [prefixSumA(v.value), sum!, copy!, min!, min2!, max!].map((o) => open.revealA(o));
          await open.run();
          return { scanRounds: r1 - r0, minMaxRounds: r2 - r1, out: outs.map((o) => signed(o.value)) };
        });
        const plain = { prefix: [] as bigint[], sum: [] as bigint[], copy: [] as bigint[], min: [] as bigint[], max: [] as bigint[] };
        let p = 0n;
        table.forEach(([c, v], i) => {
          const starts = i === 0 || !c;
          p = wrap(p + v);
          plain.prefix.push(p);
          plain.sum.push(starts ? v : wrap(plain.sum[i - 1]! + v));
          plain.copy.push(starts ? v : plain.copy[i - 1]!);
          plain.min.push(starts ? v : plain.min[i - 1]! < v ? plain.min[i - 1]! : v);
          plain.max.push(starts ? v : plain.max[i - 1]! > v ? plain.max[i - 1]! : v);
        });
        for (const r of results) {
          expect(r.out).toEqual([plain.prefix, plain.sum, plain.copy, plain.min, plain.min, plain.max]);
          expect(r.scanRounds).toBe(2 * log2(n));
          expect(r.minMaxRounds).toBe(2 * 13 * log2(n));
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('compaction', () => {
  it('keeps flagged rows in order, reveals only their count; 4 rounds (6 from a bit)', async () => {
    const rows = fc.array(fc.tuple(fc.boolean(), int64), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rows, fc.constantFrom('some', 'all', 'none'), async (table, mode) => {
        if (mode !== 'some') table = table.map(([, v]) => [mode === 'all', v]);
        const n = table.length;
        const keep = words(table.map((r) => (r[0] ? 1n : 0n)));
        const x = words(table.map((r) => r[1]));
        const { results } = await federation.run(async (party) => {
          const batch = party.batch();
          const k = batch.shareInputA(party.self === 2 ? keep : null, 2, n);
          const kb = batch.shareInputB(party.self === 2 ? keep : null, 2, n);
          const v = batch.shareInputA(party.self === 1 ? x : null, 1, n);
          await batch.run();
          const r0 = party.exchange.stats.rounds;
          const a = await compactA(party, k.value, [v.value]);
          const r1 = party.exchange.stats.rounds;
          const b = await compactB(party, kb.value, [v.value]);
          const r2 = party.exchange.stats.rounds;
          return { counts: [a.count, b.count], rounds: [r1 - r0, r2 - r1], out: [signed(await party.revealA(a.columns[0]!)), signed(await party.revealA(b.columns[0]!))] };
        });
        const expected = table.filter((r) => r[0]).map((r) => r[1]);
        for (const r of results) {
          expect(r.counts).toEqual([expected.length, expected.length]);
          expect(r.out).toEqual([expected, expected]);
          expect(r.rounds).toEqual(n === 0 ? [0, 0] : [4, 6]);
        }
      }),
      { numRuns: 20 },
    );
  });
});

type Plain = Map<string, { key: bigint[]; sum: bigint; count: bigint; min: bigint; max: bigint }>;

describe('group-by on sort and segmented prefix', () => {
  async function run(keys: bigint[][], values: bigint[], aggregates: ('sum' | 'count' | 'min' | 'max')[], bits?: number[]) {
    const n = values.length;
    const { results } = await federation.run(async (party) => {
      const batch = party.batch();
      const ks = keys.map((k, j) => batch.shareInputA(party.self === 0 ? words(k) : null, 0, n));
      const v = batch.shareInputA(party.self === 1 ? words(values) : null, 1, n);
      await batch.run();
      const r0 = party.exchange.stats.rounds;
      const specs: GroupAggregate[] = aggregates.map((kind) => (kind === 'count' ? { kind } : { kind, column: v.value }));
      const out = await groupAggregateA(party, ks.map((k) => k.value), specs, bits ? { bits } : {});
      const rounds = party.exchange.stats.rounds - r0;
      const open = party.batch();
      const opened = [...out.keys.map((c) => open.revealB(c)), ...out.values.map((c) => open.revealA(c))];
      await open.run();
      return { groups: out.groups, rounds, columns: opened.map((o) => signed(o.value)) };
    });
    return results;
  }

  function plaintext(keys: bigint[][], values: bigint[]): Plain {
    const groups: Plain = new Map();
    values.forEach((v, i) => {
      const key = keys.map((k) => k[i]!);
      const id = key.join(',');
      const g = groups.get(id);
      if (!g) groups.set(id, { key, sum: v, count: 1n, min: v, max: v });
      else groups.set(id, { key, sum: wrap(g.sum + v), count: g.count + 1n, min: g.min < v ? g.min : v, max: g.max > v ? g.max : v });
    });
    return new Map([...groups].sort(([, a], [, b]) => a.key.reduce((c, k, j) => c || cmp(k, b.key[j]!), 0)));
  }

  it('SUM, COUNT, MIN, MAX per key equal plaintext (edge keys and values, one group, empty)', async () => {
    const rows = fc.array(fc.tuple(smallOrEdge, int64), { maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(rows, fc.boolean(), async (table, oneGroup) => {
        if (oneGroup) table = table.map(([, v]) => [MIN64, v]);
        const keys = [table.map((r) => r[0])];
        const values = table.map((r) => r[1]);
        const results = await run(keys, values, ['sum', 'count', 'min', 'max']);
        const groups = [...plaintext(keys, values).values()];
        const n = values.length;
        for (const r of results) {
          expect(r.groups).toBe(groups.length);
          expect(r.columns).toEqual([groups.map((g) => g.key[0]!), groups.map((g) => g.sum), groups.map((g) => g.count), groups.map((g) => g.min), groups.map((g) => g.max)]);
          if (n >= 2) expectSortRounds(r.rounds, booleanEqualityRounds(64) + 2 + 13 * log2(n) + 4, n, [64]);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('two keys, SUM and COUNT only (no comparison scan), narrow keys', async () => {
    const rows = fc.array(fc.tuple(fc.bigInt({ min: -2n, max: 1n }), fc.bigInt({ min: 0n, max: 2n }), int64), { maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(rows, async (table) => {
        const keys = [table.map((r) => r[0]), table.map((r) => r[1])];
        const values = table.map((r) => r[2]);
        const results = await run(keys, values, ['count', 'sum'], [3, 3]);
        const groups = [...plaintext(keys, values).values()];
        const n = values.length;
        for (const r of results) {
          expect(r.columns).toEqual([groups.map((g) => g.key[0]!), groups.map((g) => g.key[1]!), groups.map((g) => g.count), groups.map((g) => g.sum)]);
          if (n >= 2) expectSortRounds(r.rounds, booleanEqualityRounds(3) + 1 + 2 + 4, n, [3, 3]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('sums wrap like int64; all-equal columns', async () => {
    const results = await run([[5n, 5n, 5n]], [MAX64, 1n, MAX64], ['sum', 'count', 'max', 'min']);
    for (const r of results) expect(r.columns).toEqual([[5n], [wrap(MAX64 + 1n + MAX64)], [3n], [MAX64], [1n]]);
  });
});

describe('PK–FK join', () => {
  async function join(pk: [bigint, bigint][], fk: [bigint, bigint][], bits?: number) {
    const col = (rows: [bigint, bigint][], j: 0 | 1): BigUint64Array => words(rows.map((r) => r[j]));
    const { results } = await federation.run(async (party) => {
      const batch = party.batch();
      const pkKey = batch.shareInputA(party.self === 0 ? col(pk, 0) : null, 0, pk.length);
      const pkVal = batch.shareInputA(party.self === 0 ? col(pk, 1) : null, 0, pk.length);
      const fkKey = batch.shareInputA(party.self === 1 ? col(fk, 0) : null, 1, fk.length);
      const fkVal = batch.shareInputA(party.self === 1 ? col(fk, 1) : null, 1, fk.length);
      await batch.run();
      const r0 = party.exchange.stats.rounds;
      const out = await pkFkJoinA(party, { key: pkKey.value, columns: [pkVal.value] }, { key: fkKey.value, columns: [fkVal.value] }, bits ? { bits } : {});
      const rounds = party.exchange.stats.rounds - r0;
      const open = party.batch();
      const opened = [open.revealB(out.key), ...[...out.pkColumns, ...out.fkColumns].map((c) => open.revealA(c))];
      await open.run();
      return { count: out.count, rounds, columns: opened.map((o) => signed(o.value)) };
    });
    return results;
  }

  function plaintext(pk: [bigint, bigint][], fk: [bigint, bigint][]): bigint[][] {
    const byKey = new Map(pk.map(([k, v]) => [k, v]));
    const rows = fk.flatMap(([k, v], i) => (byKey.has(k) ? [[k, byKey.get(k)!, v, BigInt(i)] as const] : []));
    rows.sort((a, b) => cmp(a[0], b[0]) || cmp(a[3], b[3]));
    return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
  }

  it('equals the plaintext join (edge keys, unmatched rows on both sides, empty sides); the sort in whole levels of rounds', async () => {
    const key = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: -3n, max: 5n }));
    const pkRows = fc.uniqueArray(fc.tuple(key, int64), { maxLength: 12, selector: (r) => r[0] });
    const fkRows = fc.array(fc.tuple(key, int64), { maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(pkRows, fkRows, async (pk, fk) => {
        const results = await join(pk, fk);
        const expected = plaintext(pk, fk);
        const n = pk.length + fk.length;
        for (const r of results) {
          expect(r.count).toBe(expected[0]!.length);
          expect(r.columns).toEqual(expected);
          if (n <= 1) expect(r.rounds).toBe(0);
          else expectSortRounds(r.rounds, 4 + 3 + 1 + booleanEqualityRounds(64) + 2 + 1 + 4, n, [64]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('every FK row matches one PK key; no FK row matches; 16-bit keys', async () => {
    const all = await join([[7n, 70n], [-1n, 10n]], [[7n, 1n], [7n, 2n], [7n, 3n]], 16);
    for (const r of all) {
      expect(r.columns).toEqual([[7n, 7n, 7n], [70n, 70n, 70n], [1n, 2n, 3n]]);
      // 16-bit keys: fewer digits to sort and fewer bit planes to compare.
      expectSortRounds(r.rounds, 4 + 3 + 1 + booleanEqualityRounds(16) + 2 + 1 + 4, 5, [16]);
    }
    const none = await join([[1n, 0n]], [[2n, 5n], [MIN64 + 0n, 5n]]);
    for (const r of none) expect(r).toMatchObject({ count: 0, columns: [[], [], []] });
    // An FK key 0 sorted before every PK row takes zeros from no PK row: no match for it.
    const beforeAny = await join([[5n, 50n]], [[0n, 1n], [5n, 2n], [0n, 3n]]);
    for (const r of beforeAny) expect(r.columns).toEqual([[5n], [50n], [2n]]);
  });
});
