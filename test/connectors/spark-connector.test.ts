/**
 * The Spark connector against the real Spark Connect server (Maven Central jars, started
 * by test/support/spark-connect-server.ts for this file): tables created in Spark, described
 * with PostgreSQL types, twenty single-party queries whose rows through the connector equal
 * what Spark itself renders for them (to_json on the server: an independent path that does
 * not go through Arrow decoding), cancel, errors with SQLSTATEs, an unreachable server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkConnector } from '../../connectors/spark/spark-connector.js';
import { SparkDialect } from '../../dialect/index.js';
import type { Connector, RemoteColumn } from '../../connectors/connector.js';
import { startSparkConnectServer, type SparkConnectServer } from '../support/spark-connect-server.js';
import { loadPartyConfig, openConnector } from '../../src/party/party-config.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SETUP = [
  `CREATE TABLE visits (id INT NOT NULL, patient STRING, amount DECIMAL(10,2), seen_on DATE, ok BOOLEAN,
     at TIMESTAMP_NTZ, score DOUBLE, visits_total BIGINT, ward SMALLINT, dept_id INT) USING parquet`,
  `INSERT INTO visits VALUES
     (1, 'O''Brien', 10.50, DATE '2024-01-01', TRUE, TIMESTAMP_NTZ '2024-01-01 08:30:00', 1.5, 9007199254740993, 3, 10),
     (2, 'back\\\\slash', NULL, DATE '2024-02-29', FALSE, TIMESTAMP_NTZ '2024-02-29 23:59:59.123456', -0.25, -5, 1, 20),
     (3, NULL, 99.99, NULL, NULL, NULL, NULL, NULL, NULL, 10),
     (4, 'ünï', 0.01, DATE '1999-12-31', TRUE, TIMESTAMP_NTZ '1999-12-31 00:00:00', 100, 0, 2, 30),
     (5, 'Smith', -12.34, DATE '2024-03-15', FALSE, TIMESTAMP_NTZ '2024-03-15 12:00:00', 2.75, 42, 3, 20),
     (6, 'smith', 1000.00, DATE '2023-12-31', TRUE, TIMESTAMP_NTZ '2023-12-31 18:45:00', 3, 7, 1, NULL)`,
  `CREATE TABLE depts (dept_id INT, name STRING, budget DECIMAL(12,2)) USING parquet`,
  `INSERT INTO depts VALUES (10, 'cardiology', 1000.00), (20, 'trauma "A"', 2500.50), (30, 'rare; --disease', NULL), (40, 'empty', 0.00)`,
  `CREATE TABLE big USING parquet AS SELECT CAST(id AS INT) AS n FROM range(1, 50001)`,
];

let server: SparkConnectServer;
let spark: SparkConnector;

beforeAll(async () => {
  server = await startSparkConnectServer();
  console.log(`Spark Connect server up at ${server.url} in ${server.startupMs} ms`);
  spark = new SparkConnector({ url: server.url });
  const started = performance.now();
  for (const sql of SETUP) await spark.rows(sql);
  console.log(`Spark tables created in ${Math.round(performance.now() - started)} ms`);
}, 900_000);

afterAll(async () => {
  await spark?.close();
  await server?.stop();
}, 60_000);

async function run(connector: Connector, sql: string, batchRows = 1000): Promise<{ columns: readonly RemoteColumn[]; rows: unknown[][] }> {
  const stream = await connector.execute(sql, { signal: new AbortController().signal, batchRows });
  const rows: unknown[][] = [];
  for await (const batch of stream.batches()) {
    for (let r = 0; r < batch.rowCount; r++) rows.push(batch.columns.map((col) => col[r]));
  }
  return { columns: stream.columns, rows };
}

describe('Spark connector', () => {
  it('answers ping with the server up', async () => {
    await spark.ping(5000);
  });

  it('lists and describes tables with PostgreSQL types', async () => {
    expect(await spark.listTables('default')).toEqual([
      { schema: 'default', name: 'big' },
      { schema: 'default', name: 'depts' },
      { schema: 'default', name: 'visits' },
    ]);
    expect(await spark.listTables()).toEqual(await spark.listTables('default'));
    const table = await spark.describeTable({ schema: 'default', name: 'visits' });
    expect(table.columns.map((c) => [c.name, c.typeOid, c.typmod])).toEqual([
      ['id', 23, -1],
      ['patient', 25, -1],
      ['amount', 1700, (10 << 16) + 2 + 4],
      ['seen_on', 1082, -1],
      ['ok', 16, -1],
      ['at', 1114, -1],
      ['score', 701, -1],
      ['visits_total', 20, -1],
      ['ward', 21, -1],
      ['dept_id', 23, -1],
    ]);
    // Spark stores file-source (parquet) tables as nullable whatever the DDL says, and its catalog says so too.
    expect(table.columns.every((c) => c.nullable)).toBe(true);
    await spark.rows('CREATE OR REPLACE VIEW strict AS SELECT 1 AS one, CAST(NULL AS STRING) AS maybe');
    // Views are described too.
    expect((await spark.describeTable({ schema: 'default', name: 'strict' })).columns.map((c) => [c.name, c.typeOid])).toEqual([
      ['one', 23],
      ['maybe', 25],
    ]);
    await expect(spark.describeTable({ schema: 'default', name: 'nope' })).rejects.toMatchObject({ code: '42P01' });
  });

  it('returns rows in the JS representation of their PostgreSQL types', async () => {
    const d = spark.dialect;
    const sql = `SELECT id, patient, amount, seen_on, ok, at, score, visits_total, ward FROM ${d.quoteIdentifier('visits')}
                  WHERE patient IS DISTINCT FROM ${d.quoteString("O'Brien")} AND id < 5 ORDER BY id`;
    const { columns, rows } = await run(spark, sql);
    expect(columns.map((c) => c.typeOid)).toEqual([23, 25, 1700, 1082, 16, 1114, 701, 20, 21]);
    expect(rows).toEqual([
      [2, 'back\\slash', null, 19782, false, BigInt(Date.UTC(2024, 1, 29, 23, 59, 59)) * 1000n + 123456n, -0.25, -5n, 1],
      [3, null, '99.99', null, null, null, null, null, null],
      [4, 'ünï', '0.01', 10956, true, BigInt(Date.UTC(1999, 11, 31)) * 1000n, 100, 0n, 2],
    ]);
    const big = await run(spark, 'SELECT visits_total, amount FROM visits WHERE id = 1');
    expect(big.rows).toEqual([[9007199254740993n, '10.50']]);
    const tz = await run(spark, "SELECT TIMESTAMP '2024-01-01 00:00:00 UTC' AS t, CAST(NULL AS INT) AS nothing, CAST(-1.5 AS DECIMAL(38,10)) AS wide");
    expect(tz.columns.map((c) => c.typeOid)).toEqual([1184, 23, 1700]);
    expect(tz.rows).toEqual([[BigInt(Date.UTC(2024, 0, 1)) * 1000n, null, '-1.5000000000']]);
  });

  it('describes the columns of an empty result', async () => {
    const { columns, rows } = await run(spark, 'SELECT id, patient, amount FROM visits WHERE id < 0');
    expect(rows).toEqual([]);
    expect(columns.map((c) => [c.name, c.typeOid, c.typmod])).toEqual([
      ['id', 23, -1],
      ['patient', 25, -1],
      ['amount', 1700, (10 << 16) + 2 + 4],
    ]);
  });

  it('stops a stream read only in part, and the session goes on', async () => {
    const stream = await spark.execute('SELECT n FROM big ORDER BY n', { signal: new AbortController().signal, batchRows: 100 });
    for await (const batch of stream.batches()) {
      expect(batch.columns[0]!.slice(0, 2)).toEqual([1, 2]);
      break;
    }
    await stream.close();
    expect((await run(spark, 'SELECT count(*) AS c FROM big')).rows).toEqual([[50000n]]);
  });

  it('quotes any identifier and literal so that Spark reads back exactly it', async () => {
    const d = spark.dialect;
    const tricky = [
      "O'Brien", "it''s", 'back\\slash', 'end\\', "\\'", 'tab\there', 'new\nline', 'ünï 😀', '-- comment', '/* c */', "'; DROP TABLE visits; --",
      '`tick`', '"double"', '${env:PATH}', '${spark.app.name}', '\\u0041', '\\%_', 'SELECT', '',
    ];
    const select = tricky.map((value, i) => `${d.quoteString(value)} AS ${d.quoteIdentifier(i === 18 ? 'x' : value)}`).join(', ');
    const { columns, rows } = await run(spark, `SELECT ${select}`);
    expect(rows).toEqual([tricky]);
    expect(columns.map((c) => c.name)).toEqual(tricky.map((v, i) => (i === 18 ? 'x' : v)));
    const like = await run(spark, `SELECT id FROM visits WHERE ${d.likeExpression('patient', d.quoteString('back\\\\%'), false, false)}`);
    expect(like.rows).toEqual([[2]]);
  });

  it('streams a large result in batches', async () => {
    const stream = await spark.execute('SELECT n FROM big ORDER BY n', { signal: new AbortController().signal, batchRows: 4096 });
    let count = 0;
    let batches = 0;
    let last = 0;
    for await (const batch of stream.batches()) {
      batches++;
      count += batch.rowCount;
      last = Number(batch.columns[0]![batch.rowCount - 1]);
    }
    expect(count).toBe(50000);
    expect(last).toBe(50000);
    expect(batches).toBeGreaterThan(1);
  });

  /** Twenty single-party queries in Spark SQL; each column has a distinct name. */
  const QUERIES: Array<[string, string]> = [
    ['filter', 'SELECT id, patient FROM visits WHERE amount > 5 ORDER BY id'],
    ['is null', 'SELECT id FROM visits WHERE patient IS NULL OR seen_on IS NULL ORDER BY id'],
    ['string with quotes', `SELECT id, patient FROM visits WHERE patient = ${new SparkDialect().quoteString("O'Brien")}`],
    ['backslash literal', "SELECT id, patient FROM visits WHERE patient = 'back\\\\slash'"],
    ['like and lower', "SELECT id, lower(patient) AS p FROM visits WHERE lower(patient) LIKE 'smi%' ORDER BY id"],
    ['in list', 'SELECT id, ward FROM visits WHERE ward IN (1, 3) ORDER BY id'],
    ['between dates', "SELECT id, seen_on FROM visits WHERE seen_on BETWEEN DATE '2024-01-01' AND DATE '2024-12-31' ORDER BY seen_on"],
    ['date functions', "SELECT id, year(seen_on) AS y, month(seen_on) AS m, date_add(seen_on, 30) AS later, datediff(DATE '2024-12-31', seen_on) AS days_left, date_trunc('MONTH', at) AS month_start FROM visits ORDER BY id"],
    ['inner join', 'SELECT v.id, d.name FROM visits v JOIN depts d ON v.dept_id = d.dept_id ORDER BY v.id'],
    ['left join with nulls', 'SELECT d.dept_id, d.name, v.id FROM depts d LEFT JOIN visits v ON v.dept_id = d.dept_id ORDER BY d.dept_id, v.id'],
    ['group by', 'SELECT dept_id, count(*) AS n, sum(amount) AS total, avg(score) AS mean FROM visits GROUP BY dept_id ORDER BY dept_id NULLS LAST'],
    ['having', 'SELECT dept_id, count(*) AS n FROM visits GROUP BY dept_id HAVING count(*) > 1 ORDER BY dept_id'],
    ['order by limit', 'SELECT id, amount FROM visits ORDER BY amount DESC NULLS LAST LIMIT 3'],
    ['order by offset', 'SELECT id FROM visits ORDER BY id LIMIT 2 OFFSET 3'],
    ['count distinct', 'SELECT count(DISTINCT ward) AS wards, count(patient) AS named, count(*) AS all_rows FROM visits'],
    ['case and coalesce', "SELECT id, CASE WHEN amount IS NULL THEN 'none' WHEN amount < 0 THEN 'refund' ELSE 'paid' END AS kind, coalesce(patient, '(unknown)') AS who FROM visits ORDER BY id"],
    ['min max', 'SELECT min(seen_on) AS first_seen, max(seen_on) AS last_seen, min(amount) AS lo, max(amount) AS hi, max(visits_total) AS most FROM visits'],
    ['arithmetic', 'SELECT id, amount * 2 AS doubled, ward + 1 AS next_ward, visits_total * 2 AS twice, round(score / 3, 4) AS third FROM visits ORDER BY id'],
    ['subquery and exists', 'SELECT name FROM depts d WHERE EXISTS (SELECT 1 FROM visits v WHERE v.dept_id = d.dept_id AND v.ok) ORDER BY name'],
    ['empty result', 'SELECT id, patient FROM visits WHERE id > 100'],
    ['union and string functions', "SELECT concat(name, '!') AS label, length(name) AS len FROM depts UNION ALL SELECT upper(patient), length(patient) FROM visits WHERE patient IS NOT NULL ORDER BY label"],
  ];

  it('has twenty or more single-party queries', () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(QUERIES)('%s: rows through the connector equal what Spark renders', async (name, sql) => {
    const { columns, rows } = await run(spark, sql, 2);
    if (name !== 'empty result') expect(rows.length).toBeGreaterThan(0);
    const rendered = await run(spark, `SELECT to_json(struct(*), map('ignoreNullFields', 'false')) AS j FROM (${sql}) AS q`);
    const expected = rendered.rows.map(([json]) => Object.values(JSON.parse(String(json)) as Record<string, unknown>));
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, r) => {
      row.forEach((value, c) => {
        const want = expected[r]![c];
        const got = asJson(value, columns[c]!.typeOid);
        if (typeof want === 'number' && typeof got === 'number' && !Number.isInteger(want)) expect(got).toBeCloseTo(want, 10);
        else expect(got, `row ${r} column ${columns[c]!.name}`).toEqual(want);
      });
    });
  });

  it('cancels a running query with 57014 and stays usable', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = (async () => {
      const stream = await spark.execute('SELECT sum(a.id * b.id) AS s FROM range(1000000) a CROSS JOIN range(1000000) b', {
        signal: controller.signal,
      });
      for await (const _ of stream.batches());
    })();
    setTimeout(() => controller.abort(), 1500);
    await expect(running).rejects.toMatchObject({ code: '57014' });
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await run(spark, 'SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('reports bad queries as PgErrors with SQLSTATEs', async () => {
    await expect(run(spark, 'SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01', name: 'PgError' });
    await expect(run(spark, 'SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(run(spark, 'SELECT nope FROM visits')).rejects.toMatchObject({ code: '42703' });
    await expect(run(spark, 'SELECT 1 / 0 AS x')).rejects.toMatchObject({ code: '22012' });
    await expect(run(spark, 'SELECT no_such_function(1)')).rejects.toMatchObject({ code: '42883' });
  });

  it('opens from a party configuration with engine type spark', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2d-spark-party-'));
    const file = join(dir, 'party.json');
    writeFileSync(file, JSON.stringify({
      name: 'lab',
      listen: { host: '127.0.0.1', port: 7009 },
      tls: { key: 'lab.key', cert: 'lab.crt', ca: 'ca.crt' },
      engine: { type: 'spark', url: server.url },
      tables: [{ name: 'visits', remote: { name: 'visits' }, policies: { id: 'public' } }],
    }));
    try {
      const config = await loadPartyConfig(file);
      expect(config.engine).toEqual({ type: 'spark', url: server.url });
      expect(config.tables[0]!.remote).toEqual({ schema: 'default', name: 'visits' });
      const connector = await openConnector(config.engine);
      try {
        expect(connector.engine).toBe('spark');
        expect((await connector.describeTable(config.tables[0]!.remote)).columns).toHaveLength(10);
      } finally {
        await connector.close();
      }
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), engine: { type: 'spark', url: 'http://x' } }));
      await expect(loadPartyConfig(file)).rejects.toThrow(/sc:\/\/host:port/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives 08001 within the ping timeout when the server is unreachable', async () => {
    const nowhere = new SparkConnector({ url: 'sc://127.0.0.1:1' });
    const started = performance.now();
    await expect(nowhere.ping(2000)).rejects.toMatchObject({ code: '08001' });
    expect(performance.now() - started).toBeLessThan(2500);
    await nowhere.close();
  });
});

/** A connector value in the form Spark's to_json gives it. */
function asJson(value: unknown, oid: number): unknown {
  if (value === null) return null;
  switch (oid) {
    case 20:
      return Number(value as bigint);
    case 1700:
      return Number(value as string);
    case 1082:
      return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
    case 1114: {
      const iso = new Date(Number((value as bigint) / 1000n)).toISOString().slice(0, 23);
      return iso.endsWith('.000') ? iso.slice(0, 19) : iso;
    }
    case 1184:
      // Spark's to_json renders TIMESTAMP in the session time zone (UTC here) with milliseconds.
      return new Date(Number((value as bigint) / 1000n)).toISOString();
    default:
      return value;
  }
}
