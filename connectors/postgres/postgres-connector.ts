/**
 * A PostgreSQL database as a party's engine, through node-postgres with a pool. Results
 * stream through a server-side cursor inside a read-only transaction, so a large fragment
 * never sits whole in memory; cancel sends PostgreSQL's CancelRequest for the backend.
 */
import pg from 'pg';
import { connect as netConnect } from 'node:net';
import { PostgresDialect } from '../../dialect/index.js';
import { textDecoder, defaultCodecContext } from '../../src/sql/types/index.js';
import { PgError, toPgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';
import { repeatOnAbort } from '../repeat-on-abort.js';
import type { ColumnBatch, Connector, ExecuteOptions, FragmentStream, RemoteColumn, RemoteTable, RemoteTableName } from '../connector.js';

export interface PostgresConnectorOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  /** Connections kept open for fragments. */
  poolSize?: number;
  ssl?: pg.ClientConfig['ssl'];
  connectTimeoutMs?: number;
}

/** How often a CancelRequest is sent again while a cancelled fragment is still running. */
const CANCEL_RESEND_MS = 500;

/** Results arrive as text and are decoded by C2D's own codecs, one decoder per column. */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export class PostgresConnector implements Connector {
  readonly engine = 'postgres' as const;
  readonly dialect = new PostgresDialect();
  private readonly pool: pg.Pool;

  constructor(private readonly options: PostgresConnectorOptions) {
    this.pool = new pg.Pool({
      host: options.host,
      port: options.port,
      database: options.database,
      user: options.user,
      password: options.password,
      ssl: options.ssl,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      types: rawTypes,
      application_name: 'c2d-party',
      // Fragments are emitted assuming these; the dialect quotes accordingly.
      options: '-c standard_conforming_strings=on -c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3',
    });
    // An idle client's error (server restart) must not crash the party.
    this.pool.on('error', () => {});
  }

  async listTables(schema?: string): Promise<RemoteTableName[]> {
    const result = await this.query(
      `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%' AND ($1::text IS NULL OR n.nspname = $1) ORDER BY 1, 2`,
      [schema ?? null],
    );
    return result.rows.map(([s, n]) => ({ schema: String(s), name: String(n) }));
  }

  async describeTable(table: RemoteTableName): Promise<RemoteTable> {
    const result = await this.query(
      `SELECT a.attname, a.atttypid, a.atttypmod, NOT a.attnotnull FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [table.schema, table.name],
    );
    if (result.rows.length === 0) {
      throw new PgError(SqlState.undefinedTable, `relation "${table.schema}.${table.name}" does not exist`);
    }
    const columns: RemoteColumn[] = result.rows.map(([name, oid, typmod, nullable]) => ({
      name: String(name),
      typeOid: Number(oid),
      typmod: Number(typmod),
      nullable: nullable === 't',
    }));
    return { ...table, columns };
  }

  async execute(sql: string, options: ExecuteOptions): Promise<FragmentStream> {
    const client = await this.connect();
    const { signal } = options;
    // A CancelRequest that reaches the backend between two statements (or before the next
    // has started) is ignored: it goes again until the fragment lets go.
    const detach = repeatOnAbort(signal, () => void sendCancel(this.options, client), CANCEL_RESEND_MS);
    // No statement starts once the fragment is cancelled.
    const run = (text: string): Promise<pg.QueryArrayResult> => {
      signal.throwIfAborted();
      return client.query({ text, rowMode: 'array' });
    };
    try {
      if (options.smallResult) {
        const result = await run(sql);
        return new PostgresFragment(fieldsOf(result), client, result.rows as unknown[][], null, signal, detach);
      }
      await run('BEGIN READ ONLY');
      await run(`DECLARE c2d_fragment NO SCROLL CURSOR FOR ${sql}`);
      const batchRows = options.batchRows ?? 8192;
      // The first FETCH also gives the row shape.
      const first = await run(`FETCH ${batchRows} FROM c2d_fragment`);
      return new PostgresFragment(fieldsOf(first), client, first.rows as unknown[][], batchRows, signal, detach);
    } catch (error) {
      detach();
      if (!options.smallResult) await client.query('ROLLBACK').catch(() => {});
      // A cancelled backend is not reused: a CancelRequest still on its way must not reach another query.
      client.release(signal.aborted);
      throw connectorError(error, signal);
    }
  }

  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PgError(SqlState.connectionFailure, `PostgreSQL at ${this.options.host}:${this.options.port} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.query('SELECT 1', []), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new PgError(
        SqlState.fdwUnableToEstablishConnection,
        `could not connect to PostgreSQL at ${this.options.host}:${this.options.port}: ${(error as Error).message}`,
      );
    }
  }

  private async query(text: string, values: unknown[]): Promise<pg.QueryArrayResult> {
    const client = await this.connect();
    try {
      return await client.query({ text, values, rowMode: 'array' });
    } catch (error) {
      throw connectorError(error);
    } finally {
      client.release();
    }
  }
}

