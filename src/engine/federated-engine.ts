/**
 * The gateway's engine over the federation: the catalog says which tables exist and where
 * their partitions live, party links run fragments there, and an in-process DuckDB (which
 * holds no user data) combines the fragments' rows and answers catalog queries.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { closeIdleConnections } from '../../connectors/duckdb/duckdb-connection-pool.js';
import type { CatalogStore } from '../catalog/index.js';
import type { IssuedCertificate } from '../party/certs.js';
import { CatalogPartyDirectory } from '../party/party-directory.js';
import { catalogFederationSource } from '../planner/catalog-federation.js';
import { FederatedRunner } from '../planner/federated-runner.js';
import type { Engine } from '../server/engine.js';
import type { PartyTables } from '../sql/bind/party-tables.js';
import { createLocalEngine } from './index.js';

export interface FederatedEngineOptions {
  catalog: CatalogStore;
  database: string;
  productVersion: string;
  /** The gateway's federation certificate (null: parties cannot be reached, DDL still works). */
  federationTls: IssuedCertificate | null;
  /** How long to wait for a party to answer before 08001-style errors (default 5 s). */
  connectTimeoutMs?: number;
  /** How long a party's result may stay silent before the query stops with 08006 (default 60 s). */
  idleTimeoutMs?: number;
}

export interface FederatedEngine {
  engine: Engine;
  parties: CatalogPartyDirectory;
  close(): Promise<void>;
}

export async function createFederatedEngine(options: FederatedEngineOptions): Promise<FederatedEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const directory = new CatalogPartyDirectory({
    tls: options.federationTls,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  });
  const source = catalogFederationSource(options.catalog, (snapshot) => directory.at(snapshot));
  const parties: PartyTables = {
    describe: async (server, table) => (await directory.at(await options.catalog.snapshot()).describe(server, table)).tables,
  };
  const engine = await createLocalEngine({
    instance,
    database: options.database,
    productVersion: options.productVersion,
    runner: new FederatedRunner(instance, source),
    catalog: options.catalog,
    parties,
  });
  return {
    engine,
    parties: directory,
    async close() {
      directory.close();
      closeIdleConnections(instance);
      instance.closeSync();
    },
  };
}
