/**
 * One client session over a QueryRunner: PostgreSQL's session semantics (settings,
 * transaction blocks, SQL cursors, COPY TO STDOUT, SHOW, EXPLAIN) around the queries the
 * runner executes. Statement kinds C2D does not run are refused with a SQLSTATE.
 */
import type {
  CodecContext,
  EngineSession,
  Execution,
  ParsedStatement,
  PreparedStatement,
  SessionEvents,
  StartupInfo,
  TransactionStatus,
} from '../server/engine.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { parseStatements, type SessionValues, type SqlStatement } from '../sql/index.js';
import { nodeKind, constantText, type StatementNode } from './ast.js';
import { SessionSettings } from './session-settings.js';
import { TransactionBlock } from './transaction-block.js';
import { CursorRegistry, SqlCursor, type FetchDirection } from './sql-cursors.js';
import { commandStatement, computedRowsStatement, textField } from './prepared.js';
import { CopyFormatter, copyOptionsFrom } from './copy-format.js';
import type { QueryRunner } from './query-runner.js';
import { allSettings } from './settings.js';
import { setConfigCalls, type SetConfigCall } from './set-config.js';
import { bindDdl, DDL_STATEMENTS } from '../sql/bind/bind-ddl.js';
import type { CatalogStore } from '../catalog/index.js';
import type { PartyTables } from '../sql/bind/party-tables.js';

/** CURSOR_OPT_* bits of DeclareCursorStmt.options (PostgreSQL's parsenodes.h). */
const CURSOR_OPT_BINARY = 0x0001;
const CURSOR_OPT_SCROLL = 0x0002;
const CURSOR_OPT_HOLD = 0x0020;

/** Statements that still run in a failed transaction block. */
const ALLOWED_IN_FAILED = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_ROLLBACK_TO', 'TRANS_STMT_PREPARE']);

const WRITE_STATEMENTS: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

export class LocalSession implements EngineSession {
  private readonly settings: SessionSettings;
  private readonly transaction: TransactionBlock;
  private readonly cursors = new CursorRegistry();
  private readonly sessionValues: SessionValues;
  readonly codecContext: CodecContext;

  constructor(
    private readonly runner: QueryRunner,
    private readonly info: StartupInfo,
    private readonly events: SessionEvents,
    /** Where DDL goes; without one, DDL is refused. */
    private readonly catalog: CatalogStore | null = null,
    /** The parties' exported tables, for IMPORT FOREIGN SCHEMA and checks of CREATE FOREIGN TABLE. */
    private readonly parties: PartyTables | null = null,
  ) {
    this.sessionValues = {
      user: info.user,
      setting: (name) => {
        try {
          return this.settings.get(name);
        } catch {
          return undefined;
        }
      },
    };
    const initial: Record<string, string> = { session_authorization: info.user };
    for (const [name, value] of Object.entries(info.parameters)) {
      if (!['user', 'database', 'options', 'replication'].includes(name)) initial[name] = value;
    }
    this.codecContext = {
      timeZone: 'UTC',
      dateStyle: 'ISO, MDY',
      intervalStyle: 'postgres',
      extraFloatDigits: 1,
      byteaOutput: 'hex',
    };
    this.settings = new SessionSettings(initial, (name, value) => {
      this.syncCodecContext();
      this.events.parameterStatus(name, value);
    });
    this.syncCodecContext();
    this.transaction = new TransactionBlock({
      pushLevel: () => this.settings.pushLevel(),
      rollbackLevels: (n) => {
        this.settings.rollbackLevels(n);
        this.syncCodecContext();
      },
      commitLevels: (n) => this.settings.commitLevels(n),
      ended: () => {
        this.settings.endTransaction();
        this.syncCodecContext();
        void this.cursors.closeAll((c) => !c.hold);
      },
    });
  }


  get transactionStatus(): TransactionStatus {
    return this.transaction.status;
  }

