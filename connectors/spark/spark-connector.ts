/**
 * Spark as a party's engine, through Spark Connect (gRPC, results as Arrow IPC batches).
 * One Spark Connect session per connector; each fragment is one ExecutePlan of a SQL
 * relation with its own operation id, so cancelling it is an Interrupt of that operation.
 */
import { randomUUID } from 'node:crypto';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { SparkDialect } from '../../dialect/index.js';
import { PgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';
import { SparkConnectClient, type ExecutePlanResponse, type ProtoStructField } from './spark-connect-client.js';
import { pgErrorFromSpark } from './spark-errors.js';
import { pgTypeOfArrowField, pgTypeOfSparkType, type ArrowColumnType } from './spark-pg-types.js';
import type { ColumnBatch, Connector, ExecuteOptions, FragmentStream, RemoteColumn, RemoteTable, RemoteTableName } from '../connector.js';

export interface SparkConnectorOptions {
  /** sc://host:port */
  url: string;
}

const DEFAULT_BATCH_ROWS = 4096;

/** Set on every session before its first statement (see SparkConnector.ready). */
const SESSION_SETTINGS: Readonly<Record<string, string>> = {
  'spark.sql.variable.substitute': 'false',
  'spark.sql.session.timeZone': 'UTC',
  'spark.sql.ansi.enabled': 'true',
  'spark.sql.parser.escapedStringLiterals': 'false',
  'spark.sql.parser.quotedRegexColumnNames': 'false',
  'spark.sql.orderByOrdinal': 'true',
  'spark.sql.groupByOrdinal': 'true',
};

export class SparkConnector implements Connector {
  readonly engine = 'spark' as const;
  readonly dialect = new SparkDialect();
  private readonly client: SparkConnectClient;

  constructor(private readonly options: SparkConnectorOptions) {
    try {
      this.client = new SparkConnectClient(options.url);
    } catch (error) {
      throw new PgError(SqlState.sqlclientUnableToEstablishConnection, (error as Error).message);
    }
  }

  private session: Promise<void> | undefined;

  /**
   * The session's settings, made before its first statement, whatever the server's defaults:
   * - Spark substitutes ${var}, ${env:VAR} and ${system:prop} anywhere in SQL text, inside
   *   string literals and quoted identifiers too, before parsing: a literal could read the
   *   server's environment. Substitution is off.
   * - The time zone is UTC, as the PostgreSQL connector's: a fragment comparing a TIMESTAMP
   *   with a DATE or a TIMESTAMP_NTZ would otherwise mean another instant in the server's zone.
   * - ANSI mode is on (Spark 4's default, which a server may turn off): without it an integer
   *   overflow wraps and a bad cast gives NULL, so a filter silently keeps other rows than
   *   PostgreSQL's, where both are errors.
   * - The SQL text means what the dialect (dialect/spark-dialect.ts) wrote, whatever the
   *   server's defaults: a backslash escapes inside '…' (with escapedStringLiterals a
   *   quoted literal could end early), `…` names a column and is no regular expression,
   *   and ORDER BY 2 is the second output column, not a constant.
   */
  private ready(): Promise<void> {
    this.session ??= this.client.setConfig(SESSION_SETTINGS).catch((error: unknown) => {
      this.session = undefined;
      throw pgErrorFromSpark(error, this.client.target);
    });
    return this.session;
  }

  get sessionId(): string {
    return this.client.sessionId;
  }

  /**
   * Runs `work` in a session with the settings made. A session the server no longer has
   * (it closes one idle for spark.connect.session.manager.defaultSessionTimeout, an hour by
   * default, and a restart loses all) answers every later call with INVALID_HANDLE; then a
   * new session is started, its settings made, and `work` tried once more (nothing of it
   * ran: the server refused it before starting).
   */
  private async withSession<T>(work: () => Promise<T>): Promise<T> {
    const current = this.client.sessionId;
    try {
      await this.ready();
      return await work();
    } catch (error) {
      if (!sessionGone(error)) throw error;
      // Concurrent calls that failed on the same session start one new session, not several.
      if (this.client.sessionId === current) {
        this.client.renewSession();
        this.session = undefined;
      }
      await this.ready();
      return work();
    }
  }

  async listTables(schema?: string): Promise<RemoteTableName[]> {
    const schemas = schema !== undefined ? [schema] : (await this.rows('SHOW NAMESPACES')).map((r) => String(r[0]));
    const tables: RemoteTableName[] = [];
    for (const s of schemas) {
      for (const [namespace, name, isTemporary] of await this.rows(`SHOW TABLES IN ${this.dialect.quoteIdentifier(s)}`)) {
        if (!isTemporary) tables.push({ schema: String(namespace), name: String(name) });
      }
    }
    return tables.sort((a, b) => (a.schema === b.schema ? cmp(a.name, b.name) : cmp(a.schema, b.schema)));
  }

  async describeTable(table: RemoteTableName): Promise<RemoteTable> {
    const identifier = `${this.dialect.quoteIdentifier(table.schema)}.${this.dialect.quoteIdentifier(table.name)}`;
    try {
      const schema = await this.withSession(() => this.client.schemaOf({ root: { read: { named_table: { unparsed_identifier: identifier } } } }));
      const fields = (schema['struct'] as { fields?: ProtoStructField[] }).fields ?? [];
      const columns = fields.map((f) => {
        const pg = pgTypeOfSparkType(f.data_type);
        return { name: f.name, typeOid: pg.oid, typmod: pg.typmod, nullable: f.nullable !== false };
      });
      return { ...table, columns };
    } catch (error) {
      const pg = pgErrorFromSpark(error, this.client.target);
      if (pg.code === SqlState.undefinedTable) throw new PgError(SqlState.undefinedTable, `relation "${table.schema}.${table.name}" does not exist`);
      throw pg;
    }
  }

  async execute(sql: string, options: ExecuteOptions): Promise<FragmentStream> {
    return this.executeRelation({ sql: { query: sql } }, options);
  }

  private executeRelation(relation: object, options: ExecuteOptions): Promise<FragmentStream> {
    return this.withSession(() => this.startRelation(relation, options));
  }

  private async startRelation(relation: object, options: ExecuteOptions): Promise<FragmentStream> {
    options.signal.throwIfAborted();
    const operationId = randomUUID();
    const call = this.client.executeRelation(relation, operationId);
    const interrupt = (): void => {
      this.client.interrupt(operationId).catch(() => undefined);
      call.cancel();
    };
    options.signal.addEventListener('abort', interrupt, { once: true });
    const responses = call[Symbol.asyncIterator]() as AsyncIterator<ExecutePlanResponse>;
    try {
      // The first Arrow batch carries the schema (Spark sends one even for an empty result).
      for (;;) {
        const next = await responses.next();
        if (next.done) break;
        if (next.value.arrow_batch) {
          const table = tableFromIPC(next.value.arrow_batch.data);
          const fields = table.schema.fields;
          const types = fields.map(pgTypeOfArrowField);
          const columns = fields.map((f, i) => ({ name: f.name, typeOid: types[i]!.oid, typmod: types[i]!.typmod, nullable: f.nullable }));
          return new SparkFragment(columns, types, table.batches, responses, options, interrupt, this.client.target);
        }
      }
      options.signal.removeEventListener('abort', interrupt);
      return new SparkFragment([], [], [], undefined, options, interrupt, this.client.target);
    } catch (error) {
      options.signal.removeEventListener('abort', interrupt);
      call.cancel();
      if (options.signal.aborted) throw new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
      throw pgErrorFromSpark(error, this.client.target);
    }
  }

  async ping(timeoutMs: number): Promise<void> {
    try {
      await this.client.sparkVersion(timeoutMs).catch((error: unknown) => {
        if (!sessionGone(error)) throw error;
        // The server is up; only the session is gone (the next statement starts a new one).
        return undefined;
      });
    } catch (error) {
      const pg = pgErrorFromSpark(error, this.client.target);
      if (pg.code === SqlState.sqlclientUnableToEstablishConnection) {
        throw new PgError(pg.code, `Spark Connect at ${this.options.url} did not answer within ${timeoutMs} ms`);
      }
      throw pg;
    }
  }

  async close(): Promise<void> {
    await this.client.releaseSession().catch(() => undefined);
    this.client.close();
  }

  /** All rows of a statement (catalog commands, tests). */
  async rows(sql: string): Promise<unknown[][]> {
    return this.rowsOf({ sql: { query: sql } });
  }

  private async rowsOf(relation: object): Promise<unknown[][]> {
    const stream = await this.executeRelation(relation, { signal: new AbortController().signal });
    const rows: unknown[][] = [];
    for await (const batch of stream.batches()) {
      for (let r = 0; r < batch.rowCount; r++) rows.push(batch.columns.map((c) => c[r]));
    }
    return rows;
  }
}

/** Spark's answer for a session it closed, never had, or lost in a restart. */
function sessionGone(error: unknown): boolean {
  const e = error as { details?: unknown; message?: unknown };
  return /INVALID_HANDLE\.SESSION_(CLOSED|NOT_FOUND|CHANGED)/.test(`${String(e?.details ?? '')} ${String(e?.message ?? '')}`);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class SparkFragment implements FragmentStream {
  private closed = false;
  private exhausted = false;

  constructor(
    readonly columns: readonly RemoteColumn[],
    private readonly types: readonly ArrowColumnType[],
    private readonly first: RecordBatch[],
    private readonly responses: AsyncIterator<ExecutePlanResponse> | undefined,
    private readonly options: ExecuteOptions,
    private readonly interrupt: () => void,
    private readonly target: string,
  ) {}

  async *batches(): AsyncIterable<ColumnBatch> {
    const batchRows = Math.max(1, this.options.batchRows ?? DEFAULT_BATCH_ROWS);
    try {
      for (const batch of this.first) yield* this.slices(batch, batchRows);
      if (!this.responses) {
        this.exhausted = true;
        return;
      }
      for (;;) {
        const next = await this.responses.next();
        this.options.signal.throwIfAborted();
        if (next.done) {
          this.exhausted = true;
          break;
        }
        if (!next.value.arrow_batch) continue;
        for (const batch of tableFromIPC(next.value.arrow_batch.data).batches) yield* this.slices(batch, batchRows);
      }
    } catch (error) {
      if (this.options.signal.aborted) throw new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
      throw pgErrorFromSpark(error, this.target);
    } finally {
      await this.close();
    }
  }

  private *slices(batch: RecordBatch, batchRows: number): Iterable<ColumnBatch> {
    const vectors = this.types.map((_t, c) => batch.getChildAt(c)!);
    for (let start = 0; start < batch.numRows; start += batchRows) {
      const end = Math.min(batch.numRows, start + batchRows);
      const columns = this.types.map((type, c) => {
        const vector = vectors[c]!;
        const values = new Array<unknown>(end - start);
        for (let r = start; r < end; r++) values[r - start] = vector.isValid(r) ? type.read(vector, r) : null;
        return values;
      });
      this.options.signal.throwIfAborted();
      yield { rowCount: end - start, columns };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal.removeEventListener('abort', this.interrupt);
    // Stopped early: the operation may still be running on Spark.
    if (!this.exhausted && this.responses) this.interrupt();
  }
}
