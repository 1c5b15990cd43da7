/**
 * Keeps the emulation's rows in step with the federation catalog: before a query runs,
 * the catalog's version (one small read) is compared with the version the rows were last
 * built from, and only a change rebuilds them. Concurrent sessions share one rebuild.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';
import type { QueryRunner } from '../engine/query-runner.js';
import type { QueryAst } from '../engine/query-runner.js';
import { emulatedFunctions, emulatedRelations } from '../sql/rewrite/emulation.js';
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

/** Functions whose answer does not depend on the catalog's rows. */
const SESSION_FUNCTIONS: ReadonlySet<string> = new Set([
  'version', 'current_database', 'current_user', 'session_user', 'current_role', 'current_schema', 'current_schemas',
  'pg_backend_pid', 'pg_postmaster_start_time', 'pg_is_in_recovery', 'txid_current', 'pg_client_encoding',
  'inet_server_addr', 'inet_server_port', 'quote_ident', 'quote_literal', 'array_upper', 'array_lower', 'btrim',
]);

/**
 * Whether a query may read the emulation's rows: it names a catalog relation or schema, a
 * catalog function, or casts to an OID type (regclass …). Others (queries over the
 * federation's tables) skip the version check. Errs towards yes.
 */
export function readsCatalog(query: QueryAst): boolean {
  const visit = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(visit);
    if (value === null || typeof value !== 'object') return false;
    const node = value as Record<string, unknown>;
    const range = node['RangeVar'] as { schemaname?: string; relname?: string } | undefined;
    if (range && (range.schemaname === 'pg_catalog' || range.schemaname === 'information_schema' || emulatedRelations.has(range.relname ?? ''))) {
      return true;
    }
    if (typeof node['sval'] === 'string') {
      const name = node['sval'];
      if ((emulatedFunctions.has(name) && !SESSION_FUNCTIONS.has(name)) || /^reg[a-z]+$/.test(name) || name === 'pg_catalog') return true;
    }
    return Object.values(node).some(visit);
  };
  return visit(query);
}

/** A runner that brings the emulation up to date before preparing a query that reads it. */
export function catalogRefreshingRunner(runner: QueryRunner, sync: PgCatalogSync): QueryRunner {
  return {
    async prepare(query, clientParamTypes, session) {
      if (readsCatalog(query)) await sync.ensureFresh();
      return runner.prepare(query, clientParamTypes, session);
    },
    async explain(query, session) {
      if (readsCatalog(query)) await sync.ensureFresh();
      return runner.explain(query, session);
    },
    close: () => runner.close(),
  };
}