  reportedParameters(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const d of allSettings()) if (d.report) out[d.name] = this.settings.get(d.name);
    return out;
  }

  parse(sql: string): ParsedStatement[] {
    return parseStatements(sql);
  }

  async prepare(statement: ParsedStatement, paramTypes: readonly number[]): Promise<PreparedStatement> {
    const node = (statement as SqlStatement).ast as StatementNode;
    const [kind, body] = nodeKind(node);
    this.transaction.checkCanRun(kind === 'TransactionStmt' && ALLOWED_IN_FAILED.has(body.kind));
    const prepared = await this.prepareNode(kind, body, node, paramTypes);
    return this.guardExecution(prepared, kind === 'TransactionStmt' && ALLOWED_IN_FAILED.has(body.kind));
  }

  statementFailed(): void {
    this.transaction.failed();
  }

  async close(): Promise<void> {
    await this.cursors.closeAll();
  }

  private async prepareNode(
    kind: string,
    body: any,
    node: StatementNode,
    paramTypes: readonly number[],
  ): Promise<PreparedStatement> {
    switch (kind) {
      case 'SelectStmt': {
        const setConfig = setConfigCalls(body);
        if (setConfig) return this.prepareSetConfig(setConfig);
        return this.prepareQuery(node, paramTypes, 'SELECT');
      }
      case 'VariableSetStmt':
        return commandStatement(() => this.runSet(body));
      case 'VariableShowStmt':
        return this.prepareShow(String(body.name));
      case 'TransactionStmt':
        return commandStatement(() => this.runTransaction(body));
      case 'DeclareCursorStmt':
        return this.prepareDeclare(body, paramTypes);
      case 'FetchStmt':
        return this.prepareFetch(body);
      case 'ClosePortalStmt':
        return commandStatement(async () => {
          if (body.portalname) await this.cursors.close(String(body.portalname));
          else await this.cursors.closeAll();
          return 'CLOSE CURSOR';
        });
      case 'CopyStmt':
        return this.prepareCopy(body);
      case 'ExplainStmt':
        return this.prepareExplain(body);
      case 'DiscardStmt':
        return commandStatement(async () => {
          if (this.transaction.inBlock && body.target === 'DISCARD_ALL') {
            throw new PgError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
          }
          if (body.target === 'DISCARD_ALL') {
            this.settings.resetAll({ inTransaction: false });
            await this.cursors.closeAll();
          }
          return body.target === 'DISCARD_ALL' ? 'DISCARD ALL' : `DISCARD ${String(body.target).replace('DISCARD_', '')}`;
        });
      case 'UnlistenStmt':
        // No LISTEN is ever registered, so UNLISTEN has nothing to remove: as in PostgreSQL.
        return commandStatement(() => 'UNLISTEN');
      case 'DeallocateStmt':
        if (body.isall) return commandStatement(() => 'DEALLOCATE ALL');
        throw new PgError(SqlState.invalidSqlStatementName, `prepared statement "${body.name}" does not exist`);
      default: {
        if (DDL_STATEMENTS.has(kind) && this.catalog) return this.prepareDdl(kind, body, this.catalog);
        const write = WRITE_STATEMENTS[kind];
        if (write) {
          throw new PgError(SqlState.readOnlySqlTransaction, `cannot execute ${write} in a read-only transaction`, {
            hint: 'C2D answers queries over data that stays at its owners; it does not change that data.',
          });
        }
        throw new PgError(SqlState.featureNotSupported, `${describeKind(kind)} is not supported by C2D`);
      }
    }
  }

  private async prepareQuery(node: StatementNode, paramTypes: readonly number[], tagWord: string): Promise<PreparedStatement> {
    const query = await this.runner.prepare(node, paramTypes, this.sessionValues);
    return {
      paramTypes: query.paramTypes,
      fields: query.fields,
      execute: async (params, { signal }): Promise<Execution> => {
        const source = await query.open(params, signal);
        return {
          kind: 'rows',
          fields: source.fields,
          fetch: (maxRows, fetchSignal) => source.fetch(maxRows, fetchSignal),
          ...(source.fetchColumns ? { fetchColumns: (s: AbortSignal) => source.fetchColumns!(s) } : {}),
          commandTag: (n) => `${tagWord} ${n}`,
          close: () => source.close(),
        };
      },
      close: () => query.close(),
    };
  }

  /** DDL changes the federation catalog at once, as its own transaction. */
  private prepareDdl(kind: string, body: any, catalog: CatalogStore): PreparedStatement {
    const bound = bindDdl(kind, body, { user: this.info.user, ...(this.parties ? { parties: this.parties } : {}) });
    return commandStatement(async () => {
      // Gateway users still live in the user store (src/cli/user-store.ts); an authenticated
      // user who owns catalog objects gets its role in the catalog on first use.
      if (!(await catalog.findRole(this.info.user))) {
        await catalog.createRole({ name: this.info.user, canLogin: true }).catch((error: unknown) => {
          // Another session of the same user got there first.
          if (!(error instanceof PgError && error.code === SqlState.duplicateObject)) throw error;
        });
      }
      const outcome = await bound.apply(catalog);
      for (const notice of outcome.notices) this.events.notice('NOTICE', notice.message, notice.code);
      return bound.commandTag;
    });
  }

  private runSet(body: any): string {
    const inTransaction = this.transaction.inBlock;
    const local = Boolean(body.is_local);
    switch (body.kind) {
      case 'VAR_SET_VALUE': {
        const values = (body.args ?? []).map((a: unknown) => {
          const text = constantText(a);
          if (text === null) throw new PgError(SqlState.syntaxError, `SET ${body.name} requires a constant value`);
          return text;
        });
        this.settings.set(String(body.name), values.join(', '), { local, inTransaction });
        return 'SET';
      }
      case 'VAR_SET_DEFAULT':
      case 'VAR_RESET':
        this.settings.set(String(body.name), null, { local, inTransaction });
        return body.kind === 'VAR_RESET' ? 'RESET' : 'SET';
      case 'VAR_RESET_ALL':
        this.settings.resetAll({ inTransaction });
        return 'RESET';
      case 'VAR_SET_CURRENT':
        return 'SET';
      case 'VAR_SET_MULTI': {
        // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
        const session = String(body.name) === 'SESSION CHARACTERISTICS';
        for (const def of body.args ?? []) {
          const d = def.DefElem;
          const value = constantText(d.arg) ?? '';
          const name = session ? `default_${d.defname}` : d.defname;
          if (d.defname === 'transaction_read_only' || d.defname === 'transaction_deferrable') {
            if (d.defname === 'transaction_read_only') {
              this.settings.set(name, value === '1' || value === 'on' ? 'on' : 'off', { local: !session, inTransaction });
            }
          } else this.settings.set(name, value, { local: !session, inTransaction });
        }
        return 'SET';
      }
      default:
        throw new PgError(SqlState.featureNotSupported, `SET form ${String(body.kind)} is not supported`);
    }
  }

  /** set_config(name, value, is_local) as SET [LOCAL]; each call answers the value now in effect. */
  private prepareSetConfig(calls: readonly SetConfigCall[]): PreparedStatement {
    return computedRowsStatement(
      calls.map((c) => textField(c.column)),
      () => [
        calls.map((c) => {
          this.settings.set(c.name, c.value, { local: c.local, inTransaction: this.transaction.inBlock });
          return this.settings.get(c.name);
        }),
      ],
      () => 'SELECT 1',
    );
  }

  private prepareShow(name: string): PreparedStatement {
    if (name.toLowerCase() === 'all') {
      return computedRowsStatement(
        [textField('name'), textField('setting'), textField('description')],
        () => this.settings.entries(),
        () => 'SHOW',
      );
    }
    // Resolve at prepare time so Describe gives the right column name and errors are early.
    this.settings.get(name);
    return computedRowsStatement([textField(this.settings.canonicalName(name))], () => [[this.settings.get(name)]], () => 'SHOW');
  }

  private runTransaction(body: any): string {
    const warn = (message: string, code: string): void => this.events.notice('WARNING', message, code);
    switch (body.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        this.transaction.begin(warn);
        for (const def of body.options ?? []) {
          const d = def.DefElem;
          if (d.defname === 'transaction_isolation') {
            this.settings.set('transaction_isolation', constantText(d.arg) ?? '', { local: true, inTransaction: true });
          }
        }
        return body.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
      case 'TRANS_STMT_COMMIT': {
        const tag = this.transaction.commit(warn);
        if (body.chain) this.transaction.begin(warn);
        return tag;
      }
      case 'TRANS_STMT_ROLLBACK':
        this.transaction.rollback(warn);
        if (body.chain) this.transaction.begin(warn);
        return 'ROLLBACK';
      case 'TRANS_STMT_SAVEPOINT':
        this.transaction.savepoint(String(body.savepoint_name));
        return 'SAVEPOINT';
      case 'TRANS_STMT_RELEASE':
        this.transaction.release(String(body.savepoint_name));
        return 'RELEASE';
      case 'TRANS_STMT_ROLLBACK_TO':
        this.transaction.rollbackTo(String(body.savepoint_name));
        return 'ROLLBACK';
      default:
        throw new PgError(SqlState.featureNotSupported, 'two-phase commit is not supported by C2D');
    }
  }

  private async prepareDeclare(body: any, paramTypes: readonly number[]): Promise<PreparedStatement> {
    const options = Number(body.options ?? 0);
    const name = String(body.portalname);
    const hold = (options & CURSOR_OPT_HOLD) !== 0;
    const scroll = (options & CURSOR_OPT_SCROLL) !== 0;
    if (options & CURSOR_OPT_BINARY) {
      throw new PgError(SqlState.featureNotSupported, 'BINARY cursors are not supported by C2D', {
        hint: 'Use the extended protocol with binary result format instead.',
      });
    }
    const query = await this.runner.prepare(body.query, paramTypes, this.sessionValues);
    return {
      paramTypes: query.paramTypes,
      fields: null,
      execute: async (params, { signal }): Promise<Execution> => {
        if (!hold && !this.transaction.inBlock) {
          throw new PgError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
        }
        const source = await query.open(params, signal);
        this.cursors.add(new SqlCursor(name, query.fields, hold, scroll, source));
        return { kind: 'command', commandTag: 'DECLARE CURSOR' };
      },
      close: () => query.close(),
    };
  }

  private prepareFetch(body: any): PreparedStatement {
    const name = String(body.portalname);
    const cursor = this.cursors.get(name);
    const direction = String(body.direction ?? 'FETCH_FORWARD') as FetchDirection;
    const howMany = Number(body.howMany ?? 0);
    if (body.ismove) {
      return commandStatement(async (signal) => `MOVE ${(await cursor.fetch(direction, howMany, signal)).length}`);
    }
    return computedRowsStatement(cursor.fields, (signal) => cursor.fetch(direction, howMany, signal), (n) => `FETCH ${n}`);
  }

  private async prepareCopy(body: any): Promise<PreparedStatement> {
    if (body.is_from) {
      throw new PgError(SqlState.featureNotSupported, 'COPY FROM is not supported by C2D', {
        hint: 'C2D is read-only; data stays with its owners.',
      });
    }
    if (body.filename || body.is_program) {
      throw new PgError(SqlState.insufficientPrivilege, 'COPY to a file or program is not allowed', {
        hint: "Use COPY … TO STDOUT (psql's \\copy does this).",
      });
    }
    const options = copyOptionsFrom((body.options ?? []).map((o: any) => o.DefElem));
    const queryNode = body.query ?? copyRelationQuery(body);
    const query = await this.runner.prepare(queryNode, [], this.sessionValues);
    return {
      paramTypes: [],
      fields: null,
      execute: async (_params, { signal }): Promise<Execution> => {
        const source = await query.open([], signal);
        const formatter = new CopyFormatter(source.fields, options, { ...this.codecContext });
        let rowCount = 0;
        return {
          kind: 'copy-out',
          format: options.format === 'binary' ? 1 : 0,
          columnCount: source.fields.length,
          async *chunks(chunkSignal: AbortSignal) {
            try {
              const head = formatter.prologue();
              if (head.length) yield head;
              for (;;) {
                const { rows, done } = await source.fetch(2048, chunkSignal);
                if (rows.length) {
                  rowCount += rows.length;
                  yield formatter.rows(rows);
                }
                if (done) break;
              }
              const tail = formatter.epilogue();
              if (tail.length) yield tail;
            } finally {
              await source.close();
            }
          },
          commandTag: () => `COPY ${rowCount}`,
        };
      },
      close: () => query.close(),
    };
  }

  private async prepareExplain(body: any): Promise<PreparedStatement> {
    const [kind] = nodeKind(body.query);
    if (kind !== 'SelectStmt') throw new PgError(SqlState.featureNotSupported, `EXPLAIN of ${describeKind(kind)} is not supported`);
    const query = body.query;
    return computedRowsStatement([textField('QUERY PLAN')], async () => (await this.runner.explain(query, this.sessionValues)).map((l) => [l]), () => 'EXPLAIN');
  }

  /** Wraps execution with the failed-block check and statement_timeout. */
  private guardExecution(prepared: PreparedStatement, allowedInFailed: boolean): PreparedStatement {
    return {
      paramTypes: prepared.paramTypes,
      fields: prepared.fields,
      execute: async (params, options) => {
        this.transaction.checkCanRun(allowedInFailed);
        const timeoutMs = Number(this.settings.get('statement_timeout'));
        if (!timeoutMs) return prepared.execute(params, options);
        const timeout = timeoutSignal(timeoutMs);
        const signal = AbortSignal.any([options.signal, timeout]);
        try {
          return await prepared.execute(params, { signal });
        } catch (error) {
          if (timeout.aborted) throw new PgError(SqlState.queryCanceled, 'canceling statement due to statement timeout');
          throw error;
        }
      },
      close: () => prepared.close(),
    };
  }

  private syncCodecContext(): void {
    if (!this.settings) return;
    this.codecContext.timeZone = this.settings.get('TimeZone');
    this.codecContext.dateStyle = this.settings.get('DateStyle');
    this.codecContext.intervalStyle = this.settings.get('IntervalStyle');
    this.codecContext.extraFloatDigits = Number(this.settings.get('extra_float_digits'));
    this.codecContext.byteaOutput = this.settings.get('bytea_output') === 'escape' ? 'escape' : 'hex';
  }
}

function timeoutSignal(ms: number): AbortSignal {
  return AbortSignal.timeout(ms);
}

/** COPY t [(cols)] TO STDOUT is COPY (SELECT cols FROM t) TO STDOUT. */
function copyRelationQuery(body: any): StatementNode {
  const columns: string[] = (body.attlist ?? []).map((a: any) => String(a.String?.sval));
  const targetList = columns.length
    ? columns.map((c) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: c } }] } } } }))
    : [{ ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }] } } } }];
  return {
    SelectStmt: {
      targetList,
      fromClause: [{ RangeVar: body.relation }],
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  };
}

/** "CreateForeignTableStmt" → "CREATE FOREIGN TABLE" for messages. */
function describeKind(kind: string): string {
  return kind
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
