/**
 * A data party's side of secure aggregation, over a real DuckDB: what it sends to the
 * three compute parties is captured whole. No partial aggregate, nor its 64-bit encoding,
 * appears in any message; the three shares add up to it; the share bytes are uniform
 * (chi-square); requests that would read a protected column in plaintext are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { fromRing } from '../../src/mpc/additive-shares.js';
import { secureExecute } from '../../src/party/secure-execute.js';
import type { ExportedTable } from '../../src/party/party-node.js';
import type { AcceptSharesRequest, SecureExecuteRequest } from '../../src/party/party-service.js';
import { encodeJson } from '../../src/party/wire-format.js';

let instance: DuckDBInstance;
let connector: DuckDbConnector;
const tables: Record<string, ExportedTable> = Object.fromEntries(
  ['claims', 'sparse'].map((name) => [name, { name, remote: { schema: 'main', name }, policies: { region: 'public', amount: 'protected' } }]),
);
const computeParties = ['alpha', 'beta', 'gamma'].map((name, i) => ({ name, address: `127.0.0.1:${7001 + i}` }));

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  // Distinctive secret amounts: their sums per region are easy to look for in the traffic.
  await c.run(`CREATE TABLE claims AS SELECT 'region ' || (i % 30) AS region,
    (123456.78 + i * 1000.01)::DECIMAL(12,2) AS amount FROM range(1, 601) t(i)`);
  // One region with amounts, one with none (NULL only).
  await c.run(`CREATE TABLE sparse AS SELECT * FROM (VALUES ('north', 12.50::DECIMAL(12,2)), ('south', NULL)) v(region, amount)`);
  c.closeSync();
  connector = DuckDbConnector.over(instance);
});

afterAll(() => {
  instance?.closeSync();
});

function request(overrides: Partial<SecureExecuteRequest> = {}): SecureExecuteRequest {
  return {
    fragment: {
      table: { schema: '', name: 'claims' },
      output: [
        { kind: 'expr', expr: { kind: 'column', name: 'region' }, alias: 'region' },
        { kind: 'aggregate', aggregate: { fn: 'sum', arg: { kind: 'column', name: 'amount' } }, alias: 's' },
        { kind: 'aggregate', aggregate: { fn: 'count', arg: null }, alias: 'n' },
      ],
      where: null,
      groupBy: [{ kind: 'column', name: 'region' }],
      orderBy: [],
      limit: null,
    },
    secret: [1, 2],
    scales: [2, 0],
    keyPrefix: [],
    job: { id: randomUUID(), computeParties },
    ...overrides,
  };
}

async function run(r: unknown): Promise<Map<string, AcceptSharesRequest>> {
  const sent = new Map<string, AcceptSharesRequest>();
  await secureExecute(r, {
    connector,
    table: (name) => {
      const table = tables[name];
      if (!table) throw new Error(`no table ${name}`);
      return table;
    },
    peer: (party) => ({
      acceptShares: async (message) => {
        sent.set(party.name, message);
        return {};
      },
    }),
    signal: new AbortController().signal,
  });
  return sent;
}

describe('a data party secret-sharing its aggregates', () => {
  it('sends each compute party uniformly random shares that add up to the sums, and never a sum itself', async () => {
    const sent = await run(request());
    expect([...sent.keys()].sort()).toEqual(['alpha', 'beta', 'gamma']);
    const c = await instance.connect();
    const truth = (await c.runAndReadAll('SELECT region, sum(amount)::VARCHAR, count(*) FROM claims GROUP BY region')).getRowsJS() as Array<[string, string, bigint]>;
    c.closeSync();
    const keys = sent.get('alpha')!.keys.map((k) => k[0]);
    for (const [region, sum, count] of truth) {
      const row = keys.indexOf(region);
      const total = (column: number): bigint => fromRing([...sent.values()].reduce((acc, m) => acc + m.shares[column]![row]!, 0n));
      expect(total(0)).toBe(BigInt(sum.replace('.', '')));
      expect(total(1)).toBe(BigInt(count));
    }
    // The traffic, as it is serialised for the wire: no sum, count or amount in any form.
    const traffic = [...sent.values()].map((m) => encodeJson(m).toString('utf8')).join('\n');
    for (const [, sum, count] of truth) {
      const fixed = sum.replace('.', '');
      expect(traffic).not.toContain(sum);
      expect(traffic).not.toContain(fixed);
      expect(traffic).not.toContain(BigInt.asUintN(64, BigInt(fixed)).toString());
      expect(traffic).not.toContain(`"${count}"`);
    }
    expect(traffic).not.toContain('123456.78');
    // Share bytes: a chi-square test for uniformity over 256 byte values (p > 0.001).
    const bytes = [...sent.values()].flatMap((m) => m.shares.flat()).flatMap((share) => [...new Uint8Array(BigUint64Array.of(share).buffer)]);
    const counts = new Array<number>(256).fill(0);
    for (const b of bytes) counts[b]!++;
    const expected = bytes.length / 256;
    const chi = counts.reduce((acc, n) => acc + (n - expected) ** 2 / expected, 0);
    expect(bytes.length).toBe(3 * 2 * 30 * 8);
    expect(chi).toBeLessThan(330); // the 0.999 quantile of chi-square with 255 degrees of freedom
  });

  it('MIN and MAX in a narrower range: a NULL partial is the identity of that range, a partial outside it is 22003, a bad width 08P01', async () => {
    const minMax = (bits: number | undefined, name = 'claims'): SecureExecuteRequest =>
      request({
        fragment: {
          ...request().fragment,
          table: { schema: '', name },
          output: [
            { kind: 'expr', expr: { kind: 'column', name: 'region' }, alias: 'region' },
            { kind: 'aggregate', aggregate: { fn: 'min', arg: { kind: 'column', name: 'amount' } }, alias: 'lo' },
            { kind: 'aggregate', aggregate: { fn: 'max', arg: { kind: 'column', name: 'amount' } }, alias: 'hi' },
          ],
        },
        secret: [1, 2],
        scales: [2, 2],
        kinds: ['min', 'max'],
        ...(bits === undefined ? {} : { bits }),
      });
    const opened = (sent: Map<string, AcceptSharesRequest>, column: number): bigint[] =>
      sent.get('alpha')!.shares[column]!.map((_v, row) => fromRing([...sent.values()].reduce((acc, m) => acc + m.shares[column]![row]!, 0n)));
    // Amounts up to 123456.78 + 600 × 1000.01, scaled by 100: below 2^27, so 28 bits hold them.
    const sent = await run(minMax(28));
    const c = await instance.connect();
    const truth = (await c.runAndReadAll("SELECT region, (min(amount) * 100)::BIGINT, (max(amount) * 100)::BIGINT FROM claims GROUP BY region")).getRowsJS() as Array<[string, bigint, bigint]>;
    c.closeSync();
    const keys = sent.get('alpha')!.keys.map((k) => k[0]);
    for (const [region, lo, hi] of truth) {
      expect(opened(sent, 0)[keys.indexOf(region)]).toBe(lo);
      expect(opened(sent, 1)[keys.indexOf(region)]).toBe(hi);
    }
    // A group whose amounts are all NULL sends the identities of the 28-bit range.
    const sparse = await run(minMax(28, 'sparse'));
    const south = sparse.get('alpha')!.keys.findIndex((k) => k[0] === 'south');
    const north = sparse.get('alpha')!.keys.findIndex((k) => k[0] === 'north');
    expect([opened(sparse, 0)[south], opened(sparse, 1)[south]]).toEqual([(1n << 27n) - 1n, -(1n << 27n)]);
    expect([opened(sparse, 0)[north], opened(sparse, 1)[north]]).toEqual([1250n, 1250n]);
    await expect(run(minMax(27))).rejects.toMatchObject({ code: '22003', message: expect.stringMatching(/out of the 27-bit range planned for a secure (min|max)/) });
    for (const bits of [1, 65, 2.5, '32']) await expect(run({ ...minMax(undefined), bits })).rejects.toMatchObject({ code: '08P01' });
  });

  it('refuses to filter, group or output a protected column in plaintext, and malformed requests', async () => {
    const where = { kind: 'compare', op: '>', left: { kind: 'column', name: 'amount' }, right: { kind: 'literal', value: 1 } } as const;
    await expect(run(request({ fragment: { ...request().fragment, where } }))).rejects.toMatchObject({ code: '42501' });
    await expect(run(request({ secret: [2], scales: [0] }))).rejects.toMatchObject({ code: '42501' });
    await expect(run(request({ secret: [0, 1], scales: [0, 2] }))).rejects.toMatchObject({ code: '08P01' });
    await expect(run(request({ job: { id: 'x; drop', computeParties } }))).rejects.toMatchObject({ code: '08P01' });
    await expect(run(request({ job: { id: randomUUID(), computeParties: computeParties.slice(0, 2) } }))).rejects.toMatchObject({ code: '08P01' });
    await expect(run({ ...request(), fragment: { ...request().fragment, alias: 'a', joins: [{ table: { schema: '', name: 'claims' }, alias: 'b', on: { kind: 'literal', value: true } }] } })).rejects.toMatchObject({
      code: '08P01',
    });
  });
});
