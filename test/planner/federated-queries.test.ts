/**
 * Cross-party queries over public columns: three party nodes (bmc, mgh, bwh) over their
 * own DuckDB files, reached over mutual TLS; a gateway whose engine plans fragments for
 * them. Every answer equals the same query over one database holding all the data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateDemoData, demoFilePath } from '../../src/demo/generate.js';
import { DEMO_PARTIES, DEMO_TABLES } from '../../src/demo/hospital-data.js';
import { openDemoDatabase } from '../support/union-database.js';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';
import { createPartyNode, type PartyNode } from '../../src/party/party-node.js';
import { PartyClient } from '../../src/party/party-client.js';
import { FederatedRunner } from '../../src/planner/federated-runner.js';
import type { FederatedTable } from '../../src/planner/federation.js';
import type { Fragment } from '../../src/planner/fragment.js';
import { createLocalEngine } from '../../src/engine/index.js';
import { createPgServer, type PgServer } from '../../src/server/pg-server.js';
import { TypeOid } from '../../src/sql/types/index.js';

const silent = pino({ level: 'silent' });
let dir: string;
const nodes: PartyNode[] = [];
const clients = new Map<string, PartyClient>();
const connectors: DuckDbConnector[] = [];
let gatewayInstance: DuckDBInstance;
let unionInstance: DuckDBInstance;
let federated: PgServer;
let reference: PgServer;
let fed: pg.Client;
let ref: pg.Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-fed-'));
  await generateDemoData({ dir, scale: 0.2, seed: 11 });
  const ca = await createCertificateAuthority('test');
  const gatewayCert = await issueCertificate(ca, 'gateway', []);
  const tables = new Map<string, FederatedTable>();
  for (const party of DEMO_PARTIES) {
    const connector = await DuckDbConnector.open({ path: demoFilePath(dir, party), readOnly: true });
    connectors.push(connector);
    const exported = await Promise.all(
      DEMO_TABLES.map(async (name) => {
        const described = await connector.describeTable({ schema: 'main', name });
        // national_id is the one protected column: it never leaves a party in plaintext.
        const policies = Object.fromEntries(described.columns.map((c) => [c.name, c.name === 'national_id' ? 'protected' : 'public'] as const));
        return { name, remote: { schema: 'main', name }, policies, columns: described.columns };
      }),
    );
    const node = createPartyNode({ name: party, connector, tables: exported, tls: await issueCertificate(ca, party, ['127.0.0.1']), logger: silent });
    const port = await node.listen(0, '127.0.0.1');
    nodes.push(node);
    clients.set(party, new PartyClient({ name: party, address: `127.0.0.1:${port}`, tls: gatewayCert }));
    for (const t of exported) {
      const existing = tables.get(t.name);
      const partition = { party, exportedTable: t.name, value: party };
      if (existing) existing.partitions.push(partition);
      else {
        tables.set(t.name, {
          schema: 'public',
          name: t.name,
          columns: [{ name: 'party', typeOid: TypeOid.text, typmod: -1, nullable: false }, ...t.columns],
          partitionKey: 'party',
          partitions: [partition],
        });
      }
    }
  }
  gatewayInstance = await DuckDBInstance.create(':memory:');
  const federation = {
    view: { table: (schema: string | undefined, name: string) => (schema === undefined || schema === 'public' ? tables.get(name) : undefined) },
    parties: { execute: (party: string, fragment: Fragment, signal: AbortSignal) => clients.get(party)!.execute(fragment, signal) },
  };
  const runner = new FederatedRunner(gatewayInstance, async () => federation);
  const auth = { method: 'trust' as const, lookupVerifier: async () => null };
  federated = createPgServer({ engine: await createLocalEngine({ instance: gatewayInstance, database: 'c2d', productVersion: 'test', runner }), auth, logger: silent });
  unionInstance = await openDemoDatabase(dir);
  reference = createPgServer({ engine: await createLocalEngine({ instance: unionInstance, database: 'c2d', productVersion: 'test' }), auth, logger: silent });
  const [a, b] = await Promise.all([federated.listen(0, '127.0.0.1'), reference.listen(0, '127.0.0.1')]);
  fed = new pg.Client({ host: '127.0.0.1', port: a.port, user: 'analyst', database: 'c2d' });
  ref = new pg.Client({ host: '127.0.0.1', port: b.port, user: 'analyst', database: 'c2d' });
  await Promise.all([fed.connect(), ref.connect()]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([fed?.end(), ref?.end()]);
  await Promise.allSettled([federated?.close({ gracefulMs: 1000 }), reference?.close({ gracefulMs: 1000 })]);
  for (const c of clients.values()) c.close();
  await Promise.all(nodes.map((n) => n.close()));
  for (const c of connectors) await c.close();
  gatewayInstance?.closeSync();
  unionInstance?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('cross-party queries over public columns', () => {
  it.each([
    ['count per party (GROUP BY over the union)', 'SELECT party, count(*) AS n FROM patients GROUP BY party ORDER BY party'],
    ['UNION ALL over the federated table, filtered', "SELECT party, case_id, severity FROM trauma_cases WHERE severity >= 30 AND arrived_at >= '2025-04-15 00:00:00+00' ORDER BY party, case_id"],
    ['a join of two tables within each party, across all parties', "SELECT d.party, count(*) AS n FROM diagnoses d JOIN medications m ON m.patient_id = d.patient_id AND m.party = d.party WHERE d.icd10 = 'I21.9' AND m.drug = 'aspirin' AND m.prescribed_on >= d.diagnosed_on GROUP BY d.party ORDER BY 1"],
    ['top diagnoses across the federation', 'SELECT icd10, count(*) AS n, count(DISTINCT party) AS parties FROM diagnoses GROUP BY icd10 ORDER BY n DESC, icd10 LIMIT 5'],
    ['a filter on the partition key', "SELECT count(*) AS n, min(birth_date) AS oldest FROM patients WHERE party IN ('mgh', 'bwh') AND sex = 'F'"],
    ['a subquery over another federated table', "SELECT party, count(*) AS n FROM trauma_cases t WHERE patient_id IN (SELECT patient_id FROM diagnoses WHERE icd10 LIKE 'S%') GROUP BY party ORDER BY party"],
    ['a join across parties (no key equality): rows meet at the gateway', 'SELECT d.icd10, count(*) AS n FROM diagnoses d JOIN patients p ON p.patient_id = d.patient_id WHERE d.icd10 IN (\'G35\', \'E75.22\') GROUP BY d.icd10 ORDER BY 1'],
    ['a three-table join on the key, with a filter the gateway applies', "SELECT p.party, p.sex, count(*) AS n FROM patients p, diagnoses d, trauma_cases t WHERE d.party = p.party AND t.party = d.party AND d.patient_id = p.patient_id AND t.patient_id = p.patient_id AND t.severity + d.patient_id % 3 > 20 GROUP BY 1, 2 ORDER BY 1, 2"],
    ['parameters stay at the gateway', { text: 'SELECT count(*) AS n FROM medications WHERE drug = $1 AND dose_mg > $2', values: ['aspirin', 50] }],
    ['partial aggregates combined at the gateway', "SELECT mechanism, count(*), count(severity) AS c, sum(severity), avg(severity), min(arrived_at), max(severity) FROM trauma_cases WHERE severity > 2 GROUP BY mechanism HAVING count(*) > 3 ORDER BY count(*) DESC, mechanism"],
    ['partial sums of a numeric column', 'SELECT drug, sum(dose_mg) AS total, avg(dose_mg) AS mean, min(prescribed_on) AS first FROM medications GROUP BY 1 ORDER BY 1'],
    ['an aggregate over no rows', 'SELECT count(*) AS n, sum(severity) AS s, avg(severity) AS a, max(case_id) AS m FROM trauma_cases WHERE severity > 100000'],
    ['grouping by the partition key and a column', 'SELECT party, sex, count(*) AS n FROM patients GROUP BY party, sex ORDER BY party, sex'],
    ['pruning to one party by a parameter', { text: 'SELECT party, count(*) AS n, max(diagnosed_on) AS last FROM diagnoses WHERE party = $1 GROUP BY party', values: ['mgh'] }],
    ['pruning every partition', "SELECT count(*) AS n FROM patients WHERE party = 'nowhere'"],
    ['pruning with NOT IN', "SELECT party, count(*) AS n FROM medications WHERE party NOT IN ('bmc') AND drug = 'aspirin' GROUP BY party ORDER BY party"],
    ['first rows in an order, from each party', 'SELECT party, case_id, severity, arrived_at FROM trauma_cases WHERE severity BETWEEN 5 AND 40 ORDER BY severity DESC, arrived_at, case_id LIMIT 7 OFFSET 2'],
    ['first rows without an order', "SELECT count(*) AS n FROM (SELECT case_id FROM trauma_cases WHERE mechanism = 'fall' LIMIT 5) AS t"],
    ['one party, whole query: grouping, order, limit and offset', "SELECT severity, count(*) AS n, max(arrived_at) AS last FROM trauma_cases WHERE party = 'bwh' AND severity > 3 GROUP BY severity ORDER BY severity DESC LIMIT 6 OFFSET 3"],
    ['one party, whole query: distinct count and sums', "SELECT count(DISTINCT patient_id) AS patients, sum(severity) AS total, count(*), min(severity) FROM trauma_cases WHERE party = 'bmc'"],
    ['one party, whole query: rows in order past an offset', "SELECT case_id, severity FROM trauma_cases WHERE party = 'mgh' AND severity >= 10 ORDER BY case_id LIMIT 10 OFFSET 4"],
    ['one party, whole query: HAVING', "SELECT severity, count(*) AS n FROM trauma_cases WHERE party = 'mgh' GROUP BY severity HAVING count(*) >= 2 AND max(arrived_at) > '2025-04-15 06:00:00+00' ORDER BY severity"],
    ['one party, whole query: the key by a parameter', { text: "SELECT sum(dose_mg) AS total, count(*) AS n FROM medications WHERE party = $1 AND drug = 'aspirin'", values: ['bwh'] }],
  ] as const)('%s equals one database holding all the data', async (_name, query) => {
    const ask = (c: pg.Client): Promise<pg.QueryResult> => (typeof query === 'string' ? c.query(query) : c.query(query.text, [...query.values]));
    const [a, b] = await Promise.all([ask(fed), ask(ref)]);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.length).toBeGreaterThan(0);
    // sum(integer) is bigint, as in PostgreSQL, where the parties pre-aggregate; the reference
    // (one DuckDB) types it numeric.
    const pgSum = (f: { name: string; dataTypeID: number }, i: number): [string, number] => [f.name, a.fields[i]!.dataTypeID === 20 && f.dataTypeID === 1700 ? 20 : f.dataTypeID];
    expect(a.fields.map((f) => [f.name, f.dataTypeID])).toEqual(b.fields.map(pgSum));
  });

  it('refuses, at the parties, a query that reads a protected column in plaintext', async () => {
    await expect(fed.query('SELECT count(DISTINCT national_id) FROM patients')).rejects.toMatchObject({ code: '42501' });
  });

  it('EXPLAIN shows partial aggregation at the parties and pruned partitions', async () => {
    const plan = (await fed.query("EXPLAIN SELECT icd10, count(*) FROM diagnoses WHERE party <> 'bwh' AND diagnosed_on >= '2025-01-01' GROUP BY icd10")).rows.map(
      (r) => r['QUERY PLAN'] as string,
    );
    const fragments = plan.filter((l) => l.startsWith('Fragment at party'));
    expect(fragments.map((l) => /party (\w+)/.exec(l)![1])).toEqual(['bmc', 'mgh']);
    for (const f of fragments) expect(f).toMatch(/SELECT "icd10" AS "icd10", count\(\*\) AS "\w+" FROM .* WHERE \("diagnosed_on" >= .*\) GROUP BY "icd10"/);
    expect(plan.join('\n')).toContain('at party bwh: pruned');
  });

  it('pushes a join on the partition key down to each party', async () => {
    const plan = (
      await fed.query(
        "EXPLAIN SELECT d.party, count(*) FROM diagnoses d JOIN medications m ON m.patient_id = d.patient_id AND m.party = d.party WHERE d.icd10 = 'I21.9' GROUP BY d.party",
      )
    ).rows.map((r) => r['QUERY PLAN'] as string);
    const fragments = plan.filter((l) => l.startsWith('Join fragment at party'));
    expect(fragments).toHaveLength(3);
    // The grouping by the key and the count go down with the join.
    for (const f of fragments) expect(f).toMatch(/^Join fragment at party \w+: SELECT count\(\*\) AS "c2d_partial_0" FROM/);
    for (const f of fragments) expect(f).toMatch(/FROM "diagnoses" AS "d" JOIN "medications" AS "m" ON \("m"\."patient_id" = "d"\."patient_id"\) WHERE \("d"\."icd10" = 'I21\.9'\)/);
    // Not co-located (no key equality): each table's rows come to the gateway.
    const apart = (await fed.query('EXPLAIN SELECT count(*) FROM diagnoses d JOIN medications m ON m.patient_id = d.patient_id')).rows.map((r) => r['QUERY PLAN'] as string);
    expect(apart.filter((l) => l.startsWith('Join fragment'))).toHaveLength(0);
    expect(apart.filter((l) => l.startsWith('Fragment at party'))).toHaveLength(6);
  });

  it('runs a query that a WHERE on the key leaves at one party there whole, and passes its rows on', async () => {
    const plan = (await fed.query("EXPLAIN SELECT severity, count(*) FROM trauma_cases WHERE party = 'bwh' AND severity > 3 GROUP BY severity ORDER BY 1 DESC LIMIT 3 OFFSET 1")).rows.map(
      (r) => r['QUERY PLAN'] as string,
    );
    expect(plan).toHaveLength(2);
    const having = (await fed.query("EXPLAIN SELECT severity FROM trauma_cases WHERE party = 'bwh' GROUP BY severity HAVING count(*) > 2")).rows.map((r) => r['QUERY PLAN'] as string);
    expect(having[0]).toMatch(/GROUP BY "severity" HAVING \(count\(\*\) > 2\)$/);
    expect(plan[0]).toMatch(/^Query at party bwh, whole: SELECT "severity" AS "c0", count\(\*\) AS "c1" FROM "trauma_cases" WHERE \("severity" > 3\) GROUP BY "severity" ORDER BY 1 DESC NULLS FIRST LIMIT 4$/);
    expect(plan[1]).toBe('Gateway: skips the first 1 rows, then passes the party\'s rows on');
    // Tables joined at one party: the join, grouping, order and limit all run there.
    const joined = (await fed.query("EXPLAIN SELECT t.severity, count(*) AS n FROM trauma_cases t JOIN diagnoses d ON d.patient_id = t.patient_id AND d.party = t.party WHERE t.party = 'mgh' AND d.party = 'mgh' GROUP BY t.severity ORDER BY n DESC, 1 LIMIT 3")).rows.map(
      (r) => r['QUERY PLAN'] as string,
    );
    expect(joined.at(-1)).toBe("Gateway: passes the party's rows on");
    // Over more than one partition, the gateway combines the parties' rows as before.
    const spread = (await fed.query("EXPLAIN SELECT severity, count(*) FROM trauma_cases WHERE party <> 'bwh' GROUP BY severity")).rows.map((r) => r['QUERY PLAN'] as string);
    expect(spread.filter((l) => l.startsWith('Fragment at party'))).toHaveLength(2);
    expect(spread.at(-1)).toMatch(/^Gateway \(DuckDB\)/);
  });

  it('a sum of integers is bigint whole at one party or combined from partial sums, and the two agree', async () => {
    for (const sql of ["SELECT sum(severity) AS s FROM trauma_cases WHERE party = 'bwh'", 'SELECT sum(severity) AS s FROM trauma_cases']) {
      const r = await fed.query(sql);
      expect(r.fields[0]!.dataTypeID).toBe(20);
      expect(BigInt(r.rows[0].s)).toBeGreaterThan(0n);
    }
    const [whole1, all] = await Promise.all([
      fed.query("SELECT sum(severity) AS s FROM trauma_cases WHERE party = 'bwh'"),
      fed.query("SELECT party, sum(severity) AS s FROM trauma_cases GROUP BY party ORDER BY party"),
    ]);
    expect(whole1.rows[0].s).toBe(all.rows.find((row) => row.party === 'bwh').s);
  });

  it('EXPLAIN shows the fragment each party runs', async () => {
    const plan = (await fed.query("EXPLAIN SELECT count(*) FROM trauma_cases WHERE severity > 40")).rows.map((r) => r['QUERY PLAN'] as string);
    expect(plan.filter((l) => l.startsWith('Fragment at party'))).toHaveLength(3);
    expect(plan.join('\n')).toContain('"severity"');
  });
});
