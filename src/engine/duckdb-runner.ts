/**
 * QueryRunner over an in-process DuckDB instance. Each open result streams on a
 * connection of its own, because a DuckDB connection holds one streaming result at a
 * time while a PostgreSQL session may hold many open portals and cursors.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBResult, DuckDBDataChunk } from '@duckdb/node-api';
import type { FieldDescription } from '../server/engine.js';
import { typeSize } from '../sql/types/index.js';
import { resultTypeHints, toDuckDbSql, type SessionValues } from '../sql/index.js';
import { TypeOid } from '../sql/types/index.js';
import { pgColumnType, type PgColumnType } from '../../connectors/duckdb/duckdb-pg-types.js';
import { readColumn } from '../../connectors/duckdb/duckdb-column-reader.js';
import { bindParams, inferParamTypes } from './duckdb-params.js';
import { pgErrorFromDuckDb } from '../../connectors/duckdb/duckdb-errors.js';
import { acquireConnection, releaseConnection } from '../../connectors/duckdb/duckdb-connection-pool.js';
import type { PreparedQuery, QueryAst, QueryRunner, RowSource } from './query-runner.js';

export class DuckDbRunner implements QueryRunner {
  constructor(private readonly instance: DuckDBInstance) {}

  async prepare(query: QueryAst, clientParamTypes: readonly number[], session: SessionValues): Promise<PreparedQuery> {
    const sql = toDuckDbSql(query, session);
    const connection = await acquireConnection(this.instance);
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await connection.prepare(sql);
    } catch (error) {
      releaseConnection(this.instance, connection, true);
      throw pgErrorFromDuckDb(error);
    }
    const paramTypes = inferParamTypes(prepared, clientParamTypes);
    const columns: PgColumnType[] = [];
    const fields: FieldDescription[] = [];
    const hints = resultTypeHints(query);
    for (let i = 0; i < prepared.columnCount; i++) {
      const column = withHint(pgColumnType(prepared.columnType(i)), hints[i]);
      columns.push(column);
      fields.push({
        name: prepared.columnName(i),
        tableOid: 0,
        columnAttr: 0,
        typeOid: column.oid,
        typeSize: typeSize(column.oid),
        typeModifier: column.typmod,
      });
    }
    return new DuckDbPreparedQuery(this.instance, sql, paramTypes, fields, columns, { connection, prepared });
  }

  async explain(query: QueryAst, session: SessionValues): Promise<string[]> {
    const connection = await acquireConnection(this.instance);
    try {
      const reader = await connection.runAndReadAll(`EXPLAIN ${toDuckDbSql(query, session)}`);
      const lines: string[] = [];
      for (const row of reader.getRows()) lines.push(...String(row[1]).split('\n'));
      return lines;
    } catch (error) {
      throw pgErrorFromDuckDb(error);
    } finally {
      releaseConnection(this.instance, connection, true);
    }
  }

  async close(): Promise<void> {}
}

/** Text-like PostgreSQL types DuckDB represents as VARCHAR. */
const TEXT_LIKE = new Set<number>([TypeOid.varchar, TypeOid.bpchar, TypeOid.name, TypeOid.char, TypeOid.json, TypeOid.jsonb]);

/** A VARCHAR result the query cast to a text-like PostgreSQL type is reported as that type. */
function withHint(column: PgColumnType, hint: { oid: number; typmod: number } | null | undefined): PgColumnType {
  if (!hint || column.oid !== TypeOid.text || !TEXT_LIKE.has(hint.oid)) return column;
  return { ...column, oid: hint.oid, typmod: hint.typmod };
}

interface Slot {
  connection: DuckDBConnection;
  prepared: DuckDBPreparedStatement;
}

class DuckDbPreparedQuery implements PreparedQuery {
  /** One idle connection with the statement prepared, reused by the next open(). */
  private idle: Slot | null;
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly sql: string,
    readonly paramTypes: readonly number[],
    readonly fields: readonly FieldDescription[],
    private readonly columns: readonly PgColumnType[],
    idle: Slot,
  ) {
    this.idle = idle;
  }

  async open(params: readonly unknown[], signal: AbortSignal): Promise<RowSource> {
    const slot = this.idle ?? (await this.newSlot());
    this.idle = null;
    const interrupt = (): void => slot.connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      signal.throwIfAborted();
      slot.prepared.clearBindings();
      bindParams(slot.prepared, this.paramTypes, params);
      const result = await slot.prepared.stream();
      return new DuckDbRowSource(this.fields, this.columns, result, slot, (s) => this.release(s));
    } catch (error) {
      this.discard(slot, false);
      throw pgErrorFromDuckDb(error);
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  }

  close(): void {
    this.closed = true;
    if (this.idle) this.discard(this.idle);
    this.idle = null;
  }

  private async newSlot(): Promise<Slot> {
    const connection = await acquireConnection(this.instance);
    try {
      return { connection, prepared: await connection.prepare(this.sql) };
    } catch (error) {
      releaseConnection(this.instance, connection, true);
      throw pgErrorFromDuckDb(error);
    }
  }

  private release(slot: Slot): void {
    if (this.closed || this.idle) this.discard(slot);
    else this.idle = slot;
  }

  private discard(slot: Slot, clean = true): void {
    slot.prepared.destroySync();
    releaseConnection(this.instance, slot.connection, clean);
  }
}

