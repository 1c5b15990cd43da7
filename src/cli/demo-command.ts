import { Command } from 'commander';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createLogger } from './logger.js';
import { logLevelOption, port } from './options.js';
import { ensureDemoData, serveLocal, DATABASE_NAME } from './serve.js';

export const DEMO_USER = 'analyst';
export const DEMO_PASSWORD = 'analyst';

export function demoCommand(): Command {
  return new Command('demo')
    .description('start the embedded demo: a gateway on 127.0.0.1:55432 over synthetic data of three hospitals (bmc, mgh, bwh)')
    .option('--port <port>', 'port to listen on', port, 55432)
    .option('--dir <path>', 'working folder for the demo (data, certificate, users)', '.c2d/demo')
    .addOption(logLevelOption())
    .action(async (opts: { port: number; dir: string; logLevel: string }) => {
      const logger = createLogger(opts.logLevel);
      const dataDir = join(opts.dir, 'data');
      await ensureDemoData(dataDir, logger);
      const host = '127.0.0.1';
      await mkdir(join(opts.dir, 'gateway'), { recursive: true });
      const running = await serveLocal(dataDir, {
        dataDir: join(opts.dir, 'gateway'),
        host,
        port: opts.port,
        requireTls: true,
        allowPlainOnLoopback: true,
        auth: 'scram-sha-256',
        logger,
      }, join(opts.dir, 'gateway', 'catalog.sqlite'));
      if (!running.users.has(DEMO_USER)) await running.users.setPassword(DEMO_USER, DEMO_PASSWORD);
      const p = running.address.port;
      console.log(`C2D demo gateway listening on ${host}:${p} (TLS; plain connections accepted on loopback)`);
      console.log(`Connect with:  psql "host=${host} port=${p} dbname=${DATABASE_NAME} user=${DEMO_USER} sslmode=require"   (password: ${DEMO_PASSWORD})`);
      console.log('Try:           select party, count(*) from patients group by party;');
      console.log('Stop with Ctrl-C.');
    });
}
