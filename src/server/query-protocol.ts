/**
 * The simple and extended query protocols over one EngineSession: prepared statements,
 * portals, and PostgreSQL's error recovery (after an error in an extended-query message,
 * everything up to Sync is discarded; ReadyForQuery then reports I, T or E).
 * @see https://www.postgresql.org/docs/current/protocol-flow.html
 */
import type { Logger } from 'pino';
import type { EngineSession, Execution, PreparedStatement } from './engine.js';
import { PgError, toPgError } from './pg-error.js';
import { SqlState } from './sqlstate.js';
import type { PgConnection } from './connection.js';
import type { Frame } from './protocol/frame-reader.js';
import { FrontendType } from './protocol/message-types.js';
import { decodeUtf8 } from './protocol/message-reader.js';
import { decodeQuery } from './protocol/simple-query-messages.js';
import {
  bindComplete,
  checkFormatCount,
  closeComplete,
  decodeBind,
  decodeClose,
  decodeDescribe,
  decodeExecute,
  decodeParse,
  formatCodeAt,
  noData,
  parameterDescription,
  parseComplete,
  portalSuspended,
} from './protocol/extended-query-messages.js';
import { commandComplete, emptyQueryResponse, errorResponse, readyForQuery, rowDescription } from './protocol/response-messages.js';
import { FLUSH_THRESHOLD, columnsEncoder, rowEncoder, writeCopyOut, writeRows, type RowEncoder } from './result-writer.js';
import { binaryDecoder, textDecoder, TypeOid } from '../sql/types/index.js';

/** A prepared statement; portals made from it keep it alive after Close or a new unnamed Parse. */
interface StatementEntry {
  /** null: the empty query. */
  prepared: PreparedStatement | null;
  sql: string;
  portals: number;
  dropped: boolean;
}

interface Portal {
  name: string;
  statement: StatementEntry;
  params: unknown[];
  /** Result format code per column. */
  formats: number[];
  execution: Execution | null;
  encode: RowEncoder | null;
  rowsSent: number;
  state: 'ready' | 'done' | 'failed';
  closed: boolean;
}

/** Messages after which the client waits for ReadyForQuery. */
const endsExchange = (type: string): boolean =>
  type === FrontendType.sync || type === FrontendType.query || type === FrontendType.functionCall;

/** Messages whose errors start skipping to Sync (PostgreSQL's doing_extended_query_message). */
const extendedMessages = new Set<string>([
  FrontendType.parse,
  FrontendType.bind,
  FrontendType.describe,
  FrontendType.execute,
  FrontendType.close,
  FrontendType.flush,
]);

/** Longest statement text put into a log line. */
const LOGGED_SQL_LENGTH = 2000;

export class QueryProtocol {
  private readonly statements = new Map<string, StatementEntry>();
  private readonly portals = new Map<string, Portal>();
  private skipUntilSync = false;
  /** The SQL of the statement being parsed or run, named in the debug line when it fails. */
  private currentSql: string | null = null;
  private readonly log: Logger;

  constructor(
    private readonly conn: PgConnection,
    private readonly session: EngineSession,
  ) {
    this.log = conn.log;
  }

  /** Handles messages until Terminate or the client's end; a FATAL error is thrown to the caller. */
  async run(): Promise<void> {
    const w = this.conn.writer;
    for (;;) {
      const frame = await this.conn.nextFrame();
      if (!frame || frame.type === FrontendType.terminate) return;
      if (this.skipUntilSync && frame.type !== FrontendType.sync) continue;
      this.conn.markBusy();
      try {
        await this.handle(frame);
      } catch (error) {
        const e = toPgError(error);
        if (e.severity === 'FATAL' || e.severity === 'PANIC') throw e;
        this.log.debug({ code: e.code, message: e.message, sql: this.currentSql?.slice(0, LOGGED_SQL_LENGTH) }, 'statement failed');
        this.session.statementFailed();
        errorResponse(w, e);
        if (extendedMessages.has(frame.type)) this.skipUntilSync = true;
        if (frame.type === FrontendType.query || frame.type === FrontendType.functionCall) await this.readyForQuery();
      } finally {
        this.conn.statementEnded();
      }
      const ends = endsExchange(frame.type);
      if (w.size > 0 && (ends || frame.type === FrontendType.flush || w.size >= FLUSH_THRESHOLD)) await this.conn.flush();
      if (ends) this.conn.markIdle();
    }
  }

  /** The connection is closing: free every portal and statement. */
  async release(): Promise<void> {
    for (const portal of [...this.portals.values()]) await this.closePortal(portal);
    for (const name of [...this.statements.keys()]) this.dropStatement(name);
  }

