/**
 * A PostgreSQL party and a DuckDB party registered with DDL alone (CREATE SERVER, CREATE
 * SCHEMA, IMPORT FOREIGN SCHEMA) in a gateway with a SQLite catalog: single-party queries
 * through the gateway return what each engine returns directly; pushdown is checked at the engine (the
 * party database's statement log) and on the wire (bytes from the party); DDL errors carry
 * PostgreSQL's SQLSTATEs and leave nothing behind; the catalog survives a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
import { PostgresConnector } from '../../connectors/postgres/postgres-connector.js';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';
import { createFederatedEngine, type FederatedEngine } from '../../src/engine/federated-engine.js';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../src/party/certs.js';
import { createPartyNode, type PartyNode } from '../../src/party/party-node.js';
import { createTestDatabase, LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';

const silent = pino({ level: 'silent' });
let database: TestDatabase;
let direct: pg.Client;
let connector: PostgresConnector;
let node: PartyNode;
let duckConnector: DuckDbConnector;
let duckNode: PartyNode;
let duckDirect: DuckDBInstance;
let partyPort: number;
let dir: string;
let gatewayTls: IssuedCertificate;
let running: { catalog: CatalogStore; federated: FederatedEngine; gateway: RunningGateway; client: pg.Client };

async function startGatewayOver(catalogFile: string): Promise<typeof running> {
  const catalog = await CatalogStore.open(catalogFile);
  const federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'test', federationTls: gatewayTls, idleTimeoutMs: 2000 });
  const gateway = await startGateway({
    engine: federated.engine,
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    requireTls: false,
    allowPlainOnLoopback: true,
    auth: 'trust',
    logger: silent,
  });
  const client = new pg.Client({ host: '127.0.0.1', port: gateway.address.port, user: 'dba', database: 'c2d' });
  await client.connect();
  return { catalog, federated, gateway, client };
}

async function stopGateway(): Promise<void> {
  await running.client.end();
  await running.gateway.close();
  await running.federated.close();
  await running.catalog.close();
}

beforeAll(async () => {
  database = await createTestDatabase('pgparty', [
    `CREATE TABLE visits (id int PRIMARY KEY, patient text NOT NULL, dx text, seen date NOT NULL, cost numeric(10,2), severity int, note text)`,
    `INSERT INTO visits SELECT i, 'P' || (i % 5000), (ARRAY['I10','E11.9','J45.909','A04.7',NULL])[1 + i % 5], DATE '2024-01-01' + (i % 700),
       round((i % 997) * 1.37, 2), i % 7,
       CASE WHEN i % 11 = 0 THEN 'O''Brien said "hi"' WHEN i % 13 = 0 THEN NULL ELSE 'note ' || i END
     FROM generate_series(1, 50000) i`,
    `CREATE TABLE patients (patient text PRIMARY KEY, sex text, born date, ssn text NOT NULL)`,
    `INSERT INTO patients SELECT 'P' || i, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1940-01-01' + i * 5, 'SSN' || i FROM generate_series(0, 4999) i`,
    // Views that stall: before any row, and in the middle of a long result.
    `CREATE FUNCTION stall(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF x = 12000 THEN PERFORM pg_sleep(60); END IF; RETURN x; END $$`,
    'CREATE VIEW stalls_at_once AS SELECT x FROM generate_series(1, 3) x, (SELECT pg_sleep(60)) s',
    'CREATE VIEW stalls_midway AS SELECT stall(x) AS x FROM generate_series(1, 20000) x',
    'ANALYZE',
  ]);
  direct = new pg.Client({ ...LOCAL_POSTGRES, database: database.name });
  await direct.connect();
  // Every statement the party runs in this database goes to PostgreSQL's log.
  await direct.query(`ALTER DATABASE ${database.name} SET log_statement = 'all'`);
  dir = await mkdtemp(join(tmpdir(), 'c2d-pgparty-'));
  const ca = await createCertificateAuthority('test');
  gatewayTls = await issueCertificate(ca, 'gateway', []);
  connector = new PostgresConnector({ ...LOCAL_POSTGRES, database: database.name });
  const publicColumns = (names: string[]): Record<string, 'public'> => Object.fromEntries(names.map((n) => [n, 'public' as const]));
  node = createPartyNode({
    name: 'pgp',
    connector,
    tables: [
      { name: 'visits', remote: { schema: 'public', name: 'visits' }, policies: publicColumns(['id', 'patient', 'dx', 'seen', 'cost', 'severity', 'note']) },
      { name: 'patients', remote: { schema: 'public', name: 'patients' }, policies: { ...publicColumns(['patient', 'sex', 'born']), ssn: 'protected' } },
      { name: 'stalls_at_once', remote: { schema: 'public', name: 'stalls_at_once' }, policies: publicColumns(['x']) },
      { name: 'stalls_midway', remote: { schema: 'public', name: 'stalls_midway' }, policies: publicColumns(['x']) },
    ],
    tls: await issueCertificate(ca, 'pgp', ['127.0.0.1']),
    logger: silent,
  });
  partyPort = await node.listen(0, '127.0.0.1');
  // The same rows in a DuckDB file, for a DuckDB party.
  const duckFile = join(dir, 'party.duckdb');
  const duckSetup = await DuckDBInstance.create(duckFile);
  const setup = await duckSetup.connect();
  await setup.run(`CREATE TABLE visits AS SELECT i::INTEGER AS id, 'P' || (i % 5000) AS patient, (['I10','E11.9','J45.909','A04.7',NULL])[1 + i % 5] AS dx,
    DATE '2024-01-01' + (i % 700)::INTEGER AS seen, round((i % 997) * 1.37, 2)::DECIMAL(10,2) AS cost, (i % 7)::INTEGER AS severity,
    CASE WHEN i % 11 = 0 THEN 'O''Brien said "hi"' WHEN i % 13 = 0 THEN NULL ELSE 'note ' || i END AS note FROM range(1, 50001) t(i)`);
  await setup.run(`CREATE TABLE patients AS SELECT 'P' || i AS patient, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex, DATE '1940-01-01' + (i * 5)::INTEGER AS born,
    'SSN' || i AS ssn FROM range(0, 5000) t(i)`);
  setup.closeSync();
  duckSetup.closeSync();
  duckConnector = await DuckDbConnector.open({ path: duckFile, readOnly: true });
  duckNode = createPartyNode({
    name: 'duckp',
    connector: duckConnector,
    tables: [
      { name: 'visits', remote: { schema: 'main', name: 'visits' }, policies: publicColumns(['id', 'patient', 'dx', 'seen', 'cost', 'severity', 'note']) },
      { name: 'patients', remote: { schema: 'main', name: 'patients' }, policies: { ...publicColumns(['patient', 'sex', 'born']), ssn: 'protected' } },
    ],
    tls: await issueCertificate(ca, 'duckp', ['127.0.0.1']),
    logger: silent,
  });
  const duckPort = await duckNode.listen(0, '127.0.0.1');
  duckDirect = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
  running = await startGatewayOver(join(dir, 'catalog.sqlite'));
  for (const ddl of [
    `CREATE SERVER pgp FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${partyPort}')`,
    'CREATE SCHEMA pgp',
    'IMPORT FOREIGN SCHEMA public FROM SERVER pgp INTO pgp',
    `CREATE SERVER duckp FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${duckPort}')`,
    'CREATE SCHEMA duckp',
    'IMPORT FOREIGN SCHEMA main FROM SERVER duckp INTO duckp',
  ]) {
    await running.client.query(ddl);
  }
}, 120_000);

afterAll(async () => {
  await stopGateway().catch(() => {});
  await node?.close();
  await connector?.close();
  await duckNode?.close();
  await duckConnector?.close();
  duckDirect?.closeSync();
  await direct?.end();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Values compared as PostgreSQL's text would be read: numbers by value (int8 vs numeric, avg's float vs numeric). */
