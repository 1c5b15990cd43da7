/**
 * A DuckDB database file (or an in-memory instance) as a party's engine. Each running
 * fragment streams on its own connection, so fragments can overlap and be interrupted
 * one by one.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { DuckDbDialect } from '../../dialect/index.js';
import { pgTypeOfDuckDbType } from '../../src/sql/index.js';
import { PgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';
import { pgErrorFromDuckDb } from './duckdb-errors.js';
import { acquireConnection, closeIdleConnections, releaseConnection } from './duckdb-connection-pool.js';
import { preparedStatement } from './duckdb-statement-cache.js';
import { repeatOnAbort } from '../repeat-on-abort.js';
import { pgColumnType, type PgColumnType } from './duckdb-pg-types.js';
import { readColumn } from './duckdb-column-reader.js';
import type { ColumnBatch, Connector, ExecuteOptions, FragmentStream, RemoteColumn, RemoteTable, RemoteTableName } from '../connector.js';

export interface DuckDbConnectorOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Parties open their data read-only: C2D never writes to an owner's engine. */
  readOnly?: boolean;
}

export class DuckDbConnector implements Connector {
  readonly engine = 'duckdb' as const;
  readonly dialect = new DuckDbDialect();

  private constructor(private readonly instance: DuckDBInstance, private readonly ownsInstance: boolean) {}

  static async open(options: DuckDbConnectorOptions): Promise<DuckDbConnector> {
    const config: Record<string, string> = options.readOnly === false ? {} : { access_mode: 'READ_ONLY' };
    try {
      return new DuckDbConnector(await DuckDBInstance.create(options.path, options.path === ':memory:' ? {} : config), true);
    } catch (error) {
      throw new PgError(SqlState.fdwUnableToEstablishConnection, `could not open DuckDB database "${options.path}": ${(error as Error).message}`);
    }
  }

  /** Wraps an instance someone else owns (the embedded demo, tests). */
  static over(instance: DuckDBInstance): DuckDbConnector {
    return new DuckDbConnector(instance, false);
  }

  async listTables(schema?: string): Promise<RemoteTableName[]> {
    return this.withConnection(async (c) => {
      const filter = schema === undefined ? '' : ` AND schema_name = ${this.dialect.quoteString(schema)}`;
      const reader = await c.runAndReadAll(
        `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal${filter}
         UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal${filter}
         ORDER BY 1, 2`,
      );
      return reader.getRowsJS().map(([s, n]) => ({ schema: String(s), name: String(n) }));
    });
  }

  async describeTable(table: RemoteTableName): Promise<RemoteTable> {
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll(
        `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
          WHERE database_name = current_database() AND schema_name = ${this.dialect.quoteString(table.schema)}
            AND table_name = ${this.dialect.quoteString(table.name)} ORDER BY column_index`,
      );
      const rows = reader.getRowsJS();
      if (rows.length === 0) {
        throw new PgError(SqlState.undefinedTable, `relation "${table.schema}.${table.name}" does not exist`);
      }
      const columns: RemoteColumn[] = rows.map(([name, type, nullable]) => {
        const pg = pgTypeOfDuckDbType(String(type));
        return { name: String(name), typeOid: pg.oid, typmod: pg.typmod, nullable: Boolean(nullable) };
      });
      return { ...table, columns };
    });
  }

  async execute(sql: string, options: ExecuteOptions): Promise<FragmentStream> {
    const connection = await acquireConnection(this.instance);
    const { signal } = options;
    // An interrupt while nothing runs on the connection (between prepare and execute) is lost
    // when the statement starts: it is repeated until the fragment lets go.
    const detach = repeatOnAbort(signal, () => connection.interrupt(), INTERRUPT_REPEAT_MS);
    try {
      signal.throwIfAborted();
      // A fragment is one statement, so it is prepared directly (connection.stream would first
      // split the text into statements: one more trip through the thread pool), once per
      // pooled connection (duckdb-statement-cache.ts). Not
      // connection.run, even for small results: its call holds the event loop for 1.5-3 ms on
      // a 3 M-row aggregate (measured), where prepare and stream return at once.
      const result = await (await preparedStatement(connection, sql)).stream();
      const types = result.columnTypes().map(pgColumnType);
      const columns = result.columnNames().map((name, i) => ({ name, typeOid: types[i]!.oid, typmod: types[i]!.typmod, nullable: true }));
      return new DuckDbFragment(columns, types, result, signal, (clean) => {
        detach();
        releaseConnection(this.instance, connection, clean);
      });
    } catch (error) {
      detach();
      releaseConnection(this.instance, connection, false);
      throw fragmentError(error, signal);
    }
  }

  async ping(): Promise<void> {
    await this.withConnection((c) => c.run('SELECT 1'));
  }

  async close(): Promise<void> {
    closeIdleConnections(this.instance);
    if (this.ownsInstance) this.instance.closeSync();
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await acquireConnection(this.instance);
    let clean = false;
    try {
      const result = await fn(connection);
      clean = true;
      return result;
    } catch (error) {
      throw pgErrorFromDuckDb(error);
    } finally {
      releaseConnection(this.instance, connection, clean);
    }
  }
}

/** How often an interrupt is repeated while a cancelled fragment is still running. */
const INTERRUPT_REPEAT_MS = 100;

/** Whatever ended a cancelled fragment (DuckDB's interrupt, or the signal seen first), the client's answer is 57014. */
function fragmentError(error: unknown, signal: AbortSignal): PgError {
  if (signal.aborted) return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
  return pgErrorFromDuckDb(error);
}

class DuckDbFragment implements FragmentStream {
  private closed = false;

  constructor(
    readonly columns: readonly RemoteColumn[],
    private readonly types: readonly PgColumnType[],
    private readonly result: DuckDBResult,
    private readonly signal: AbortSignal,
    /** Stops the interrupts and gives the connection back: to the pool when the result was read to its end. */
    private readonly release: (clean: boolean) => void,
  ) {}

  private exhausted = false;

  async *batches(): AsyncIterable<ColumnBatch> {
    try {
      for (;;) {
        const chunk = await this.result.fetchChunk();
        this.signal.throwIfAborted();
        if (!chunk || chunk.rowCount === 0) {
          this.exhausted = true;
          break;
        }
        const columns = this.types.map((type, c) => readColumn(chunk, c, type));
        yield { rowCount: chunk.rowCount, columns };
      }
    } catch (error) {
      throw fragmentError(error, this.signal);
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.release(this.exhausted && !this.signal.aborted);
  }
}
