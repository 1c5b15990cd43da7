/**
 * DuckDB reports errors as "<Kind> Error: <message>". This maps the kinds (and the most
 * common messages) to PostgreSQL's SQLSTATEs and wording, so clients see what they would
 * see from PostgreSQL.
 */
import { PgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';

const rules: ReadonlyArray<{ pattern: RegExp; code: SqlState; message?: (m: RegExpExecArray) => string }> = [
  { pattern: /^INTERRUPT Error/i, code: SqlState.queryCanceled, message: () => 'canceling statement due to user request' },
  {
    pattern: /Catalog Error: Table with name (\S+) does not exist/,
    code: SqlState.undefinedTable,
    message: (m) => `relation "${m[1]}" does not exist`,
  },
  {
    pattern: /Catalog Error: (?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/,
    code: SqlState.undefinedFunction,
    message: (m) => `function ${m[1]} does not exist`,
  },
  { pattern: /Catalog Error: Schema with name (\S+) does not exist/, code: SqlState.undefinedObject, message: (m) => `schema "${m[1]}" does not exist` },
  { pattern: /Catalog Error/, code: SqlState.undefinedObject },
  {
    pattern: /Binder Error: Referenced column "?([^"\s]+)"? not found/,
    code: SqlState.undefinedColumn,
    message: (m) => `column "${m[1]}" does not exist`,
  },
  {
    pattern: /Binder Error: Table "([^"]+)" does not have a column named "([^"]+)"/,
    code: SqlState.undefinedColumn,
    message: (m) => `column ${m[1]}.${m[2]} does not exist`,
  },
  {
    pattern: /Binder Error: Referenced table "([^"]+)" not found/,
    code: SqlState.undefinedTable,
    message: (m) => `missing FROM-clause entry for table "${m[1]}"`,
  },
  { pattern: /Binder Error: .*[Aa]mbiguous/, code: SqlState.ambiguousColumn },
  { pattern: /Binder Error: No function matches/, code: SqlState.undefinedFunction },
  {
    pattern: /Binder Error: column "([^"]+)" must appear in the GROUP BY clause/,
    code: SqlState.groupingError,
    message: (m) => `column "${m[1]}" must appear in the GROUP BY clause or be used in an aggregate function`,
  },
  { pattern: /Binder Error/, code: SqlState.datatypeMismatch },
  { pattern: /Parser Error/, code: SqlState.syntaxError },
  { pattern: /Conversion Error: .*out of range/i, code: SqlState.numericValueOutOfRange },
  { pattern: /Conversion Error/, code: SqlState.invalidTextRepresentation },
  { pattern: /Out of Range Error/, code: SqlState.numericValueOutOfRange },
  { pattern: /[Dd]ivision by zero/, code: SqlState.divisionByZero },
  { pattern: /Invalid Input Error/, code: SqlState.invalidParameterValue },
  { pattern: /Not implemented Error/, code: SqlState.featureNotSupported },
  { pattern: /Out of Memory Error/, code: SqlState.outOfMemory },
  { pattern: /Constraint Error/, code: SqlState.dataException },
];

/** A PgError for anything DuckDB threw. PgErrors pass through unchanged. */
export function pgErrorFromDuckDb(error: unknown): PgError {
  if (error instanceof PgError) return error;
  const text = error instanceof Error ? error.message : String(error);
  for (const rule of rules) {
    const match = rule.pattern.exec(text);
    if (match) return new PgError(rule.code, rule.message ? rule.message(match) : stripKind(text));
  }
  return new PgError(SqlState.internalError, stripKind(text));
}

function stripKind(text: string): string {
  const firstLine = text.split('\n', 1)[0] ?? text;
  return firstLine.replace(/^[A-Za-z ]+ Error: /, '');
}