function normalize(rows: unknown[][]): unknown[][] {
  const value = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString();
    const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null;
    return n === null ? v : Number(n.toPrecision(12));
  };
  return rows.map((r) => r.map(value));
}

const queries: ReadonlyArray<readonly [string, string]> = [
  ['count', 'SELECT count(*) FROM visits'],
  ['filter and order', 'SELECT id, dx, seen FROM visits WHERE id < 20 ORDER BY id'],
  ['group by with NULLs', 'SELECT dx, count(*) FROM visits GROUP BY dx ORDER BY dx'],
  ['having', 'SELECT dx, count(*) AS n FROM visits GROUP BY dx HAVING count(*) > 9000 ORDER BY dx'],
  ['string with a quote, LIKE', `SELECT id, note FROM visits WHERE note LIKE 'O''Brien%' ORDER BY id LIMIT 5`],
  ['IS NULL', 'SELECT count(*) FROM visits WHERE note IS NULL'],
  ['date range', `SELECT seen, count(*) FROM visits WHERE seen BETWEEN '2024-03-01' AND '2024-03-05' GROUP BY seen ORDER BY seen`],
  ['extract', 'SELECT extract(year FROM seen) AS y, count(*) FROM visits GROUP BY 1 ORDER BY 1'],
  ['date_trunc', `SELECT date_trunc('month', seen)::date AS m, count(*) FROM visits WHERE seen < '2024-04-01' GROUP BY 1 ORDER BY 1`],
  ['join', 'SELECT v.id, p.sex, p.born FROM visits v JOIN patients p ON p.patient = v.patient WHERE v.id <= 10 ORDER BY v.id'],
  ['join using, its column unqualified', 'SELECT patient, v.id, p.sex FROM visits v JOIN patients p USING (patient) WHERE v.id <= 10 ORDER BY v.id'],
  ['join using and aggregate', 'SELECT p.sex, count(*) FROM visits v JOIN patients p USING (patient) GROUP BY p.sex ORDER BY 1'],
  ['natural join', 'SELECT count(*) FROM visits NATURAL JOIN patients'],
  ['one table’s columns by t.*, beside a table with a protected column', 'SELECT v.*, p.sex FROM visits v JOIN patients p ON p.patient = v.patient WHERE v.id <= 5 ORDER BY v.id'],
  ['join and aggregate', 'SELECT p.sex, count(*), sum(v.cost) FROM visits v JOIN patients p ON p.patient = v.patient GROUP BY p.sex ORDER BY 1'],
  ['min, max, sum of numeric', 'SELECT max(cost), min(cost), sum(cost) FROM visits WHERE severity = 3'],
  ['avg rounded', 'SELECT severity, round(avg(cost), 2) AS mean FROM visits GROUP BY severity ORDER BY severity'],
  ['order by … limit', 'SELECT id, cost FROM visits ORDER BY cost DESC, id LIMIT 10'],
  ['count distinct', 'SELECT count(DISTINCT patient) FROM visits'],
  ['scalar functions', 'SELECT upper(dx), length(note) FROM visits WHERE id IN (1, 2, 3, 4, 5) ORDER BY 1 NULLS FIRST, 2'],
  ['group by an expression', `SELECT coalesce(dx, 'none') AS d, count(*) FROM visits GROUP BY 1 ORDER BY 1`],
  ['date arithmetic', 'SELECT id, seen + 30 AS due FROM visits WHERE id < 5 ORDER BY id'],
  ['filter on two columns', `SELECT patient, born FROM patients WHERE born > '1990-01-01' AND sex = 'F' ORDER BY born LIMIT 3`],
  ['FILTER clause', `SELECT severity, count(*) FILTER (WHERE dx = 'I10') AS i10 FROM visits GROUP BY severity ORDER BY severity`],
  ['IN list or NULL', `SELECT dx, count(*) FROM visits WHERE dx IN ('I10', 'A04.7') OR dx IS NULL GROUP BY dx ORDER BY dx`],
  ['equality with quotes', `SELECT id, note FROM visits WHERE note = 'O''Brien said "hi"' ORDER BY id LIMIT 3`],
];