  private async handle(frame: Frame): Promise<void> {
    switch (frame.type) {
      case FrontendType.query:
        return this.simpleQuery(decodeQuery(frame.body));
      case FrontendType.parse:
        return this.parse(frame.body);
      case FrontendType.bind:
        return this.bind(frame.body);
      case FrontendType.describe:
        return this.describe(frame.body);
      case FrontendType.execute:
        return this.execute(frame.body);
      case FrontendType.close:
        return this.close(frame.body);
      case FrontendType.sync:
        this.skipUntilSync = false;
        return this.readyForQuery();
      case FrontendType.flush:
        return;
      case FrontendType.copyData:
      case FrontendType.copyDone:
      case FrontendType.copyFail:
        // Outside COPY FROM STDIN these are ignored, as PostgreSQL ignores them.
        return;
      case FrontendType.functionCall:
        throw new PgError(SqlState.featureNotSupported, 'the function call protocol is not supported');
      default:
        throw new PgError(SqlState.protocolViolation, `invalid frontend message type ${frame.type.charCodeAt(0)}`, { severity: 'FATAL' });
    }
  }

  /** ReadyForQuery; outside a transaction block the implicit transaction ended, and with it every portal. */
  private async readyForQuery(): Promise<void> {
    const status = this.session.transactionStatus;
    if (status === 'I' && this.portals.size > 0) {
      for (const portal of [...this.portals.values()]) await this.closePortal(portal);
    }
    readyForQuery(this.conn.writer, status);
  }

  // ---- simple query ---------------------------------------------------------------------

  private async simpleQuery(sql: string): Promise<void> {
    const w = this.conn.writer;
    // A simple Query destroys the unnamed statement and the unnamed portal.
    const unnamed = this.portals.get('');
    if (unnamed) await this.closePortal(unnamed);
    this.dropStatement('');
    this.currentSql = sql;
    const statements = this.session.parse(sql);
    if (statements.length === 0) emptyQueryResponse(w);
    for (const statement of statements) {
      const started = performance.now();
      this.currentSql = statement.sql;
      const prepared = await this.session.prepare(statement, []);
      try {
        const signal = this.conn.statementSignal();
        const execution = await prepared.execute([], { signal });
        let tag: string;
        if (execution.kind === 'rows') {
          rowDescription(w, execution.fields, []);
          const ctx = this.session.codecContext;
          try {
            const { sent } = await writeRows(execution, rowEncoder(execution.fields, [], ctx), this.conn, 0, signal, columnsEncoder(execution.fields, [], ctx));
            tag = execution.commandTag(sent);
          } finally {
            await execution.close();
          }
          commandComplete(w, tag);
        } else if (execution.kind === 'command') {
          tag = execution.commandTag;
          commandComplete(w, tag);
        } else {
          tag = await writeCopyOut(execution, this.conn, signal);
        }
        this.logStatement(statement.sql, tag, started);
      } finally {
        prepared.close();
        this.conn.statementEnded();
      }
    }
    await this.readyForQuery();
  }

  // ---- extended query -------------------------------------------------------------------

  private async parse(body: Buffer): Promise<void> {
    const m = decodeParse(body);
    if (m.statement !== '' && this.statements.has(m.statement)) {
      throw new PgError(SqlState.duplicatePreparedStatement, `prepared statement "${m.statement}" already exists`);
    }
    // The old unnamed statement is gone even if this Parse fails, as in PostgreSQL.
    if (m.statement === '') this.dropStatement('');
    this.currentSql = m.query;
    const statements = this.session.parse(m.query);
    if (statements.length > 1) throw new PgError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    const prepared = statements.length === 0 ? null : await this.session.prepare(statements[0]!, m.paramTypes);
    this.statements.set(m.statement, { prepared, sql: m.query, portals: 0, dropped: false });
    parseComplete(this.conn.writer);
  }

  private async bind(body: Buffer): Promise<void> {
    const m = decodeBind(body);
    const statement = this.statement(m.statement);
    const paramTypes = statement.prepared?.paramTypes ?? [];
    if (m.params.length !== paramTypes.length) {
      throw new PgError(
        SqlState.protocolViolation,
        `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${paramTypes.length}`,
      );
    }
    checkFormatCount(m.paramFormats, m.params.length, 'parameter');
    const fields = statement.prepared?.fields ?? null;
    if (fields) checkFormatCount(m.resultFormats, fields.length, 'result');
    const formats = fields ? fields.map((_, i) => formatCodeAt(m.resultFormats, i)) : [];
    if (m.portal === '') {
      const old = this.portals.get('');
      if (old) await this.closePortal(old);
    } else if (this.portals.has(m.portal)) {
      throw new PgError(SqlState.duplicateCursor, `portal "${m.portal}" already exists`);
    }
    const ctx = this.session.codecContext;
    const params = m.params.map((bytes, i) => {
      if (bytes === null) return null;
      const oid = paramTypes[i] || TypeOid.text;
      if (formatCodeAt(m.paramFormats, i) === 1) return binaryDecoder(oid)(bytes, ctx);
      // PostgreSQL's encoding check refuses NUL in text, like any invalid byte.
      if (bytes.includes(0)) throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
      return textDecoder(oid)(decodeUtf8(bytes), ctx);
    });
    statement.portals++;
    this.portals.set(m.portal, {
      name: m.portal,
      statement,
      params,
      formats,
      execution: null,
      encode: null,
      rowsSent: 0,
      state: 'ready',
      closed: false,
    });
    bindComplete(this.conn.writer);
  }