class DuckDbRowSource implements RowSource {
  /** The current chunk, column-major; rows are built only for callers that want rows. */
  private columnsOfChunk: unknown[][] = [];
  private rowCount = 0;
  private offset = 0;
  private exhausted = false;
  private released = false;
  private prefetched: Promise<DuckDBDataChunk | null> | null = null;

  constructor(
    readonly fields: readonly FieldDescription[],
    private readonly columns: readonly PgColumnType[],
    private readonly result: DuckDBResult,
    private readonly slot: Slot,
    private readonly release: (slot: Slot) => void,
  ) {}

  async fetch(maxRows: number, signal: AbortSignal): Promise<{ rows: unknown[][]; done: boolean }> {
    const limit = maxRows > 0 ? maxRows : Infinity;
    const rows: unknown[][] = [];
    await this.guard(signal, async () => {
      while (rows.length < limit) {
        if (this.offset >= this.rowCount && (this.exhausted || !(await this.nextChunk()))) break;
        const take = Math.min(limit - rows.length, this.rowCount - this.offset);
        const width = this.columnsOfChunk.length;
        for (let i = 0; i < take; i++) {
          const row = new Array<unknown>(width);
          for (let c = 0; c < width; c++) row[c] = this.columnsOfChunk[c]![this.offset + i];
          rows.push(row);
        }
        this.offset += take;
      }
    });
    return { rows, done: await this.finishIfDone() };
  }

  async fetchColumns(signal: AbortSignal): Promise<{ columns: unknown[][]; rowCount: number; done: boolean }> {
    let columns: unknown[][] = [];
    let rowCount = 0;
    await this.guard(signal, async () => {
      if (this.offset >= this.rowCount && (this.exhausted || !(await this.nextChunk()))) return;
      columns = this.offset === 0 ? this.columnsOfChunk : this.columnsOfChunk.map((col) => col.slice(this.offset));
      rowCount = this.rowCount - this.offset;
      this.offset = this.rowCount;
    });
    return { columns, rowCount, done: await this.finishIfDone() };
  }

  /** Runs `work` with cancel wired to DuckDB's interrupt; any failure closes the source. */
  private async guard(signal: AbortSignal, work: () => Promise<void>): Promise<void> {
    const interrupt = (): void => this.slot.connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      await work();
      signal.throwIfAborted();
    } catch (error) {
      await this.close();
      throw pgErrorFromDuckDb(error);
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  }

  private async finishIfDone(): Promise<boolean> {
    const done = this.exhausted && this.offset >= this.rowCount;
    if (done) await this.close();
    return done;
  }

  /** Loads the next non-empty chunk; false at the end of the result. */
  private async nextChunk(): Promise<boolean> {
    const chunk = await (this.prefetched ?? this.result.fetchChunk());
    // DuckDB computes the next chunk on its own thread while this one is encoded and sent.
    this.prefetched = chunk && chunk.rowCount > 0 ? this.result.fetchChunk() : null;
    this.prefetched?.catch(() => {});
    this.offset = 0;
    if (!chunk || chunk.rowCount === 0) {
      this.exhausted = true;
      this.columnsOfChunk = [];
      this.rowCount = 0;
      return false;
    }
    this.columnsOfChunk = this.columns.map((type, c) => readColumn(chunk, c, type));
    this.rowCount = chunk.rowCount;
    return true;
  }

  async close(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.exhausted = true;
    this.columnsOfChunk = [];
    this.rowCount = 0;
    // A chunk still being computed must finish (or fail) before the connection is reused.
    if (this.prefetched) {
      this.slot.connection.interrupt();
      await this.prefetched.catch(() => null);
      this.prefetched = null;
    }
    this.release(this.slot);
  }
}