describe('a PostgreSQL party and a DuckDB party registered by DDL', () => {
  it.each(queries)('%s: the gateway returns what PostgreSQL returns', async (_name, sql) => {
    const viaGateway = sql.replace(/\b(FROM|JOIN) (visits|patients)\b/g, '$1 pgp.$2');
    const [a, b] = await Promise.all([
      running.client.query({ text: viaGateway, rowMode: 'array' }),
      direct.query({ text: sql, rowMode: 'array' }),
    ]);
    expect(normalize(a.rows)).toEqual(normalize(b.rows));
    expect(a.rows.length).toBeGreaterThan(0);
  });

  it.each(queries)('%s: through the gateway, a DuckDB party returns what DuckDB returns', async (_name, sql) => {
    const viaGateway = sql.replace(/\b(FROM|JOIN) (visits|patients)\b/g, '$1 duckp.$2');
    const connection = await duckDirect.connect();
    try {
      const [a, b] = await Promise.all([running.client.query({ text: viaGateway, rowMode: 'array' }), connection.runAndReadAll(sql)]);
      expect(normalize(a.rows)).toEqual(normalize(b.getRowsJS() as unknown[][]));
      expect(a.rows.length).toBeGreaterThan(0);
    } finally {
      connection.closeSync();
    }
  });

  it('raises division by zero (22012) where PostgreSQL does, on either party and on the gateway alone', async () => {
    const sql = 'SELECT id, cost / (severity - severity) FROM visits WHERE id < 3';
    await expect(direct.query(sql)).rejects.toMatchObject({ code: '22012' });
    for (const party of ['pgp', 'duckp']) {
      await expect(running.client.query(sql.replace('FROM visits', `FROM ${party}.visits`))).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
      await expect(running.client.query(`SELECT count(*) % 0 FROM ${party}.visits`)).rejects.toMatchObject({ code: '22012' });
      // In a filter the party runs: its engine must raise it too.
      await expect(running.client.query(`SELECT count(*) FROM ${party}.visits WHERE id % (severity - severity) = 0`)).rejects.toMatchObject({ code: '22012' });
    }
    await expect(running.client.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    await expect(running.client.query('SELECT 1.5::float8 / 0')).rejects.toMatchObject({ code: '22012' });
    expect((await running.client.query('SELECT 7 / 2 AS q, 7 % 2 AS r, 7 / NULLIF(0, 0) AS n')).rows).toEqual([{ q: 3, r: 1, n: null }]);
  });

  it('pushes the filter and the aggregate down: seen in the engine’s statement log and in the bytes that cross', async () => {
    const version = (await direct.query('SHOW server_version_num')).rows[0].server_version_num as string;
    const log = `/var/log/postgresql/postgresql-${Math.floor(Number(version) / 10000)}-main.log`;
    const start = (await stat(log)).size;
    const bytesBefore = running.federated.parties.bytesReceived('pgp');
    const r = await running.client.query(`SELECT dx, count(*) AS n FROM pgp.visits WHERE seen >= '2025-06-01' AND severity = 2 GROUP BY dx ORDER BY dx`);
    const aggregateBytes = running.federated.parties.bytesReceived('pgp') - bytesBefore;
    expect(r.rows.length).toBe(5);
    // PostgreSQL writes its log asynchronously to the file; give it a moment.
    let text = '';
    for (let i = 0; i < 50 && !text.includes('GROUP BY "dx"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const handle = await open(log, 'r');
      const size = (await handle.stat()).size;
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      await handle.close();
      text = buffer.toString('utf8');
    }
    const statement = text.split('\n').find((l) => l.includes('GROUP BY "dx"') && l.includes('visits'));
    expect(statement, `no aggregate fragment in ${log}`).toBeDefined();
    expect(statement).toMatch(/count\(\*\)/);
    expect(statement).toMatch(/"seen" >= CAST\('2025-06-01' AS DATE\)/);
    expect(statement).toMatch(/"severity" = 2/);
    // The party sent five groups, not 50,000 rows: compare with fetching the rows themselves.
    const rowsBefore = running.federated.parties.bytesReceived('pgp');
    await running.client.query(`SELECT dx, seen, severity FROM pgp.visits WHERE seen >= '2025-06-01'`);
    const rowBytes = running.federated.parties.bytesReceived('pgp') - rowsBefore;
    expect(aggregateBytes).toBeLessThan(1000);
    expect(rowBytes).toBeGreaterThan(aggregateBytes * 50);
  });

  it('a sum of integers is bigint from every engine: a DuckDB party casts its HUGEINT sum', async () => {
    const explain = async (sql: string): Promise<string> => (await running.client.query(`EXPLAIN ${sql}`)).rows[0]!['QUERY PLAN'] as string;
    expect(await explain('SELECT sum(severity) FROM duckp.visits')).toBe('Query at party duckp (duckdb), whole: SELECT CAST(sum("severity") AS BIGINT) AS "c0" FROM "visits"');
    expect(await explain('SELECT sum(severity) FROM pgp.visits')).toBe('Query at party pgp (postgres), whole: SELECT sum("severity") AS "c0" FROM "visits"');
    // Not on a sum whose PostgreSQL type is numeric.
    expect(await explain('SELECT sum(cost) FROM duckp.visits')).toBe('Query at party duckp (duckdb), whole: SELECT sum("cost") AS "c0" FROM "visits"');
    for (const party of ['duckp', 'pgp']) {
      const r = await running.client.query(`SELECT sum(severity) AS s, sum(id) AS t FROM ${party}.visits`);
      expect(r.fields.map((f) => f.dataTypeID)).toEqual([20, 20]);
      expect(r.rows[0]).toEqual((await running.client.query('SELECT sum(severity) AS s, sum(id) AS t FROM pgp.visits')).rows[0]);
    }
  });

  it('runs a join of two tables of the party on the party, whole', async () => {
    const plan = (await running.client.query('EXPLAIN SELECT v.id, p.sex FROM pgp.visits v JOIN pgp.patients p ON p.patient = v.patient WHERE v.id <= 10')).rows.map(
      (r) => r['QUERY PLAN'] as string,
    );
    expect(plan.filter((l) => l.startsWith('Fragment') || l.startsWith('Join fragment'))).toEqual([]);
    expect(plan).toEqual([expect.stringMatching(/^Query at party pgp \(postgres\), whole: SELECT "v"\."id" AS "c0", "p"\."sex" AS "c1" FROM/), "Gateway: passes the party's rows on"]);
    expect(plan[0]).toContain('FROM "visits" AS "v" JOIN "patients" AS "p" ON ("p"."patient" = "v"."patient") WHERE ("v"."id" <= 10)');
    // With an order the engines agree on and an aggregate, still whole.
    const grouped = (await running.client.query('EXPLAIN SELECT p.sex, count(*) AS n FROM pgp.visits v JOIN pgp.patients p ON p.patient = v.patient GROUP BY p.sex ORDER BY n DESC LIMIT 1')).rows;
    expect(grouped.at(-1)!['QUERY PLAN']).toBe("Gateway: passes the party's rows on");
  });

  it('stops a query whose party stalls, before its first row or midway, with 08006 and no partial result', async () => {
    for (const sql of ['SELECT count(*) FROM pgp.stalls_at_once', 'SELECT x FROM pgp.stalls_midway']) {
      const started = performance.now();
      await expect(running.client.query(sql)).rejects.toMatchObject({ code: '08006', message: expect.stringContaining('party "pgp" sent nothing for 2 s') });
      expect(performance.now() - started).toBeLessThan(6000);
    }
    // The party cancelled its statements, and the session goes on.
    expect((await running.client.query('SELECT count(*)::int AS n FROM pgp.patients')).rows).toEqual([{ n: 5000 }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sleeping = await direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`);
    expect(sleeping.rows).toEqual([{ n: 0 }]);
  }, 20_000);

  it('refuses a protected column at the party', async () => {
    await expect(running.client.query('SELECT ssn FROM pgp.patients LIMIT 1')).rejects.toMatchObject({ code: '42501' });
  });
});

describe('DDL errors', () => {
  const relationNames = async (): Promise<string[]> => (await running.catalog.snapshot()).relations.map((r) => r.name).sort();

  it('answers with PostgreSQL’s SQLSTATEs and leaves nothing half-created', async () => {
    const before = await relationNames();
    const q = (sql: string): Promise<unknown> => running.client.query(sql);
    await expect(q(`CREATE FOREIGN TABLE x (id int) SERVER nowhere OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: '42704' });
    await expect(q(`CREATE SERVER pgp FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '1')`)).rejects.toMatchObject({ code: '42710' });
    await expect(q(`CREATE FOREIGN TABLE x (id text) SERVER pgp OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: '42804' });
    await expect(q(`CREATE FOREIGN TABLE x (nope int) SERVER pgp OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: '42703' });
    await expect(q(`CREATE FOREIGN TABLE x (id int) SERVER pgp OPTIONS (table 'nothing')`)).rejects.toMatchObject({ code: 'HV00R' });
    // The partition key is the gateway's: every row of a partition has its partition's value.
    await q('CREATE TABLE by_site (site int NOT NULL, id int) PARTITION BY LIST (site)');
    await q(`CREATE FOREIGN TABLE by_site_1 PARTITION OF by_site FOR VALUES IN (1) SERVER pgp OPTIONS (table 'visits')`);
    await expect(q(`CREATE FOREIGN TABLE by_site_x PARTITION OF by_site FOR VALUES IN (1) SERVER pgp OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: '42P17' });
    await expect(q(`CREATE FOREIGN TABLE by_site_y PARTITION OF by_site FOR VALUES IN ('high') SERVER pgp OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: '22P02' });
    expect(await relationNames()).toEqual([...before, 'by_site', 'by_site_1'].sort());
    const r = await running.client.query('SELECT site, count(*) AS n FROM by_site GROUP BY site');
    expect(r.rows).toEqual([{ site: 1, n: '50000' }]);
    await q('DROP TABLE by_site');
    expect(await relationNames()).toEqual(before);
  });

  it('reports an unreachable party within 5 seconds', async () => {
    await running.client.query(`CREATE SERVER refused FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '1')`);
    await running.client.query(`CREATE SERVER silent FOREIGN DATA WRAPPER c2d OPTIONS (host '10.255.255.1', port '7001')`);
    for (const server of ['refused', 'silent']) {
      const started = performance.now();
      await expect(running.client.query(`CREATE FOREIGN TABLE t_${server} (id int) SERVER ${server} OPTIONS (table 'visits')`)).rejects.toMatchObject({ code: 'HV00N' });
      expect(performance.now() - started).toBeLessThan(6000);
    }
    expect((await running.catalog.snapshot()).relations.some((r) => r.name.startsWith('t_'))).toBe(false);
    await running.client.query('DROP SERVER refused, silent');
  }, 20_000);
});

describe('restart', () => {
  it('keeps the registered party and its tables', async () => {
    await stopGateway();
    running = await startGatewayOver(join(dir, 'catalog.sqlite'));
    const r = await running.client.query('SELECT count(*)::int AS n FROM pgp.visits WHERE severity = 0');
    expect(r.rows).toEqual([{ n: 7142 }]);
  });
});
