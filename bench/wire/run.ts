/**
 * bench/wire: stream N rows × 5 columns through the gateway and through the local
 * PostgreSQL to the same clients (node-postgres and psql), in one run, and print rows/s
 * and the ratio. Usage: node dist/bench/wire/run.js [rows=1000000] [repeats=3]
 */
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import pg from 'pg';
import { WIDE_TABLE_SQL } from './table.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const repeats = Number(process.argv[3] ?? 3);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const database = `c2d_bench_wire_${process.pid}`;

async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Best of `repeats` runs, in rows per second. */
async function best(run: () => Promise<number>): Promise<number> {
  let top = 0;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const n = await run();
    if (n !== rows) throw new Error(`expected ${rows} rows, got ${n}`);
    top = Math.max(top, n / ((performance.now() - start) / 1000));
  }
  return top;
}

function nodePostgres(config: pg.ClientConfig): Promise<number> {
  return withClient(config, async (c) => (await c.query('SELECT * FROM wide')).rowCount ?? 0);
}

function psql(port: number, db: string, user: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-A', '-t', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-c', 'SELECT * FROM wide'], {
      env: { ...process.env, PGSSLMODE: 'disable' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lines = 0;
    child.stdout.on('data', (b: Buffer) => {
      for (let i = 0; i < b.length; i++) if (b[i] === 10) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`psql exited ${code}`))));
  });
}

async function main(): Promise<void> {
  console.log(`bench/wire: ${rows} rows × 5 columns (int8, int4, float8, text, date), best of ${repeats}`);
  await withClient({ ...PG, database: 'postgres' }, (c) => c.query(`CREATE DATABASE ${database}`));
  const server = spawn(process.execPath, [fileURLToPath(new URL('./server.js', import.meta.url)), String(rows)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await withClient({ ...PG, database }, (c) => c.query(WIDE_TABLE_SQL('wide', rows)));
    const [portLine] = (await once(server.stdout!, 'data')) as [Buffer];
    const gatewayPort = Number(portLine.toString().trim());
    const gateway = { host: '127.0.0.1', port: gatewayPort, user: 'analyst', database: 'c2d' };
    const results: Array<[string, number, number]> = [];
    results.push(['node-postgres', await best(() => nodePostgres({ ...PG, database })), await best(() => nodePostgres(gateway))]);
    results.push(['psql', await best(() => psql(5432, database, 'postgres')), await best(() => psql(gatewayPort, 'c2d', 'analyst'))]);
    const version = execFileSync('psql', ['--version']).toString().trim();
    console.log(`machine: ${process.arch}, ${(await import('node:os')).cpus().length} cores, node ${process.version}, ${version}`);
    console.log('client         PostgreSQL rows/s   C2D gateway rows/s   ratio');
    for (const [client, direct, viaGateway] of results) {
      console.log(
        `${client.padEnd(14)} ${Math.round(direct).toLocaleString('en-US').padStart(18)}   ${Math.round(viaGateway).toLocaleString('en-US').padStart(18)}   ${(viaGateway / direct).toFixed(2)}`,
      );
    }
  } finally {
    server.kill('SIGTERM');
    await withClient({ ...PG, database: 'postgres' }, (c) => c.query(`DROP DATABASE IF EXISTS ${database}`));
  }
}

await main();
