/**
 * Secure aggregation over a protected column, end to end: the demo federation (three
 * party nodes over DuckDB files, mutual TLS, registered by DDL) where the hospitals protect
 * medications.dose_mg. Sums, counts and averages per group are computed by additive secret
 * sharing between the parties and equal the same query over one database holding all the
 * data; plaintext reads of the column are refused; shares and reveals are checked alone.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addInto, fromRing, splitAdditive, toRing } from '../../src/mpc/additive-shares.js';
import { ShareJobs } from '../../src/party/share-jobs.js';
import { fixedPoint } from '../../src/party/secure-execute.js';
import { comparisonBits } from '../../src/planner/partial-aggregate.js';
import { TypeOid } from '../../src/sql/types/index.js';
import { demoWithReference } from '../support/demo-with-reference.js';

const demo = demoWithReference();
const direct = (sql: string): Promise<unknown[][]> => demo.direct(sql);

const number = (v: unknown): number | null => (v === null ? null : Number(v));

describe('secure aggregation of a protected column', () => {
  it('sums, counts and averages per group equal one database holding all the data', async () => {
    const r = await demo.client.query({ text: 'SELECT drug, count(*), count(dose_mg), sum(dose_mg), avg(dose_mg) FROM medications GROUP BY drug ORDER BY drug', rowMode: 'array' });
    const expected = await direct('SELECT drug, count(*), count(dose_mg), sum(dose_mg), avg(dose_mg) FROM medications GROUP BY drug ORDER BY drug');
    expect(r.rows.length).toBeGreaterThan(5);
    expect(r.rows.map((row) => [row[0], number(row[1]), number(row[2]), number(row[3]), Number(Number(row[4]).toFixed(6))])).toEqual(
      expected.map((row) => [row[0], number(row[1]), number(row[2]), number(row[3]), Number(Number(row[4]).toFixed(6))]),
    );
    expect(r.fields.map((f) => f.name)).toEqual(['drug', 'count', 'count', 'sum', 'avg']);
  });

  it('groups by the partition key, filters on public columns, and returns NULL for a sum over no rows', async () => {
    const sql = "SELECT party, sum(dose_mg) AS total FROM medications WHERE drug = 'aspirin' AND prescribed_on >= '2024-06-01' GROUP BY party ORDER BY party";
    const r = await demo.client.query({ text: sql, rowMode: 'array' });
    expect(r.rows.map((row) => [row[0], number(row[1])])).toEqual((await direct(sql)).map((row) => [row[0], number(row[1])]));
    const none = await demo.client.query("SELECT sum(dose_mg) AS s, count(dose_mg) AS c FROM medications WHERE drug = 'no such drug'");
    expect(none.rows).toEqual([{ s: null, c: '0' }]);
  });

  it('EXPLAIN says which fragments are secret-shared and to whom', async () => {
    const explain = async (sql: string): Promise<string[]> => (await demo.client.query(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN'] as string);
    // Counts alone: additive sharing. AVG: divided under MPC, so only the average is revealed.
    const counts = await explain('SELECT drug, count(dose_mg) FROM medications GROUP BY drug');
    expect(counts.filter((l) => l.startsWith('Secure fragment at party'))).toHaveLength(3);
    expect(counts.join('\n')).toMatch(/Secure aggregation: .* compute parties bmc, bwh, mgh/);
    expect((await explain('SELECT drug, avg(dose_mg) FROM medications GROUP BY drug')).join('\n')).toMatch(/secret division for AVG\) at compute parties bmc, bwh, mgh/);
  });

  it('reveals totals over all parties, not per party, unless the query groups by the partition key', async () => {
    const gatewaySql = async (sql: string): Promise<string> => (await demo.client.query(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN'] as string).find((l) => l.startsWith('Gateway'))!;
    // The gateway's work rows carry the partition key only when the answer is per partition.
    expect(await gatewaySql('SELECT drug, sum(dose_mg), count(dose_mg) FROM medications GROUP BY drug')).not.toMatch(/party/);
    expect(await gatewaySql("SELECT drug, avg(dose_mg) FROM medications WHERE party IN ('bmc', 'mgh') GROUP BY drug")).not.toMatch(/party/);
    expect(await gatewaySql('SELECT party, sum(dose_mg) FROM medications GROUP BY party')).toMatch(/party/);
    const sql = "SELECT drug, count(dose_mg), sum(dose_mg), avg(dose_mg) FROM medications WHERE party IN ('bmc', 'mgh') AND drug <> 'aspirin' GROUP BY drug ORDER BY drug";
    const r = await demo.client.query({ text: sql, rowMode: 'array' });
    const shape = (rows: unknown[][]): unknown[][] => rows.map((row) => [row[0], number(row[1]), number(row[2]), Number(Number(row[3]).toFixed(9))]);
    expect(r.rows.length).toBeGreaterThan(3);
    expect(shape(r.rows)).toEqual(shape(await direct(sql)));
    // An average over no rows is NULL; over a group with no non-NULL value too.
    expect((await demo.client.query("SELECT avg(dose_mg) AS a FROM medications WHERE drug = 'no such drug'")).rows).toEqual([{ a: null }]);
  });

  it('refuses the protected column in plaintext, as a group key, and in aggregates it cannot compute securely', async () => {
    await expect(demo.client.query('SELECT dose_mg FROM medications LIMIT 1')).rejects.toMatchObject({ code: '42501' });
    await expect(demo.client.query('SELECT dose_mg, count(*) FROM medications GROUP BY dose_mg')).rejects.toMatchObject({ code: '42501' });
    await expect(demo.client.query("SELECT count(*) FROM medications WHERE dose_mg > 100")).rejects.toMatchObject({ code: '42501' });
    await expect(demo.client.query('SELECT max(national_id) FROM patients')).rejects.toMatchObject({ code: '0A000' });
    // The session goes on.
    expect((await demo.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('additive shares and a compute party’s sums', () => {
  it('three shares add up to the value; any two are uniformly random', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { maxLength: 50 }), (values) => {
        const ring = BigUint64Array.from(values.map(toRing));
        const [a, b, c] = splitAdditive(ring);
        const sum = new BigUint64Array(ring.length);
        addInto(sum, a);
        addInto(sum, b);
        addInto(sum, c);
        expect([...sum].map(fromRing)).toEqual(values);
      }),
    );
    // Shares of the same value differ every time: one share says nothing of the value.
    const [first] = splitAdditive(BigUint64Array.of(42n, 42n, 42n));
    expect(new Set(first).size).toBe(3);
  });

  it('MIN and MAX compare in the range of their column type, numeric(p, s) scaled by its scale', () => {
    const numeric = (precision: number, scale: number) => ({ typeOid: TypeOid.numeric, typmod: ((precision << 16) | scale) + 4 });
    expect(comparisonBits({ typeOid: TypeOid.int2, typmod: -1 })).toBe(16);
    expect(comparisonBits({ typeOid: TypeOid.int4, typmod: -1 })).toBe(32);
    expect(comparisonBits({ typeOid: TypeOid.date, typmod: -1 })).toBe(32);
    expect(comparisonBits({ typeOid: TypeOid.int8, typmod: -1 })).toBe(64);
    expect(comparisonBits({ typeOid: TypeOid.float8, typmod: -1 })).toBe(64);
    expect(comparisonBits({ typeOid: TypeOid.numeric, typmod: -1 })).toBe(64);
    // The largest numeric(p, s) value, scaled, is 10^p − 1: it must fit, and one bit fewer must not.
    for (const p of [1, 4, 10, 12, 18]) {
      const bits = comparisonBits(numeric(p, 2));
      expect(10n ** BigInt(p) - 1n).toBeLessThan(1n << BigInt(bits - 1));
      expect(10n ** BigInt(p) - 1n).toBeGreaterThanOrEqual(1n << BigInt(bits - 2));
    }
    expect(comparisonBits(numeric(19, 0))).toBe(64);
  });

  it('encodes decimals as fixed point exactly and refuses what does not fit', () => {
    expect(fixedPoint('12.5', 2)).toBe(1250n);
    expect(fixedPoint('-0.09', 2)).toBe(-9n);
    expect(fixedPoint(7n, 2)).toBe(700n);
    expect(fixedPoint(null, 2)).toBe(0n);
    expect(() => fixedPoint('1.234', 2)).toThrow(/decimal digits/);
    expect(() => fixedPoint('9223372036854775807', 1)).toThrow(/out of range/);
    expect(() => fixedPoint('abc', 0)).toThrow();
  });

  it('adds contributions per group, waits for every contributor, and times out cleanly', async () => {
    const jobs = new ShareJobs();
    const reveal = jobs.reveal('job-1', ['bmc', 'mgh'], 2000);
    jobs.accept('bmc', { jobId: 'job-1', keys: [['a'], ['b']], shares: [[1n, 2n]] });
    jobs.accept('mgh', { jobId: 'job-1', keys: [['b'], ['c']], shares: [[10n, (1n << 64n) - 1n]] });
    const sums = await reveal;
    const byKey = Object.fromEntries(sums.keys.map((k, i) => [k[0], fromRing(sums.sums[0]![i]!)]));
    expect(byKey).toEqual({ a: 1n, b: 12n, c: -1n });
    expect(() => jobs.accept('bmc', { jobId: 'job-2', keys: [['a']], shares: [[1n, 2n]] })).toThrow(/malformed/);
    jobs.accept('bmc', { jobId: 'job-3', keys: [], shares: [] });
    expect(() => jobs.accept('bmc', { jobId: 'job-3', keys: [], shares: [] })).toThrow(/already sent/);
    const started = performance.now();
    await expect(jobs.reveal('job-3', ['bmc', 'bwh'], 300)).rejects.toThrow(/no shares from "bwh"/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
