/**
 * The SQL front end's first stage: split a query string into statements with the real
 * PostgreSQL grammar (libpg-query, PostgreSQL 18's parser compiled to WebAssembly), so
 * that whatever a client sends is read exactly as PostgreSQL would read it.
 * See docs/parser-decision.md for why this parser and not node-sql-parser.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { Node, RawStmt } from 'libpg-query';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { commandOf } from './command-tag.js';

export interface SqlStatement {
  /** The statement's own text, without the trailing semicolon. */
  readonly sql: string;
  /** The word(s) PostgreSQL's command tag starts with: SELECT, SET, DECLARE CURSOR … */
  readonly command: string;
  /** The libpg-query node of the statement, e.g. `{ SelectStmt: {…} }`. */
  readonly ast: Node;
}

let loading: Promise<void> | null = null;
let loaded = false;

/** Loads the parser's WebAssembly module; call once before parseStatements. */
export async function initSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  await loading;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Splits and parses `sql`. An empty or comment-only string gives []. A syntax error
 * throws PgError 42601 with PostgreSQL's message and 1-based character position.
 * Texts that come again (an application's queries do) are parsed once: the trees are
 * kept and each caller gets its own copy, since later stages may change theirs.
 */
export function parseStatements(sql: string): SqlStatement[] {
  const known = parsed.get(sql);
  if (known) {
    parsed.delete(sql);
    parsed.set(sql, known);
    return structuredClone(known);
  }
  const statements = parseUncached(sql);
  if (sql.length <= CACHED_TEXT_LENGTH) {
    if (parsed.size >= CACHED_TEXTS) parsed.delete(parsed.keys().next().value!);
    parsed.set(sql, structuredClone(statements));
  }
  return statements;
}

/** Parse results kept, least recently used first, and the longest text kept. */
const parsed = new Map<string, SqlStatement[]>();
const CACHED_TEXTS = 256;
const CACHED_TEXT_LENGTH = 8192;

function parseUncached(sql: string): SqlStatement[] {
  if (!loaded) throw new Error('initSqlParser() must finish before parseStatements()');
  // The WASM parser reads a C string: a NUL would end the query early, so refuse it as
  // PostgreSQL's protocol layer does.
  if (sql.includes('\0')) {
    throw new PgError(SqlState.protocolViolation, 'invalid string in message');
  }
  // The JS binding refuses an empty string; PostgreSQL answers it with no statement.
  if (sql.length === 0) return [];
  let stmts: RawStmt[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    throw syntaxError(error);
  }
  if (stmts.length === 0) return [];
  // stmt_location and stmt_len count UTF-8 bytes; slice the bytes, not the JS string.
  const bytes = encoder.encode(sql);
  return stmts.map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const ast = raw.stmt as Node;
    return {
      sql: decoder.decode(bytes.subarray(start, end)).trim(),
      command: commandOf(ast),
      ast,
    };
  });
}

function syntaxError(error: unknown): PgError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  const cursor = details?.cursorPosition;
  // libpg-query reports a 0-based character offset; PostgreSQL's position is 1-based.
  const position = typeof cursor === 'number' && cursor >= 0 ? cursor + 1 : undefined;
  return new PgError(SqlState.syntaxError, message, position === undefined ? {} : { position });
}
