/**
 * What `c2d demo` and `c2d gateway` share: open the catalog, start the gateway over the
 * federation, and shut down gracefully on SIGINT/SIGTERM.
 */
import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { CatalogStore } from '../catalog/index.js';
import { createFederatedEngine } from '../engine/federated-engine.js';
import type { IssuedCertificate } from '../party/certs.js';
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

export interface ServeOptions {
  gateway: Omit<GatewayOptions, 'engine'>;
  /** The federation catalog: a SQLite file path or a postgres:// URL. */
  catalog: string;
  /** The gateway's certificate from the federation CA, to reach the parties. */
  federationTls: IssuedCertificate | null;
  /** Runs after the gateway has stopped (the demo stops its parties here). */
  afterClose?: () => Promise<void>;
}

export async function serveFederation(options: ServeOptions): Promise<RunningGateway> {
  const catalog = await CatalogStore.open(options.catalog);
  const federated = await createFederatedEngine({
    catalog,
    database: DATABASE_NAME,
    productVersion: C2D_VERSION,
    federationTls: options.federationTls,
  });
  const running = await startGateway({ ...options.gateway, engine: federated.engine });
  const logger = options.gateway.logger;
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: letting running queries finish');
    process.stderr.write(`\n${signal}: shutting down (running queries may finish, up to 10 s)\n`);
    void running.close().then(
      async () => {
        await federated.close();
        await catalog.close();
        await options.afterClose?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return running;
}
