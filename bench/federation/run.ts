/**
 * bench/federation: a single-party aggregate over N rows (default 10 M), run through the
 * gateway (client → gateway → party node over mutual TLS → engine) and directly on the
 * same engine, for a DuckDB party and a PostgreSQL party, in one run, the two runs of a
 * pair alternating. Prints the median time of each and the gateway/direct ratio (goal ≤ 1.1).
 * Usage: node dist/bench/federation/run.js [rows=10000000] [repeats=5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { pino } from 'pino';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { PostgresConnector } from '../../connectors/postgres/postgres-connector.js';
import type { Connector } from '../../connectors/connector.js';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway } from '../../src/cli/run-gateway.js';
import { createFederatedEngine } from '../../src/engine/federated-engine.js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';
import { createPartyNode } from '../../src/party/party-node.js';

const rows = Number(process.argv[2] ?? 10_000_000);
const repeats = Number(process.argv[3] ?? 5);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const database = `c2d_bench_fed_${process.pid}`;
const logger = pino({ level: 'silent' });

const TABLE_SQL =
  `CREATE TABLE events AS SELECT i::bigint AS id, (i % 100)::integer AS grp, ((i * 7) % 1000)::integer AS amount, ` +
  `DATE '2020-01-01' + (i % 1000)::integer AS day FROM generate_series(1, ${Math.trunc(rows)}) AS s(i)`;
const QUERY = (table: string): string =>
  `SELECT grp, count(*) AS n, sum(amount) AS total, min(day) AS first, max(day) AS last FROM ${table} WHERE amount > 100 GROUP BY grp ORDER BY grp`;
const ONE_ROW = (table: string): string => `SELECT grp FROM ${table} LIMIT 1`;

/**
 * Median times of `gateway` and `direct`, run alternately (gateway first on even rounds,
 * direct first on odd ones) after one warm-up each, so that drift on a shared machine
 * (another process, the CPU's clock, the engine's caches) falls on both alike.
 */
async function medians(gateway: () => Promise<unknown>, direct: () => Promise<unknown>): Promise<[number, number]> {
  await gateway();
  await direct();
  const times: [number[], number[]] = [[], []];
  const timed = async (which: 0 | 1): Promise<void> => {
    const start = performance.now();
    await (which === 0 ? gateway() : direct());
    times[which].push(performance.now() - start);
  };
  for (let i = 0; i < repeats; i++) {
    const first = i % 2 === 0 ? 0 : 1;
    await timed(first);
    await timed(first === 0 ? 1 : 0);
  }
  const median = (list: number[]): number => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return [median(times[0]), median(times[1])];
}

