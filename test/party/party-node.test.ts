/**
 * A party node over a real DuckDB, reached by the gateway's client over mutual TLS with
 * certificates from one federation CA: fragments return what the engine returns, the
 * owner's column policy is enforced at the party, strangers are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '../../src/party/certs.js';
import { createPartyNode, type PartyNode } from '../../src/party/party-node.js';
import { PartyClient } from '../../src/party/party-client.js';
import type { Fragment } from '../../src/planner/fragment.js';
import fc from 'fast-check';

let instance: DuckDBInstance;
let node: PartyNode;
let port: number;
let ca: CertificateAuthority;
let gatewayCert: IssuedCertificate;
let client: PartyClient;

const fragment = (output: string[], where: Fragment['where'] = null): Fragment => ({
  table: { schema: '', name: 'patients' },
  output: output.map((c) => ({ kind: 'expr', expr: { kind: 'column', name: c }, alias: c })),
  where,
  groupBy: [],
  orderBy: [{ output: 0, descending: false, nullsFirst: false }],
  limit: null,
});

async function rows(c: PartyClient, f: Fragment): Promise<unknown[][]> {
  const stream = await c.execute(f, new AbortController().signal);
  const out: unknown[][] = [];
  for await (const batch of stream.batches()) for (let r = 0; r < batch.rowCount; r++) out.push(batch.columns.map((col) => col[r]));
  return out;
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`CREATE TABLE patient_master AS SELECT i::BIGINT AS patient_id, 'NID' || (1000 + i) AS national_id,
    DATE '1950-01-01' + (i * 97)::INTEGER AS birth_date, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex FROM range(1, 5001) t(i)`);
  c.closeSync();
  ca = await createCertificateAuthority('test');
  const partyCert = await issueCertificate(ca, 'bmc', ['127.0.0.1']);
  gatewayCert = await issueCertificate(ca, 'gateway', []);
  node = createPartyNode({
    name: 'bmc',
    connector: DuckDbConnector.over(instance),
    tables: [{ name: 'patients', remote: { schema: 'main', name: 'patient_master' }, policies: { patient_id: 'public', birth_date: 'public', sex: 'public', national_id: 'protected' } }],
    tls: partyCert,
    logger: pino({ level: 'silent' }),
  });
  port = await node.listen(0, '127.0.0.1');
  client = new PartyClient({ name: 'bmc', address: `127.0.0.1:${port}`, tls: gatewayCert });
}, 60_000);

afterAll(async () => {
  client?.close();
  await node?.close();
  instance?.closeSync();
});

describe('party node', () => {
  it('describes its exported tables with their policies', async () => {
    const d = await client.describe();
    expect(d.party).toBe('bmc');
    expect(d.tables.map((t) => t.name)).toEqual(['patients']);
    expect(d.tables[0]!.columns.map((c) => [c.name, c.typeOid, c.policy])).toEqual([
      ['patient_id', 20, 'public'],
      ['national_id', 25, 'protected'],
      ['birth_date', 1082, 'public'],
      ['sex', 25, 'public'],
    ]);
  });

  it('runs a fragment and streams all rows back exactly', async () => {
    const result = await rows(
      client,
      fragment(['patient_id', 'birth_date', 'sex'], { kind: 'compare', op: '=', left: { kind: 'column', name: 'sex' }, right: { kind: 'literal', value: 'F' } }),
    );
    expect(result).toHaveLength(2500);
    expect(result[0]).toEqual([2n, -7305 + 194, 'F']);
    expect(result.at(-1)).toEqual([5000n, -7305 + 5000 * 97, 'F']);
  });

  it('refuses a fragment that reads a protected column, whatever the gateway thought', async () => {
    await expect(rows(client, fragment(['patient_id', 'national_id']))).rejects.toMatchObject({ code: '42501' });
    await expect(
      rows(client, fragment(['patient_id'], { kind: 'compare', op: '=', left: { kind: 'column', name: 'national_id' }, right: { kind: 'literal', value: 'NID1001' } })),
    ).rejects.toMatchObject({ code: '42501' });
    // In a HAVING too: max(national_id) > … would tell something of it.
    const grouped = { ...fragment(['sex']), groupBy: [{ kind: 'column' as const, name: 'sex' }] };
    const having: Fragment['having'] = { kind: 'compare', op: '>', left: { kind: 'aggregate', aggregate: { fn: 'max', arg: { kind: 'column', name: 'national_id' } } }, right: { kind: 'literal', value: 'NID5' } };
    await expect(rows(client, { ...grouped, having })).rejects.toMatchObject({ code: '42501' });
    expect(await rows(client, { ...grouped, having: { ...having, left: { kind: 'aggregate', aggregate: { fn: 'count', arg: null } }, right: { kind: 'literal', value: 0 } } })).toHaveLength(2);
  });

  it('refuses malformed fragments from a hostile gateway before any SQL is made', async () => {
    const base = fragment(['patient_id']);
    const hostile: unknown[] = [
      null,
      { ...base, output: [] },
      { ...base, where: { kind: 'call', fn: 'pg_sleep(10); --', args: [] } },
      { ...base, where: { kind: 'compare', op: '= 1 OR 1 =', left: { kind: 'column', name: 'sex' }, right: { kind: 'literal', value: 'F' } } },
      { ...base, output: [{ kind: 'aggregate', aggregate: { fn: 'string_agg', arg: { kind: 'column', name: 'sex' } }, alias: 'x' }] },
      { ...base, limit: -1 },
      { ...base, output: [{ kind: 'aggregate', aggregate: { fn: 'count', arg: { kind: 'column', name: 'sex' }, bigint: true }, alias: 'x' }] },
      { ...base, output: [{ kind: 'aggregate', aggregate: { fn: 'sum', arg: { kind: 'column', name: 'patient_id' }, bigint: 'yes' }, alias: 'x' }] },
      { ...base, where: { kind: 'aggregate', aggregate: { fn: 'count', arg: null } } },
      { ...base, having: { kind: 'literal', value: true } },
      {
        ...base,
        groupBy: [{ kind: 'column', name: 'patient_id' }],
        having: { kind: 'aggregate', aggregate: { fn: 'max', arg: { kind: 'aggregate', aggregate: { fn: 'count', arg: null } } } },
      },
      { ...base, orderBy: [{ output: 5, descending: false, nullsFirst: false }] },
      { ...base, where: Array.from({ length: 200 }).reduce<unknown>((e) => ({ kind: 'not', arg: e }), { kind: 'literal', value: true }) },
    ];
    for (const f of hostile) await expect(rows(client, f as Fragment)).rejects.toMatchObject({ code: '08P01' });
    // Random JSON in place of a fragment: always a clean error, and the party keeps answering.
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (junk) => {
        await expect(rows(client, junk as unknown as Fragment)).rejects.toMatchObject({ code: '08P01' });
      }),
      { numRuns: 50 },
    );
    expect(await rows(client, base)).toHaveLength(5000);
  });

  it('answers 42P01 for a table it does not export', async () => {
    await expect(rows(client, { ...fragment(['x']), table: { schema: '', name: 'patient_master' } })).rejects.toMatchObject({ code: '42P01' });
  });

  it('refuses a client whose certificate is not the gateway’s', async () => {
    const other = new PartyClient({ name: 'bmc', address: `127.0.0.1:${port}`, tls: await issueCertificate(ca, 'mgh', []) });
    await expect(other.describe()).rejects.toMatchObject({ code: '42501' });
    other.close();
  });

  it('refuses a client from another federation’s CA', async () => {
    const stranger = await issueCertificate(await createCertificateAuthority('other'), 'gateway', []);
    const other = new PartyClient({ name: 'bmc', address: `127.0.0.1:${port}`, tls: stranger, connectTimeoutMs: 2000 });
    await expect(rows(other, fragment(['patient_id']))).rejects.toMatchObject({ code: 'HV00N' });
    other.close();
  });

  it('fails within the bound when the party is unreachable', async () => {
    const gone = new PartyClient({ name: 'bmc', address: '127.0.0.1:1', tls: gatewayCert, connectTimeoutMs: 2000 });
    const started = performance.now();
    await expect(rows(gone, fragment(['patient_id']))).rejects.toMatchObject({ code: 'HV00N' });
    expect(performance.now() - started).toBeLessThan(5000);
    gone.close();
  });
});
