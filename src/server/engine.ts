/**
 * The seam between the wire protocol and whatever answers queries. The server knows
 * PostgreSQL's messages and nothing of SQL semantics, federation or MPC; an Engine knows
 * SQL and nothing of the wire. (pgwire's `do_query` seam, see shared/STYLE.md.)
 *
 * Values cross this seam as JS values whose representation is fixed by the type OID of
 * their column or parameter; `src/sql/types` documents the representation per type and
 * holds the text and binary codecs the server uses to put them on the wire.
 */

/** One column of a RowDescription. */
export interface FieldDescription {
  name: string;
  /** OID of the table the column comes from, or 0. */
  tableOid: number;
  /** Attribute number of the column in that table, or 0. */
  columnAttr: number;
  typeOid: number;
  /** pg_type.typlen: -1 for varlena, -2 for cstring. */
  typeSize: number;
  /** atttypmod, -1 when none. */
  typeModifier: number;
}

/** Transaction status as ReadyForQuery reports it: idle, in a block, in a failed block. */
export type TransactionStatus = 'I' | 'T' | 'E';

export interface StartupInfo {
  user: string;
  database: string;
  /** Every start-up parameter the client sent (application_name, options, DateStyle …). */
  parameters: Readonly<Record<string, string>>;
  remoteAddress: string;
}

/** What a session tells the client outside a query's result. */
export interface SessionEvents {
  /** NoticeResponse, e.g. "there is no transaction in progress". */
  notice(severity: 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG' | 'LOG', message: string, code?: string): void;
  /** ParameterStatus for a reported setting that changed (application_name, TimeZone …). */
  parameterStatus(name: string, value: string): void;
}

export interface Engine {
  /** After authentication succeeded. Throws PgError (e.g. 3D000 unknown database). */
  openSession(info: StartupInfo, events: SessionEvents): Promise<EngineSession>;
}

export interface EngineSession {
  /** 'I', 'T' or 'E', read by the server for each ReadyForQuery. */
  readonly transactionStatus: TransactionStatus;
  /** Settings announced as ParameterStatus right after authentication. */
  reportedParameters(): Readonly<Record<string, string>>;
  /** Backend settings the codec needs (e.g. TimeZone for timestamptz text output). */
  readonly codecContext: CodecContext;
  /**
   * Syntax only: split a query string into its statements. An empty or all-comment string
   * gives []. Throws PgError 42601 with a position on a syntax error, before anything runs.
   */
  parse(sql: string): ParsedStatement[];
  /**
   * Bind and plan one statement. `paramTypes` are the OIDs the client gave (0: infer).
   * Statements of a simple query are prepared one at a time, each after the previous ran.
   */
  prepare(statement: ParsedStatement, paramTypes: readonly number[]): Promise<PreparedStatement>;
  /**
   * An error ended the current statement (in the server or the engine): inside a
   * transaction block this moves it to 'E', where only ROLLBACK is accepted.
   */
  statementFailed(): void;
  /** The connection is closing: release everything the session holds. */
  close(): Promise<void>;
}

export interface CodecContext {
  /** IANA zone name or a fixed offset, from the TimeZone setting. */
  timeZone: string;
  /** From DateStyle; only ISO output is produced, this is reported as set. */
  dateStyle: string;
  /** From IntervalStyle. */
  intervalStyle: string;
  /** extra_float_digits; >0 means shortest-exact output (PostgreSQL 12+ default of 1). */
  extraFloatDigits: number;
  /** bytea_output: 'hex' or 'escape'. */
  byteaOutput: 'hex' | 'escape';
}

export interface ParsedStatement {
  /** The statement's own text, without the trailing semicolon. */
  readonly sql: string;
  /** The command name as PostgreSQL's command tag starts (SELECT, SET, BEGIN, DECLARE CURSOR …). */
  readonly command: string;
}

export interface PreparedStatement {
  /** Parameter type OIDs after inference, for ParameterDescription (unknown ones as text, 25). */
  readonly paramTypes: readonly number[];
  /** Row shape when executed, for Describe; null when it returns no rows (NoData). */
  readonly fields: readonly FieldDescription[] | null;
  /** Run it with decoded parameter values. Honour `signal`: abort means cancel (57014). */
  execute(params: readonly unknown[], options: { signal: AbortSignal }): Promise<Execution>;
  /** Close/deallocate: free what the statement holds. */
  close(): void;
}

export type Execution = RowsExecution | CommandExecution | CopyOutExecution;

/** A statement that produces rows, fetched in batches so a portal can suspend. */
export interface RowsExecution {
  readonly kind: 'rows';
  readonly fields: readonly FieldDescription[];
  /** Up to `maxRows` more rows; `done` when none remain after these. */
  fetch(maxRows: number, signal: AbortSignal): Promise<{ rows: unknown[][]; done: boolean }>;
  /**
   * Optional fast path for sending everything that remains: the next rows column-major
   * (columns[c][r]), so no per-row arrays are built. Not mixed with fetch() on one result.
   */
  fetchColumns?(signal: AbortSignal): Promise<{ columns: unknown[][]; rowCount: number; done: boolean }>;
  /** The CommandComplete tag once `rowCount` rows were sent in all ("SELECT 3", "FETCH 3", "SHOW"). */
  commandTag(rowCount: number): string;
  /** Release the result early (portal closed, transaction ended). */
  close(): Promise<void>;
}

/** A statement that produces only a CommandComplete tag ("SET", "BEGIN", "DECLARE CURSOR"). */
export interface CommandExecution {
  readonly kind: 'command';
  readonly commandTag: string;
}

/** COPY … TO STDOUT: the engine formats the data; the server frames it as CopyData. */
export interface CopyOutExecution {
  readonly kind: 'copy-out';
  /** 0 text (text and CSV both), 1 binary. */
  readonly format: 0 | 1;
  readonly columnCount: number;
  /** Chunks of COPY data, each one or more whole rows. */
  chunks(signal: AbortSignal): AsyncIterable<Uint8Array>;
  /** "COPY n" once all chunks were sent. */
  commandTag(): string;
}