async function main(): Promise<void> {
  console.log(`bench/federation: ${rows.toLocaleString('en')} rows, median of ${repeats} each, gateway and direct alternating (after one warm-up), query:\n  ${QUERY('events')}`);
  const dir = await mkdtemp(join(tmpdir(), 'c2d-bench-fed-'));
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const cleanups: Array<() => Promise<void>> = [async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }];
  try {
    let t = performance.now();
    const duckFile = join(dir, 'party.duckdb');
    const duck = await DuckDBInstance.create(duckFile);
    const duckConnection = await duck.connect();
    await duckConnection.run(TABLE_SQL);
    duckConnection.closeSync();
    duck.closeSync();
    const direct = new pg.Client({ ...PG, database });
    await direct.connect();
    cleanups.unshift(() => direct.end());
    await direct.query(TABLE_SQL);
    await direct.query('ANALYZE events');
    console.log(`data: DuckDB file and PostgreSQL table written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const ca = await createCertificateAuthority('bench');
    const gatewayTls = await issueCertificate(ca, 'gateway', []);
    const duckConnector = await DuckDbConnector.open({ path: duckFile, readOnly: true });
    const pgConnector = new PostgresConnector({ ...PG, database });
    const ports: Record<string, number> = {};
    for (const [name, connector] of [['duckparty', duckConnector], ['pgparty', pgConnector]] as Array<[string, Connector]>) {
      const node = createPartyNode({
        name,
        connector,
        tables: [{ name: 'events', remote: { schema: name === 'duckparty' ? 'main' : 'public', name: 'events' }, policies: { id: 'public', grp: 'public', amount: 'public', day: 'public' } }],
        tls: await issueCertificate(ca, name, ['127.0.0.1']),
        logger,
      });
      ports[name] = await node.listen(0, '127.0.0.1');
      cleanups.unshift(async () => {
        await node.close();
        await connector.close();
      });
    }
    const catalog = await CatalogStore.open(join(dir, 'catalog.sqlite'));
    const federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'bench', federationTls: gatewayTls });
    const gateway = await startGateway({ engine: federated.engine, dataDir: dir, host: '127.0.0.1', port: 0, requireTls: false, allowPlainOnLoopback: true, auth: 'trust', logger });
    cleanups.unshift(async () => {
      await gateway.close();
      await federated.close();
      await catalog.close();
    });
    const client = new pg.Client({ host: '127.0.0.1', port: gateway.address.port, user: 'bench', database: 'c2d' });
    await client.connect();
    cleanups.unshift(() => client.end());
    for (const name of Object.keys(ports)) {
      await client.query(`CREATE SERVER ${name} FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${ports[name]}')`);
      await client.query(`CREATE SCHEMA ${name}`);
      await client.query(`IMPORT FOREIGN SCHEMA public FROM SERVER ${name} INTO ${name}`);
    }

    // The answers must agree before any time counts.
    const viaDuck = await client.query(QUERY('duckparty.events'));
    const viaPg = await client.query(QUERY('pgparty.events'));
    const directPg = await direct.query(QUERY('events'));
    if (JSON.stringify(viaDuck.rows) !== JSON.stringify(directPg.rows) || JSON.stringify(viaPg.rows) !== JSON.stringify(directPg.rows)) {
      throw new Error('the gateway and the engines disagree');
    }

    const duckDirect = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
    const duckDirectConnection = await duckDirect.connect();
    cleanups.unshift(async () => {
      duckDirectConnection.closeSync();
      duckDirect.closeSync();
    });
    // Both sides end with the rows as JavaScript objects, as node-postgres gives them.
    const duckDirectRows = async (sql: string): Promise<unknown[]> => (await duckDirectConnection.runAndReadAll(sql)).getRowObjectsJS();
    const results: Array<[string, number, number]> = [
      ['DuckDB party', ...(await medians(() => client.query(QUERY('duckparty.events')), () => duckDirectRows(QUERY('events'))))],
      ['PostgreSQL party', ...(await medians(() => client.query(QUERY('pgparty.events')), () => direct.query(QUERY('events'))))],
    ];
    // What a query costs apart from the engine's work: one row of one partition.
    const [oneRowGateway, oneRowDirect] = await medians(() => client.query(ONE_ROW('duckparty.events')), () => duckDirectRows(ONE_ROW('events')));
    console.log('\n| party engine | through the gateway | directly on the engine | ratio (goal ≤ 1.1) |');
    console.log('|---|---|---|---|');
    for (const [name, gatewayMs, directMs] of results) {
      console.log(`| ${name} | ${gatewayMs.toFixed(0)} ms | ${directMs.toFixed(0)} ms | ${(gatewayMs / directMs).toFixed(2)} |`);
    }
    console.log(`\nFixed cost of a query through the gateway (\`${ONE_ROW('…')}\`, DuckDB party): ${oneRowGateway.toFixed(2)} ms, directly ${oneRowDirect.toFixed(2)} ms.`);
    console.log('Direct DuckDB runs in-process (no wire), its rows read as JavaScript objects; direct PostgreSQL and the gateway are read by node-postgres over loopback.');
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
