import { Command } from 'commander';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createLogger } from './logger.js';
import { logLevelOption, port } from './options.js';
import { ensureDemoData, serveFederation, DATABASE_NAME } from './serve.js';
import { registerDemoFederation, startDemoParties } from '../demo/demo-federation.js';

export const DEMO_USER = 'analyst';
export const DEMO_PASSWORD = 'analyst';

export function demoCommand(): Command {
  return new Command('demo')
    .description('start the embedded demo: a gateway on 127.0.0.1:55432 and three party nodes (bmc, mgh, bwh) over synthetic hospital data')
    .option('--port <port>', 'port to listen on', port, 55432)
    .option('--dir <path>', 'working folder for the demo (data, certificates, catalog, users)', '.c2d/demo')
    .addOption(logLevelOption())
    .addHelpText(
      'after',
      '\nEach party node runs over its own DuckDB file and talks to the gateway over mutual TLS on loopback;\n' +
        'the gateway registers them with CREATE SERVER / CREATE TABLE … PARTITION BY LIST (party) /\n' +
        'CREATE FOREIGN TABLE … PARTITION OF, as a DBA would. national_id is protected by its owners.',
    )
    .action(async (opts: { port: number; dir: string; logLevel: string }) => {
      const logger = createLogger(opts.logLevel);
      const dataDir = join(opts.dir, 'data');
      await ensureDemoData(dataDir, logger);
      const host = '127.0.0.1';
      await mkdir(join(opts.dir, 'gateway'), { recursive: true });
      const parties = await startDemoParties(dataDir, join(opts.dir, 'certs'), logger);
      const running = await serveFederation({
        gateway: {
          dataDir: join(opts.dir, 'gateway'),
          host,
          port: opts.port,
          requireTls: true,
          allowPlainOnLoopback: true,
          auth: 'scram-sha-256',
          logger,
        },
        catalog: join(opts.dir, 'gateway', 'catalog.sqlite'),
        federationTls: parties.gatewayTls,
        afterClose: () => parties.close(),
      });
      if (!running.users.has(DEMO_USER)) await running.users.setPassword(DEMO_USER, DEMO_PASSWORD);
      const p = running.address.port;
      await registerDemoFederation({ host, port: p, database: DATABASE_NAME, user: DEMO_USER, password: DEMO_PASSWORD }, parties);
      console.log(`C2D demo gateway listening on ${host}:${p} (TLS; plain connections accepted on loopback)`);
      console.log(`Parties: ${parties.parties.map((x) => `${x.name} on ${host}:${x.port}`).join(', ')} (mutual TLS)`);
      console.log(`Connect with:  psql "host=${host} port=${p} dbname=${DATABASE_NAME} user=${DEMO_USER} sslmode=require"   (password: ${DEMO_PASSWORD})`);
      console.log('Try:           select party, count(*) from patients group by party;');
      console.log('Stop with Ctrl-C.');
    });
}
