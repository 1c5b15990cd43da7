/**
 * The gateway side of bench/wire, in its own process so it does not share an event loop
 * with the client being measured: an in-memory DuckDB holding the benchmark table, the
 * local engine and the wire server with trust auth on loopback. Prints its port.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { pino } from 'pino';
import { createLocalEngine } from '../../src/engine/index.js';
import { createPgServer } from '../../src/server/pg-server.js';
import { WIDE_TABLE_SQL } from './table.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(WIDE_TABLE_SQL('main.wide', rows));
connection.closeSync();
const engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'bench' });
const server = createPgServer({
  engine,
  auth: { method: 'trust', lookupVerifier: async () => null },
  requireTls: false,
  allowPlainOnLoopback: true,
  logger: pino({ level: 'warn' }),
});
const address = await server.listen(0, '127.0.0.1');
process.stdout.write(`${address.port}\n`);
process.on('SIGTERM', () => void server.close({ gracefulMs: 1000 }).then(() => process.exit(0)));
