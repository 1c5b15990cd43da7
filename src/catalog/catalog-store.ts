/**
 * The federation catalog: parties (servers), user mappings, schemas, foreign and
 * federated (partitioned) tables, column security labels, roles and the audit ledger,
 * kept with knex in a SQLite file or a PostgreSQL database. Each DDL statement the
 * binder accepts is one call here and one transaction there.
 */
import knexFactory, { type Knex } from 'knex';
import type { LedgerEntry, RoleEntry } from './catalog-entries.js';
import { catalogBackend, type CatalogBackend, knexConfig, redactLocation } from './catalog-location.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { catalogMigrationSource, MIGRATIONS_TABLE } from './catalog-migrations.js';
import type {
  AlterRelationRequest,
  AlterRoleRequest,
  AlterSchemaRequest,
  AlterServerRequest,
  AlterUserMappingRequest,
  CreateForeignTableRequest,
  CreatePartitionedTableRequest,
  CreateRoleRequest,
  CreateSchemaRequest,
  CreateServerRequest,
  CreateUserMappingRequest,
  DropRelationsRequest,
  DropRolesRequest,
  DropSchemasRequest,
  DropServersRequest,
  DropUserMappingRequest,
  ImportForeignSchemaRequest,
  LedgerAppend,
  LedgerQuery,
  SecurityLabelRequest,
} from './catalog-requests.js';
import { readCatalogData } from './catalog-rows.js';
import { CatalogSnapshot } from './catalog-snapshot.js';
import type { CatalogWriter } from './catalog-writer.js';
import { alterRelation } from './alter-relation.js';
import { appendLedger, queryLedger } from './audit-ledger.js';
import { type DdlOutcome, runDdl } from './ddl-transaction.js';
import { ensureMigrationTables } from './migration-bookkeeping.js';
import {
  createForeignTable,
  createPartitionedTable,
  dropRelations,
  importForeignSchema,
} from './relation-ddl.js';
import { alterRole, createRole, dropRoles } from './role-ddl.js';
import { alterSchema, createSchema, dropSchemas } from './schema-ddl.js';
import { setSecurityLabel } from './security-label-ddl.js';
import { alterServer, createServer, dropServers } from './server-ddl.js';
import { retryTransient } from './transient-errors.js';
import { alterUserMapping, createUserMapping, dropUserMapping } from './user-mapping-ddl.js';

export class CatalogStore {
  private ddlRuns = 0;
  private lastVersion: { value: number; at: number; ddlRuns: number } | null = null;
  private renewing: Promise<unknown> | null = null;

  private constructor(
    private readonly knex: Knex,
    readonly backend: CatalogBackend,
  ) {}

