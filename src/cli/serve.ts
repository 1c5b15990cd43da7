/**
 * What `c2d demo` and `c2d gateway` share: open the data, start the gateway, print how to
 * connect, and shut down gracefully on SIGINT/SIGTERM.
 */
import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createLocalEngine } from '../engine/index.js';
import { CatalogStore } from '../catalog/index.js';
import { openDemoDatabase } from '../demo/local-database.js';
import { demoFilePath, generateDemoData } from '../demo/generate.js';
import { DEMO_PARTIES } from '../demo/hospital-data.js';
import { startGateway, type GatewayOptions, type RunningGateway } from './run-gateway.js';
import { C2D_VERSION } from './version.js';

export const DATABASE_NAME = 'c2d';

/** Generates the demo data unless all its files are there. */
export async function ensureDemoData(dir: string, logger: Logger): Promise<void> {
  const present = await Promise.all(DEMO_PARTIES.map((p) => access(demoFilePath(dir, p)).then(() => true, () => false)));
  if (present.every(Boolean)) return;
  logger.info({ dir }, 'generating demo data');
  await generateDemoData({ dir, scale: 1, seed: 2016 });
}

export async function serveLocal(
  dataDir: string,
  gateway: Omit<GatewayOptions, 'engine'>,
  /** The federation catalog: a SQLite file path or a postgres:// URL. */
  catalogLocation: string,
): Promise<RunningGateway> {
  const instance = await openDemoDatabase(dataDir);
  const catalog = await CatalogStore.open(catalogLocation);
  const engine = await createLocalEngine({ instance, database: DATABASE_NAME, productVersion: C2D_VERSION, catalog });
  const running = await startGateway({ ...gateway, engine });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    gateway.logger.info({ signal }, 'shutting down: letting running queries finish');
    process.stderr.write(`\n${signal}: shutting down (running queries may finish, up to 10 s)\n`);
    void running.close().then(
      async () => {
        instance.closeSync();
        await catalog.close();
        process.exit(0);
      },
      (error: unknown) => {
        gateway.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return running;
}
