/**
 * A Spark party (the real Spark Connect server, started for this file from Maven jars)
 * registered with DDL alone (CREATE SERVER, IMPORT FOREIGN SCHEMA, CREATE FOREIGN TABLE):
 * single-party queries through the gateway return the rows Spark returns when the same
 * question is asked of it directly, in Spark's own SQL (its quoting: a backslash escapes
 * inside '…'; its default NULL order: first for ASC, so the direct text says where NULLs go
 * whenever PostgreSQL's order is meant). Pushdown is checked at the engine's door: the SQL
 * text the Spark connector receives carries the filter and the aggregate, and the rows it
 * streams back are the filtered, aggregated result, not the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
import type { Connector, ExecuteOptions, FragmentStream } from '../../connectors/connector.js';
import { SparkConnector } from '../../connectors/spark/spark-connector.js';
import { SparkDialect } from '../../dialect/index.js';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';
import { createFederatedEngine, type FederatedEngine } from '../../src/engine/federated-engine.js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';
import { createPartyNode, type PartyNode } from '../../src/party/party-node.js';
import { TypeOid } from '../../src/sql/types/index.js';
import { startSparkConnectServer, type SparkConnectServer } from '../support/spark-connect-server.js';

const silent = pino({ level: 'silent' });
const spark = new SparkDialect();
/** A Spark string literal for `value` (backslashes and quotes escaped Spark's way). */
const s = (value: string): string => spark.quoteString(value);

/**
 * The party's connector, recording what it is asked and what it sends back: the real
 * Spark connector does the work; this only watches the SQL text and counts the rows.
 */