class PostgresFragment implements FragmentStream {
  private done = false;
  private readonly decoders: Array<(text: string) => unknown>;

  constructor(
    readonly columns: readonly RemoteColumn[],
    private readonly client: pg.PoolClient,
    private pending: unknown[][] | null,
    /** Rows per FETCH from the cursor; null when the whole result came at once (no cursor). */
    private readonly batchRows: number | null,
    private readonly signal: AbortSignal,
    private readonly detach: () => void,
  ) {
    this.decoders = columns.map((c) => {
      const decode = textDecoder(c.typeOid);
      return (text: string) => decode(text, defaultCodecContext);
    });
  }

  async *batches(): AsyncIterable<ColumnBatch> {
    try {
      for (;;) {
        let rows = this.pending;
        this.pending = null;
        if (rows === null) {
          this.signal.throwIfAborted();
          const result = await this.client.query({ text: `FETCH ${this.batchRows} FROM c2d_fragment`, rowMode: 'array' });
          rows = result.rows as unknown[][];
        }
        if (rows.length > 0) yield this.toBatch(rows);
        if (this.batchRows === null || rows.length < this.batchRows) break;
      }
    } catch (error) {
      throw connectorError(error, this.signal);
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.detach();
    try {
      if (this.batchRows !== null) await this.client.query('ROLLBACK');
      // A cancelled backend is not reused: a CancelRequest still on its way must not reach another query.
      this.client.release(this.signal.aborted);
    } catch {
      // A broken connection is not put back into the pool.
      this.client.release(true);
    }
  }

  private toBatch(rows: unknown[][]): ColumnBatch {
    const columns = this.decoders.map((decode, c) => {
      const out = new Array<unknown>(rows.length);
      for (let r = 0; r < rows.length; r++) {
        const text = rows[r]![c];
        out[r] = text === null ? null : decode(text as string);
      }
      return out;
    });
    return { rowCount: rows.length, columns };
  }
}

function fieldsOf(result: pg.QueryArrayResult): RemoteColumn[] {
  return result.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID, typmod: f.dataTypeModifier, nullable: true }));
}

/** PostgreSQL errors keep their SQLSTATE; a cancel we asked for is 57014. */
function connectorError(error: unknown, signal?: AbortSignal): PgError {
  if (signal?.aborted) return new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
  const e = error as { code?: string; message?: string };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    // The owner's PostgreSQL is the authority on its own errors: its SQLSTATE passes through as is.
    return new PgError(e.code as SqlState, e.message ?? 'PostgreSQL error');
  }
  return toPgError(error);
}

/** PostgreSQL's CancelRequest: a new connection carrying the backend's pid and secret key. */
function sendCancel(options: PostgresConnectorOptions, client: pg.PoolClient): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve) => {
    const socket = netConnect(options.port, options.host, () => {
      const message = Buffer.alloc(16);
      message.writeInt32BE(16, 0);
      message.writeInt32BE(80877102, 4);
      message.writeInt32BE(processID, 8);
      message.writeInt32BE(secretKey, 12);
      socket.end(message);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}