  private async describe(body: Buffer): Promise<void> {
    const m = decodeDescribe(body);
    const w = this.conn.writer;
    if (m.target === 'S') {
      const prepared = this.statement(m.name).prepared;
      parameterDescription(w, prepared?.paramTypes ?? []);
      if (prepared?.fields) rowDescription(w, prepared.fields, []);
      else noData(w);
    } else {
      const portal = this.portal(m.name);
      const fields = portal.statement.prepared?.fields;
      if (fields) rowDescription(w, fields, portal.formats);
      else noData(w);
    }
  }

  private async execute(body: Buffer): Promise<void> {
    const m = decodeExecute(body);
    const w = this.conn.writer;
    const portal = this.portal(m.portal);
    this.currentSql = portal.statement.sql;
    if (portal.state === 'failed') throw new PgError(SqlState.objectNotInPrerequisiteState, `portal "${portal.name}" cannot be run`);
    const prepared = portal.statement.prepared;
    if (!prepared) {
      emptyQueryResponse(w);
      return;
    }
    if (portal.state === 'done') {
      // A finished portal yields nothing more, as in PostgreSQL.
      const execution = portal.execution;
      commandComplete(w, execution?.kind === 'rows' ? execution.commandTag(0) : execution?.kind === 'command' ? execution.commandTag : 'COPY 0');
      return;
    }
    const started = performance.now();
    const signal = this.conn.statementSignal();
    try {
      portal.execution ??= await prepared.execute(portal.params, { signal });
      const execution = portal.execution;
      let tag: string;
      if (execution.kind === 'command') {
        tag = execution.commandTag;
        commandComplete(w, tag);
      } else if (execution.kind === 'copy-out') {
        tag = await writeCopyOut(execution, this.conn, signal);
      } else {
        const ctx = this.session.codecContext;
        portal.encode ??= rowEncoder(execution.fields, portal.formats, ctx);
        // Column-major streaming only when the whole result goes out in one Execute.
        const whole = m.maxRows === 0 && portal.rowsSent === 0;
        const encodeColumns = whole ? columnsEncoder(execution.fields, portal.formats, ctx) : undefined;
        const { sent, done } = await writeRows(execution, portal.encode, this.conn, m.maxRows, signal, encodeColumns);
        portal.rowsSent += sent;
        if (!done) {
          portalSuspended(w);
          return;
        }
        await execution.close();
        tag = execution.commandTag(portal.rowsSent);
        commandComplete(w, tag);
      }
      portal.state = 'done';
      this.logStatement(portal.statement.sql, tag, started);
    } catch (error) {
      portal.state = 'failed';
      await closeExecution(portal);
      throw error;
    }
  }

  private async close(body: Buffer): Promise<void> {
    const m = decodeClose(body);
    if (m.target === 'S') {
      this.dropStatement(m.name);
    } else {
      const portal = this.portals.get(m.name);
      if (portal) await this.closePortal(portal);
    }
    // Closing what does not exist is not an error.
    closeComplete(this.conn.writer);
  }

  private statement(name: string): StatementEntry {
    const statement = this.statements.get(name);
    if (statement) return statement;
    throw new PgError(
      SqlState.invalidSqlStatementName,
      name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`,
    );
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal) return portal;
    throw new PgError(SqlState.invalidCursorName, name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist`);
  }

  private dropStatement(name: string): void {
    const statement = this.statements.get(name);
    if (!statement) return;
    this.statements.delete(name);
    statement.dropped = true;
    if (statement.portals === 0) statement.prepared?.close();
  }

  private async closePortal(portal: Portal): Promise<void> {
    if (portal.closed) return;
    portal.closed = true;
    if (this.portals.get(portal.name) === portal) this.portals.delete(portal.name);
    await closeExecution(portal);
    const statement = portal.statement;
    statement.portals--;
    if (statement.dropped && statement.portals === 0) statement.prepared?.close();
  }

  /** One debug line per statement run. */
  private logStatement(sql: string, tag: string, started: number): void {
    if (!this.log.isLevelEnabled('debug')) return;
    const text = sql.length > LOGGED_SQL_LENGTH ? `${sql.slice(0, LOGGED_SQL_LENGTH)}…` : sql;
    this.log.debug({ sql: text, tag, ms: Math.round((performance.now() - started) * 1000) / 1000 }, 'statement');
  }
}

async function closeExecution(portal: Portal): Promise<void> {
  const execution = portal.execution;
  if (execution?.kind === 'rows') await execution.close().catch(() => {});
}