class WatchedConnector implements Connector {
  readonly engine = 'spark' as const;
  readonly seen: Array<{ sql: string; rows: number }> = [];
  constructor(readonly inner: SparkConnector) {}
  get dialect(): SparkConnector['dialect'] {
    return this.inner.dialect;
  }
  listTables(schema?: string): ReturnType<Connector['listTables']> {
    return this.inner.listTables(schema);
  }
  describeTable(table: Parameters<Connector['describeTable']>[0]): ReturnType<Connector['describeTable']> {
    return this.inner.describeTable(table);
  }
  ping(timeoutMs: number): Promise<void> {
    return this.inner.ping(timeoutMs);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  async execute(sql: string, options: ExecuteOptions): Promise<FragmentStream> {
    const stream = await this.inner.execute(sql, options);
    const record = { sql, rows: 0 };
    this.seen.push(record);
    return {
      columns: stream.columns,
      close: () => stream.close(),
      async *batches() {
        for await (const batch of stream.batches()) {
          record.rows += batch.rowCount;
          yield batch;
        }
      },
    };
  }
}

let dir: string;
let server: SparkConnectServer;
let sparkConnector: SparkConnector;
let watched: WatchedConnector;
let node: PartyNode;
let catalog: CatalogStore;
let federated: FederatedEngine;
let gateway: RunningGateway;
let client: pg.Client;

/**
 * The rows of the PostgreSQL and DuckDB single-party tests (test/planner/single-party.test.ts),
 * in Spark SQL, with a backslash in some notes, some costs NULL and a TIMESTAMP column.
 */
const SETUP = [
  `CREATE TABLE visits USING parquet AS SELECT CAST(i AS INT) AS id, concat('P', CAST(i % 5000 AS STRING)) AS patient,
     element_at(array('I10', 'E11.9', 'J45.909', 'A04.7', NULL), CAST(1 + i % 5 AS INT)) AS dx,
     date_add(DATE '2024-01-01', CAST(i % 700 AS INT)) AS seen,
     CASE WHEN i % 23 = 0 THEN NULL ELSE CAST(round((i % 997) * 1.37, 2) AS DECIMAL(10,2)) END AS cost, CAST(i % 7 AS INT) AS severity,
     CASE WHEN i % 11 = 0 THEN ${s('O\'Brien said "hi"')} WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN ${s('back\\slash 100%')}
       ELSE concat('note ', CAST(i AS STRING)) END AS note,
     timestamp_seconds(1704067200 + i * 613) AS arrived,
     CAST(timestamp_seconds(1704067200 + i * 3607) AS TIMESTAMP_NTZ) AS booked, i % 3 = 0 AS urgent,
     CAST((i - 25000) * 1234567890.123457 AS DECIMAL(38,6)) AS balance
   FROM (SELECT id AS i FROM range(1, 50001))`,
  `CREATE TABLE patients USING parquet AS SELECT concat('P', CAST(i AS STRING)) AS patient, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex,
     date_add(DATE '1940-01-01', CAST(i * 5 AS INT)) AS born, concat('SSN', CAST(i AS STRING)) AS ssn
   FROM (SELECT id AS i FROM range(0, 5000))`,
];

/** Text that breaks naive quoting, in Spark's lexer (backslash escapes, ${…} substitution) or anyone's. */
const HOSTILE = [
  "O'Brien", 'back\\slash', "\\'", "\\\\'", "'; DROP TABLE visits; --", '${system:user.home}', '${env:HOME}', '\\u0041', 'line\nbreak',
  'tab\there', '`tick`', '"dq"', '100% _sure_', 'é😀', 'trailing\\', '-- not a comment', '/* nor this */', '\\%\\_',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-sparkparty-'));
  // A site's defaults that would change answers unless the connector pins its session's.
  server = await startSparkConnectServer({
    'spark.sql.session.timeZone': 'America/New_York',
    'spark.sql.ansi.enabled': 'false',
    'spark.sql.parser.escapedStringLiterals': 'true',
    'spark.sql.parser.quotedRegexColumnNames': 'true',
    'spark.sql.orderByOrdinal': 'false',
  });
  sparkConnector = new SparkConnector({ url: server.url });
  for (const sql of SETUP) await sparkConnector.rows(sql);
  await sparkConnector.rows('CREATE TABLE notes (id INT, note STRING) USING parquet');
  await sparkConnector.rows(`INSERT INTO notes VALUES ${HOSTILE.map((h, i) => `(${i}, ${s(h)})`).join(', ')}`);
  watched = new WatchedConnector(sparkConnector);
  const ca = await createCertificateAuthority('test');
  const visitsColumns = ['id', 'patient', 'dx', 'seen', 'cost', 'severity', 'note', 'arrived', 'booked', 'urgent', 'balance'];
  node = createPartyNode({
    name: 'sparkp',
    connector: watched,
    tables: [
      { name: 'visits', remote: { schema: 'default', name: 'visits' }, policies: Object.fromEntries(visitsColumns.map((c) => [c, 'public' as const])) },
      { name: 'patients', remote: { schema: 'default', name: 'patients' }, policies: { patient: 'public', sex: 'public', born: 'public', ssn: 'protected' } },
      { name: 'notes', remote: { schema: 'default', name: 'notes' }, policies: { id: 'public', note: 'public' } },
    ],
    tls: await issueCertificate(ca, 'sparkp', ['127.0.0.1']),
    logger: silent,
  });
  const port = await node.listen(0, '127.0.0.1');
  catalog = await CatalogStore.open(join(dir, 'catalog.sqlite'));
  federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'test', federationTls: await issueCertificate(ca, 'gateway', []) });
  gateway = await startGateway({ engine: federated.engine, dataDir: dir, host: '127.0.0.1', port: 0, requireTls: false, allowPlainOnLoopback: true, auth: 'trust', logger: silent });
  client = new pg.Client({ host: '127.0.0.1', port: gateway.address.port, user: 'dba', database: 'c2d' });
  await client.connect();
  // The DDL alone registers the party and its tables: one imported, one declared.
  await client.query(`CREATE SERVER sparkp FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${port}')`);
  await client.query('CREATE SCHEMA sparkp');
  await client.query('IMPORT FOREIGN SCHEMA "default" LIMIT TO (visits, notes) FROM SERVER sparkp INTO sparkp');
  await client.query(`CREATE FOREIGN TABLE sparkp.patients (patient text, sex text, born date) SERVER sparkp OPTIONS (table 'patients')`);
}, 900_000);