  /**
   * Opens (creating if need be) the catalog at a SQLite file path or a
   * `postgres://` / `postgresql://` URL, and brings its schema up to date.
   */
  static async open(location: string): Promise<CatalogStore> {
    const knex = knexFactory(knexConfig(location));
    try {
      await retryTransient(
        async () => {
          await ensureMigrationTables(knex, MIGRATIONS_TABLE);
          await knex.migrate.latest({ migrationSource: catalogMigrationSource, tableName: MIGRATIONS_TABLE });
        },
        { migrating: true },
      );
    } catch (error) {
      await knex.destroy();
      throw new PgError(SqlState.connectionFailure, `could not open the federation catalog at ${redactLocation(location)}: ${(error as Error).message}`);
    }
    return new CatalogStore(knex, catalogBackend(location));
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  /** The whole catalog, consistent as of one moment. */
  async snapshot(): Promise<CatalogSnapshot> {
    const read = async (trx: Knex.Transaction): Promise<CatalogSnapshot> => {
      const { version, data } = await readCatalogData(trx);
      return new CatalogSnapshot(version, data);
    };
    return retryTransient(() =>
      this.backend === 'postgres'
        ? this.knex.transaction(read, { isolationLevel: 'repeatable read', readOnly: true })
        : this.knex.transaction(read),
    );
  }

  /**
   * Bumped by every DDL statement, whichever gateway ran it: cheap staleness check. With
   * `maxAgeMs`, a version read less than that long ago answers, unless this store has run
   * DDL since: this gateway's own DDL shows at once, other gateways' within `maxAgeMs`.
   * A read past half that age is renewed in the background while it still answers, so
   * that queries coming steadily never wait for one.
   */
  async version(maxAgeMs = 0): Promise<number> {
    const last = this.lastVersion;
    const age = last ? performance.now() - last.at : Infinity;
    if (last && last.ddlRuns === this.ddlRuns && age < maxAgeMs) {
      if (age >= maxAgeMs / 2 && this.renewing === null) {
        this.renewing = this.readVersion()
          .catch(() => undefined) // the next query reads it again, and reports what fails
          .finally(() => (this.renewing = null));
      }
      return last.value;
    }
    return this.readVersion();
  }

  private async readVersion(): Promise<number> {
    const read = { ddlRuns: this.ddlRuns, at: performance.now() };
    const [row] = (await this.knex('c2d_catalog_state').where({ id: 1 }).select('version')) as { version: unknown }[];
    const value = Number(row!.version);
    // A read that started before a later one finished does not replace it.
    if (!this.lastVersion || this.lastVersion.at <= read.at) this.lastVersion = { ...read, value };
    return value;
  }

  /** Runs a DDL statement; the count moves before and after, so no version read during it is reused. */
  private async ddl(statement: (writer: CatalogWriter) => Promise<void>): Promise<DdlOutcome> {
    this.ddlRuns++;
    try {
      return await runDdl(this.knex, statement);
    } finally {
      this.ddlRuns++;
    }
  }

  /** One role by name, for authentication (a single-row read, not a snapshot). */
  async findRole(name: string): Promise<RoleEntry | undefined> {
    const [row] = (await this.knex('c2d_roles').where({ name })) as Record<string, unknown>[];
    if (!row) return undefined;
    return {
      oid: Number(row.oid),
      name: String(row.name),
      verifier: row.verifier === null ? null : String(row.verifier),
      canLogin: row.can_login === true || row.can_login === 1,
      superuser: row.superuser === true || row.superuser === 1,
    };
  }

  createServer(request: CreateServerRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createServer(w, request));
  }
  alterServer(request: AlterServerRequest): Promise<DdlOutcome> {
    return this.ddl((w) => alterServer(w, request));
  }
  dropServers(request: DropServersRequest): Promise<DdlOutcome> {
    return this.ddl((w) => dropServers(w, request));
  }

  createUserMapping(request: CreateUserMappingRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createUserMapping(w, request));
  }
  alterUserMapping(request: AlterUserMappingRequest): Promise<DdlOutcome> {
    return this.ddl((w) => alterUserMapping(w, request));
  }
  dropUserMapping(request: DropUserMappingRequest): Promise<DdlOutcome> {
    return this.ddl((w) => dropUserMapping(w, request));
  }

  createSchema(request: CreateSchemaRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createSchema(w, request));
  }
  alterSchema(request: AlterSchemaRequest): Promise<DdlOutcome> {
    return this.ddl((w) => alterSchema(w, request));
  }
  dropSchemas(request: DropSchemasRequest): Promise<DdlOutcome> {
    return this.ddl((w) => dropSchemas(w, request));
  }

  createForeignTable(request: CreateForeignTableRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createForeignTable(w, request));
  }
  createPartitionedTable(request: CreatePartitionedTableRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createPartitionedTable(w, request));
  }
  importForeignSchema(request: ImportForeignSchemaRequest): Promise<DdlOutcome> {
    return this.ddl((w) => importForeignSchema(w, request));
  }
  alterRelation(request: AlterRelationRequest): Promise<DdlOutcome> {
    return this.ddl((w) => alterRelation(w, request));
  }
  dropRelations(request: DropRelationsRequest): Promise<DdlOutcome> {
    return this.ddl((w) => dropRelations(w, request));
  }

  setSecurityLabel(request: SecurityLabelRequest): Promise<DdlOutcome> {
    return this.ddl((w) => setSecurityLabel(w, request));
  }

  createRole(request: CreateRoleRequest): Promise<DdlOutcome> {
    return this.ddl((w) => createRole(w, request));
  }
  alterRole(request: AlterRoleRequest): Promise<DdlOutcome> {
    return this.ddl((w) => alterRole(w, request));
  }
  dropRoles(request: DropRolesRequest): Promise<DdlOutcome> {
    return this.ddl((w) => dropRoles(w, request));
  }

  appendLedger(entry: LedgerAppend): Promise<LedgerEntry> {
    return appendLedger(this.knex, entry);
  }
  queryLedger(query?: LedgerQuery): Promise<LedgerEntry[]> {
    return queryLedger(this.knex, query);
  }
}
