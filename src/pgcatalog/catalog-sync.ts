/**
 * Keeps the emulation's rows in step with the federation catalog: before a query runs,
 * the catalog's version (one small read) is compared with the version the rows were last
 * built from, and only a change rebuilds them. Concurrent sessions share one rebuild.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';
import type { QueryRunner } from '../engine/query-runner.js';
import { refreshPgCatalog, type PgCatalogOptions } from './install-pg-catalog.js';

export interface VersionedCatalog {
  version(): Promise<number>;
  snapshot(): Promise<CatalogSnapshot>;
}

export class PgCatalogSync {
  private builtFrom = Number.NaN;
  private rebuilding: Promise<void> | null = null;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly catalog: VersionedCatalog,
    private readonly options: Pick<PgCatalogOptions, 'database' | 'user'>,
  ) {}

  /** The catalog version the emulation's rows describe (NaN before the first build). */
  get version(): number {
    return this.builtFrom;
  }

  /** Rebuilds the rows if the catalog changed since they were built. */
  async ensureFresh(): Promise<void> {
    const current = await this.catalog.version();
    // Versions only grow; a rebuild that started before `current` was written describes an
    // older one, so wait for the next. (NaN, before the first build, is never >=.)
    while (!(this.builtFrom >= current)) {
      this.rebuilding ??= this.rebuild().finally(() => (this.rebuilding = null));
      await this.rebuilding;
    }
  }

  private async rebuild(): Promise<void> {
    const snapshot = await this.catalog.snapshot();
    if (snapshot.version === this.builtFrom) return;
    const connection = await this.instance.connect();
    try {
      await refreshPgCatalog(connection, this.options, snapshot);
      this.builtFrom = snapshot.version;
    } finally {
      connection.closeSync();
    }
  }
}

/** A runner that brings the emulation up to date before preparing each query. */
export function catalogRefreshingRunner(runner: QueryRunner, sync: PgCatalogSync): QueryRunner {
  return {
    async prepare(query, clientParamTypes, session) {
      await sync.ensureFresh();
      return runner.prepare(query, clientParamTypes, session);
    },
    async explain(query, session) {
      await sync.ensureFresh();
      return runner.explain(query, session);
    },
    close: () => runner.close(),
  };
}