afterAll(async () => {
  await client?.end();
  await gateway?.close();
  await federated?.close();
  await catalog?.close();
  await node?.close();
  await sparkConnector?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The gateway's values as its text (dates and timestamps unparsed), read by type below. */
const asText = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * One value in a form both sides share, by its PostgreSQL type: integers and decimals
 * exactly (a count is int8 text at the gateway and a bigint from Spark; a decimal's scale
 * may differ), floats to 12 digits, dates as ISO dates, timestamps as microseconds since
 * 1970 (UTC, the gateway's and the Spark session's zone). Text stays exact.
 */
function normalize(value: unknown, typeOid: number): unknown {
  if (value === null || value === undefined) return null;
  switch (typeOid) {
    case TypeOid.int2:
    case TypeOid.int4:
    case TypeOid.int8:
      return BigInt(value as string | number | bigint).toString();
    case TypeOid.numeric:
      // Exact: a decimal's text, without trailing zeros of the fraction (sum's scale may differ).
      if (typeof value === 'string') return exactDecimal(value);
      return exactDecimal(Number(value).toPrecision(12));
    case TypeOid.float4:
    case TypeOid.float8:
      return exactDecimal(Number(value).toPrecision(12));
    case TypeOid.bool:
      return value === true || value === 't';
    case TypeOid.date:
      // Spark: days since 1970-01-01; the gateway: PostgreSQL's ISO text.
      return typeof value === 'number' ? new Date(value * 86_400_000).toISOString().slice(0, 10) : String(value);
    case TypeOid.timestamp:
    case TypeOid.timestamptz:
      // Exact microseconds since 1970. Spark sends them; the gateway's text is '2024-01-01 00:10:13[.ffffff][+00]'.
      return typeof value === 'bigint' ? value.toString() : microsOfText(String(value));
    default:
      return value;
  }
}

function microsOfText(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?([+-]\d{2}(?::\d{2})?)?$/.exec(text);
  if (!m) return text;
  const zone = m[4] === undefined ? 'Z' : m[4].length === 3 ? `${m[4]}:00` : m[4];
  return (BigInt(Date.parse(`${m[1]}T${m[2]}${zone}`)) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0'))).toString();
}

/** A decimal's text without a trailing fractional zero or a bare point: '12.3400' → '12.34', '5.00' → '5'. */
function exactDecimal(text: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * [name, PostgreSQL text sent to the gateway (bare table names, qualified below), Spark's
 * own text for the same question, asked of Spark directly].
 */
const queries: ReadonlyArray<readonly [string, string, string]> = [
  ['count', 'SELECT count(*) FROM visits', 'SELECT count(*) FROM visits'],
  ['filter and order', 'SELECT id, dx, seen FROM visits WHERE id < 20 ORDER BY id', 'SELECT id, dx, seen FROM visits WHERE id < 20 ORDER BY id'],
  ['group by with NULLs', 'SELECT dx, count(*) FROM visits GROUP BY dx ORDER BY dx', 'SELECT dx, count(*) FROM visits GROUP BY dx ORDER BY dx NULLS LAST'],
  [
    'having',
    'SELECT dx, count(*) AS n FROM visits GROUP BY dx HAVING count(*) > 9000 ORDER BY dx',
    'SELECT dx, count(*) AS n FROM visits GROUP BY dx HAVING count(*) > 9000 ORDER BY dx NULLS LAST',
  ],
  [
    'string with a quote, LIKE',
    `SELECT id, note FROM visits WHERE note LIKE 'O''Brien%' ORDER BY id LIMIT 5`,
    `SELECT id, note FROM visits WHERE note LIKE ${s("O'Brien%")} ORDER BY id LIMIT 5`,
  ],
  ['IS NULL', 'SELECT count(*) FROM visits WHERE note IS NULL', 'SELECT count(*) FROM visits WHERE note IS NULL'],
  [
    'date range',
    `SELECT seen, count(*) FROM visits WHERE seen BETWEEN '2024-03-01' AND '2024-03-05' GROUP BY seen ORDER BY seen`,
    `SELECT seen, count(*) FROM visits WHERE seen BETWEEN DATE '2024-03-01' AND DATE '2024-03-05' GROUP BY seen ORDER BY seen`,
  ],
  ['extract', 'SELECT extract(year FROM seen) AS y, count(*) FROM visits GROUP BY 1 ORDER BY 1', 'SELECT extract(YEAR FROM seen) AS y, count(*) FROM visits GROUP BY 1 ORDER BY 1'],
  [
    'date_trunc',
    `SELECT date_trunc('month', seen)::date AS m, count(*) FROM visits WHERE seen < '2024-04-01' GROUP BY 1 ORDER BY 1`,
    `SELECT CAST(date_trunc('MONTH', seen) AS DATE) AS m, count(*) FROM visits WHERE seen < DATE '2024-04-01' GROUP BY 1 ORDER BY 1`,
  ],
  [
    'join',
    'SELECT v.id, p.sex, p.born FROM visits v JOIN patients p ON p.patient = v.patient WHERE v.id <= 10 ORDER BY v.id',
    'SELECT v.id, p.sex, p.born FROM visits v JOIN patients p ON p.patient = v.patient WHERE v.id <= 10 ORDER BY v.id',
  ],
  [
    'join and aggregate',
    'SELECT p.sex, count(*), sum(v.cost) FROM visits v JOIN patients p ON p.patient = v.patient GROUP BY p.sex ORDER BY 1',
    'SELECT p.sex, count(*), sum(v.cost) FROM visits v JOIN patients p ON p.patient = v.patient GROUP BY p.sex ORDER BY 1',
  ],
  [
    'min, max, sum of numeric',
    'SELECT max(cost), min(cost), sum(cost), count(cost) FROM visits WHERE severity = 3',
    'SELECT max(cost), min(cost), sum(cost), count(cost) FROM visits WHERE severity = 3',
  ],
  [
    'avg rounded',
    'SELECT severity, round(avg(cost), 2) AS mean FROM visits GROUP BY severity ORDER BY severity',
    'SELECT severity, round(avg(cost), 2) AS mean FROM visits GROUP BY severity ORDER BY severity',
  ],
  [
    'order by … limit, NULLs first in descending order',
    'SELECT id, cost FROM visits ORDER BY cost DESC, id LIMIT 10',
    'SELECT id, cost FROM visits ORDER BY cost DESC NULLS FIRST, id LIMIT 10',
  ],
  [
    'order by … limit … offset, NULLs last in ascending order',
    'SELECT id, cost FROM visits WHERE severity = 1 ORDER BY cost, id LIMIT 5 OFFSET 3',
    'SELECT id, cost FROM visits WHERE severity = 1 ORDER BY cost NULLS LAST, id LIMIT 5 OFFSET 3',
  ],
  ['count distinct', 'SELECT count(DISTINCT patient) FROM visits', 'SELECT count(DISTINCT patient) FROM visits'],
  [
    'scalar functions',
    'SELECT upper(dx), length(note) FROM visits WHERE id IN (1, 2, 3, 4, 5, 11, 26) ORDER BY 1 NULLS FIRST, 2',
    'SELECT upper(dx), length(note) FROM visits WHERE id IN (1, 2, 3, 4, 5, 11, 26) ORDER BY 1 NULLS FIRST, 2 NULLS LAST',
  ],
  [
    'group by an expression',
    `SELECT coalesce(dx, 'none') AS d, count(*) FROM visits GROUP BY 1 ORDER BY 1`,
    `SELECT coalesce(dx, 'none') AS d, count(*) FROM visits GROUP BY 1 ORDER BY 1`,
  ],
  ['date arithmetic', 'SELECT id, seen + 30 AS due FROM visits WHERE id < 5 ORDER BY id', 'SELECT id, date_add(seen, 30) AS due FROM visits WHERE id < 5 ORDER BY id'],
  [
    'filter on two columns',
    `SELECT patient, born FROM patients WHERE born > '1990-01-01' AND sex = 'F' ORDER BY born LIMIT 3`,
    `SELECT patient, born FROM patients WHERE born > DATE '1990-01-01' AND sex = 'F' ORDER BY born LIMIT 3`,
  ],
  [
    'FILTER clause',
    `SELECT severity, count(*) FILTER (WHERE dx = 'I10') AS i10 FROM visits GROUP BY severity ORDER BY severity`,
    `SELECT severity, count(*) FILTER (WHERE dx = 'I10') AS i10 FROM visits GROUP BY severity ORDER BY severity`,
  ],
  [
    'IN list or NULL',
    `SELECT dx, count(*) FROM visits WHERE dx IN ('I10', 'A04.7') OR dx IS NULL GROUP BY dx ORDER BY dx`,
    `SELECT dx, count(*) FROM visits WHERE dx IN ('I10', 'A04.7') OR dx IS NULL GROUP BY dx ORDER BY dx NULLS LAST`,
  ],
  ['NOT IN drops NULLs', `SELECT count(*) FROM visits WHERE dx NOT IN ('I10', 'E11.9')`, `SELECT count(*) FROM visits WHERE dx NOT IN ('I10', 'E11.9')`],
  [
    'equality with quotes',
    `SELECT id, note FROM visits WHERE note = 'O''Brien said "hi"' ORDER BY id LIMIT 3`,
    `SELECT id, note FROM visits WHERE note = ${s('O\'Brien said "hi"')} ORDER BY id LIMIT 3`,
  ],
  [
    'equality with a backslash',
    `SELECT id, note FROM visits WHERE note = 'back\\slash 100%' ORDER BY id LIMIT 3`,
    `SELECT id, note FROM visits WHERE note = ${s('back\\slash 100%')} ORDER BY id LIMIT 3`,
  ],
  [
    'LIKE with an escaped wildcard and backslash',
    `SELECT count(*) FROM visits WHERE note LIKE 'back\\\\slash 100\\%'`,
    `SELECT count(*) FROM visits WHERE note LIKE ${s('back\\\\slash 100\\%')}`,
  ],
  [
    'arithmetic and functions in the filter',
    `SELECT id, severity FROM visits WHERE id % 1000 = 7 AND abs(severity - 3) <= 1 AND lower(patient) LIKE 'p%' ORDER BY id`,
    `SELECT id, severity FROM visits WHERE id % 1000 = 7 AND abs(severity - 3) <= 1 AND lower(patient) LIKE 'p%' ORDER BY id`,
  ],
  [
    'timestamps: date_trunc and a range with an offset',
    `SELECT date_trunc('day', arrived) AS d, count(*), min(arrived), max(arrived) FROM visits WHERE arrived < '2024-01-05 00:00:00+00' GROUP BY 1 ORDER BY 1`,
    `SELECT date_trunc('DAY', arrived) AS d, count(*), min(arrived), max(arrived) FROM visits WHERE arrived < TIMESTAMP '2024-01-05 00:00:00+00:00' GROUP BY 1 ORDER BY 1`,
  ],
  [
    'extract from a timestamp',
    `SELECT extract(hour FROM arrived) AS h, count(*) FROM visits WHERE id <= 500 GROUP BY 1 ORDER BY 1`,
    `SELECT extract(HOUR FROM arrived) AS h, count(*) FROM visits WHERE id <= 500 GROUP BY 1 ORDER BY 1`,
  ],
  [
    'date minus date in an aggregated filter',
    `SELECT count(*), min(seen) FROM visits WHERE seen - DATE '2024-01-01' < 10`,
    `SELECT count(*), min(seen) FROM visits WHERE datediff(seen, DATE '2024-01-01') < 10`,
  ],
  [
    'date plus and minus days in an aggregated filter',
    `SELECT severity, count(*) FROM visits WHERE seen + 30 >= '2025-11-01' AND seen - 7 <= '2025-11-20' GROUP BY severity ORDER BY severity`,
    `SELECT severity, count(*) FROM visits WHERE date_add(seen, 30) >= DATE '2025-11-01' AND date_sub(seen, 7) <= DATE '2025-11-20' GROUP BY severity ORDER BY severity`,
  ],
  [
    'timestamp with an offset other than UTC',
    `SELECT count(*), max(arrived) FROM visits WHERE arrived <= '2024-01-02 03:00:00+05:30'`,
    `SELECT count(*), max(arrived) FROM visits WHERE arrived <= TIMESTAMP '2024-01-01 21:30:00Z'`,
  ],
  [
    'timestamp without time zone',
    `SELECT date_trunc('month', booked) AS m, count(*), max(booked) FROM visits WHERE booked >= '2025-12-30 12:00' GROUP BY 1 ORDER BY 1`,
    `SELECT date_trunc('MONTH', booked) AS m, count(*), max(booked) FROM visits WHERE booked >= TIMESTAMP_NTZ '2025-12-30 12:00:00' GROUP BY 1 ORDER BY 1`,
  ],
  ['boolean column', `SELECT urgent, count(*) FROM visits WHERE urgent OR id < 3 GROUP BY urgent ORDER BY urgent`, `SELECT urgent, count(*) FROM visits WHERE urgent OR id < 3 GROUP BY urgent ORDER BY urgent`],
  [
    'decimal arithmetic in an aggregated filter',
    `SELECT count(*), sum(cost) FROM visits WHERE cost * 3 > '3000.5' AND cost % 1 = '0.5'`,
    `SELECT count(*), sum(cost) FROM visits WHERE cost * 3 > 3000.5 AND cost % 1 = 0.5`,
  ],
  [
    'wide signed decimals, exactly',
    'SELECT severity, sum(balance), min(balance), max(balance), count(balance) FROM visits WHERE id % 3 = 1 GROUP BY severity ORDER BY severity',
    'SELECT severity, sum(balance), min(balance), max(balance), count(balance) FROM visits WHERE id % 3 = 1 GROUP BY severity ORDER BY severity',
  ],
  [
    'wide signed decimals row by row',
    'SELECT id, balance, cost FROM visits WHERE balance BETWEEN -3000000000 AND 3000000000 ORDER BY id',
    'SELECT id, balance, cost FROM visits WHERE balance BETWEEN -3000000000 AND 3000000000 ORDER BY id',
  ],
  [
    'a timestamp compared with dates (whose instants are UTC midnights at the gateway)',
    `SELECT count(*), min(arrived), max(arrived) FROM visits WHERE arrived >= '2024-01-02'::date AND arrived < '2024-01-03'::date`,
    `SELECT count(*), min(arrived), max(arrived) FROM visits WHERE arrived >= TIMESTAMP '2024-01-02 00:00:00Z' AND arrived < TIMESTAMP '2024-01-03 00:00:00Z'`,
  ],
  [
    'a timestamp without time zone compared with an instant',
    `SELECT count(*), max(booked) FROM visits WHERE booked < '2024-01-10 00:00:00+00'::timestamptz`,
    `SELECT count(*), max(booked) FROM visits WHERE booked < TIMESTAMP_NTZ '2024-01-10 00:00:00'`,
  ],
  ['an aggregate over no rows', 'SELECT count(*), sum(cost), max(seen) FROM visits WHERE id < 0', 'SELECT count(*), sum(cost), max(seen) FROM visits WHERE id < 0'],
];

async function direct(sql: string): Promise<unknown[][]> {
  const stream = await sparkConnector.execute(sql, { signal: new AbortController().signal });
  const rows: unknown[][] = [];
  for await (const batch of stream.batches()) {
    for (let r = 0; r < batch.rowCount; r++) rows.push(batch.columns.map((c, i) => normalize(c[r], stream.columns[i]!.typeOid)));
  }
  return rows;
}

async function viaGateway(sql: string): Promise<unknown[][]> {
  const qualified = sql.replace(/\b(FROM|JOIN) (visits|patients)\b/g, '$1 sparkp.$2');
  const r = await client.query({ text: qualified, rowMode: 'array', types: asText });
  return (r.rows as unknown[][]).map((row) => row.map((v, i) => normalize(v, r.fields[i]!.dataTypeID)));
}

describe('a Spark party registered by DDL', () => {
  // First, so every later test runs in the renewed session.
  it('starts a new session, with its settings, when Spark no longer has the party’s', async () => {
    const before = sparkConnector.sessionId;
    // As after a restart of the server: the server-side session the party saw is gone
    // (this server cannot release one on request: ReleaseSession needs Spark ML's classes).
    (sparkConnector as unknown as { client: { serverSession: string } }).client.serverSession = randomUUID();
    await sparkConnector.ping(5000);
    const r = await client.query(`SELECT count(*) AS n FROM sparkp.visits WHERE arrived >= '2024-01-02'::date AND arrived < '2024-01-03'::date`);
    expect(r.rows).toEqual([{ n: '141' }]);
    expect(sparkConnector.sessionId).not.toBe(before);
    // ANSI mode again, though the server's default is off.
    await expect(client.query('SELECT count(*) FROM sparkp.visits WHERE id * 100000 > 0')).rejects.toMatchObject({ code: '22003' });
  });

  it('has its tables with PostgreSQL types', async () => {
    const r = await client.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'sparkp' ORDER BY table_name, ordinal_position`,
    );
    expect(r.rows.map((row) => `${row.table_name}.${row.column_name} ${row.data_type}`)).toEqual([
      'notes.id integer',
      'notes.note text',
      'patients.patient text',
      'patients.sex text',
      'patients.born date',
      'visits.id integer',
      'visits.patient text',
      'visits.dx text',
      'visits.seen date',
      'visits.cost numeric',
      'visits.severity integer',
      'visits.note text',
      'visits.arrived timestamp with time zone',
      'visits.booked timestamp without time zone',
      'visits.urgent boolean',
      'visits.balance numeric',
    ]);
  });

  it.each(queries)('%s: the gateway returns what Spark returns', async (_name, gatewaySql, sparkSql) => {
    const [a, b] = await Promise.all([viaGateway(gatewaySql), direct(sparkSql)]);
    expect(b.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('keeps hostile text intact both ways: stored, matched by = and IN, and by LIKE in an aggregate Spark runs', async () => {
    const pgString = (v: string): string => `'${v.replaceAll("'", "''")}'`;
    const stored = await client.query({ text: 'SELECT id, note FROM sparkp.notes ORDER BY id', rowMode: 'array' });
    expect(stored.rows).toEqual(HOSTILE.map((h, i) => [i, h]));
    watched.seen.length = 0;
    const matched = await client.query({ text: `SELECT id, note FROM sparkp.notes WHERE note IN (${HOSTILE.map(pgString).join(', ')}) ORDER BY id`, rowMode: 'array' });
    expect(matched.rows).toEqual(HOSTILE.map((h, i) => [i, h]));
    expect(watched.seen[0]!.rows).toBe(HOSTILE.length);
    // Each value as a LIKE pattern matching only itself (\, % and _ escaped); the count is Spark's.
    const like = HOSTILE.map((h) => `note LIKE ${pgString(h.replace(/[\\%_]/g, (c) => `\\${c}`))}`);
    watched.seen.length = 0;
    const counted = await client.query({ text: `SELECT note, count(*) FROM sparkp.notes WHERE ${like.join(' OR ')} GROUP BY note`, rowMode: 'array' });
    expect(watched.seen[0]!.sql).toMatch(/GROUP BY `note`/);
    const byNote = (a: unknown[], b: unknown[]): number => (String(a[0]) < String(b[0]) ? -1 : 1);
    expect((counted.rows as unknown[][]).sort(byNote)).toEqual(HOSTILE.map((h) => [h, '1']).sort(byNote));
  });

  it('pushes the filter and the aggregate down to Spark: seen in the SQL Spark receives and the rows it sends', async () => {
    watched.seen.length = 0;
    const r = await client.query(`SELECT dx, count(*) AS n FROM sparkp.visits WHERE seen >= '2025-06-01' AND severity = 2 GROUP BY dx ORDER BY dx`);
    expect(r.rows.length).toBe(5);
    expect(watched.seen).toHaveLength(1);
    const [fragment] = watched.seen;
    expect(fragment!.sql).toMatch(/GROUP BY `dx`/);
    expect(fragment!.sql).toMatch(/count\(\*\)/);
    expect(fragment!.sql).toContain("(`seen` >= CAST('2025-06-01' AS DATE))");
    expect(fragment!.sql).toContain('(`severity` = 2)');
    expect(fragment!.rows).toBe(5);
    // A LIMIT goes down with its order (NULL placement spelled out), and a quoted string Spark's way.
    watched.seen.length = 0;
    await client.query(`SELECT id, cost FROM sparkp.visits WHERE note <> 'O''Brien\\' ORDER BY cost DESC, id LIMIT 10`);
    expect(watched.seen).toHaveLength(1);
    expect(watched.seen[0]!.sql).toContain("(`note` <> 'O\\'Brien\\\\')");
    expect(watched.seen[0]!.sql).toMatch(/ORDER BY 2 DESC NULLS FIRST, 1 ASC NULLS LAST LIMIT 10$/);
    expect(watched.seen[0]!.rows).toBe(10);
    // An overflow in a pushed filter is an error, as in PostgreSQL, not a count of wrapped values.
    await expect(client.query('SELECT count(*) FROM sparkp.visits WHERE id * 100000 > 0')).rejects.toMatchObject({ code: '22003' });
    // An empty result keeps its column types.
    const empty = await client.query('SELECT id, cost, seen FROM sparkp.visits WHERE id < 0 ORDER BY id LIMIT 3');
    expect(empty.rows).toEqual([]);
    expect(empty.fields.map((f) => f.dataTypeID)).toEqual([TypeOid.int4, TypeOid.numeric, TypeOid.date]);
    // A join of the party's two tables runs at Spark, whole.
    watched.seen.length = 0;
    await client.query('SELECT p.sex, count(*) FROM sparkp.visits v JOIN sparkp.patients p ON p.patient = v.patient WHERE v.id <= 10 GROUP BY p.sex');
    expect(watched.seen).toHaveLength(1);
    expect(watched.seen[0]!.sql).toMatch(/FROM `default`.`visits` AS `v` JOIN `default`.`patients` AS `p` ON \(`p`.`patient` = `v`.`patient`\) WHERE \(`v`.`id` <= 10\) GROUP BY `p`.`sex`/);
    expect(watched.seen[0]!.rows).toBe(2);
  });
});
