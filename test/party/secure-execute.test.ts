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
const table: ExportedTable = { name: 'claims', remote: { schema: 'main', name: 'claims' }, policies: { region: 'public', amount: 'protected' } };
const computeParties = ['alpha', 'beta', 'gamma'].map((name, i) => ({ name, address: `127.0.0.1:${7001 + i}` }));

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  // Distinctive secret amounts: their sums per region are easy to look for in the traffic.
  await c.run(`CREATE TABLE claims AS SELECT 'region ' || (i % 30) AS region,
    (123456.78 + i * 1000.01)::DECIMAL(12,2) AS amount FROM range(1, 601) t(i)`);
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
      if (name !== 'claims') throw new Error(`no table ${name}`);
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
