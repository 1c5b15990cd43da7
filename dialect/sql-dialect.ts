/**
 * One base for every engine's SQL: lexical rules as a config record, quirks as small
 * overrides in a subclass per engine (Calcite's SqlDialect; see shared/STYLE.md §4).
 * Every identifier and literal C2D sends to an engine goes through these methods, never
 * through string concatenation of user text.
 */
import { PgError } from '../src/server/pg-error.js';
import { SqlState } from '../src/server/sqlstate.js';

export interface DialectConfig {
  readonly name: 'postgres' | 'duckdb' | 'spark';
  /** Opening and closing identifier quote; an embedded closing quote is doubled. */
  readonly identifierQuote: readonly [open: string, close: string];
  /** What an unquoted identifier folds to. */
  readonly unquotedCasing: 'lower' | 'upper' | 'unchanged';
  /** Whether a backslash inside '…' is an escape character (Spark: yes; PostgreSQL with standard_conforming_strings: no). */
  readonly backslashEscapesInLiterals: boolean;
  /** Where NULLs sort by default for ASC. */
  readonly nullsSortAscending: 'first' | 'last';
}

export abstract class SqlDialect {
  constructor(readonly config: DialectConfig) {}

  /** Always quotes, so keywords, case and punctuation survive: "a""b" / `a``b`. */
  quoteIdentifier(name: string): string {
    rejectNul(name, 'identifier');
    const [open, close] = this.config.identifierQuote;
    return open + name.split(close).join(close + close) + close;
  }

  /** schema.table (or catalog.schema.table), each part quoted. */
  quoteQualified(parts: readonly string[]): string {
    return parts.map((p) => this.quoteIdentifier(p)).join('.');
  }

  /** A string literal whose value is exactly `value`. */
  quoteString(value: string): string {
    rejectNul(value, 'string literal');
    const body = this.config.backslashEscapesInLiterals
      ? value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
      : value.replace(/'/g, "''");
    return `'${body}'`;
  }

  /** A literal for a JS value: null, boolean, number, bigint or string. */
  literal(value: null | boolean | number | bigint | string): string {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number') return this.numberLiteral(value);
    return this.quoteString(value);
  }

  /** LIMIT/OFFSET clause text ('' when neither is set). */
  limitOffset(limit: bigint | null, offset: bigint | null): string {
    const parts: string[] = [];
    if (limit !== null) parts.push(`LIMIT ${limit}`);
    if (offset !== null && offset !== 0n) parts.push(`OFFSET ${offset}`);
    return parts.join(' ');
  }

  /** ORDER BY item with explicit NULL placement, so results agree across engines. */
  orderItem(expression: string, descending: boolean, nullsFirst: boolean): string {
    return `${expression} ${descending ? 'DESC' : 'ASC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
  }

  /**
   * [NOT] [I]LIKE with backslash as the escape character, PostgreSQL's default (DuckDB
   * has none unless told, so it is always spelled out).
   */
  likeExpression(arg: string, pattern: string, negated: boolean, caseInsensitive: boolean): string {
    return `(${arg} ${negated ? 'NOT ' : ''}${caseInsensitive ? 'ILIKE' : 'LIKE'} ${pattern} ESCAPE ${this.quoteString('\\')})`;
  }

  /** `left % right`, raising division by zero (22012) on a zero divisor as PostgreSQL does. */
  remainder(left: string, right: string): string {
    return `(${left} % ${right})`;
  }

  /** A sum over small integers as bigint, PostgreSQL's type for it (the engine's own sum may be wider). */
  bigintSum(sum: string): string {
    return sum;
  }

  /** Whole days from date `right` to date `left`, as an integer (PostgreSQL's date - date). */
  dateDiff(left: string, right: string): string {
    return `(${left} - ${right})`;
  }

  /** The engine's name for a type a literal can be cast to. */
  typeName(type: 'date' | 'timestamp' | 'timestamptz'): string {
    return { date: 'DATE', timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMP WITH TIME ZONE' }[type];
  }

  protected numberLiteral(value: number): string {
    if (Number.isNaN(value)) return `CAST('NaN' AS ${this.doubleType()})`;
    if (!Number.isFinite(value)) return `CAST('${value > 0 ? 'Infinity' : '-Infinity'}' AS ${this.doubleType()})`;
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
    // Shortest round-trip text, typed as double so engines do not read it as decimal.
    return `CAST(${this.quoteString(String(value))} AS ${this.doubleType()})`;
  }

  protected doubleType(): string {
    return 'DOUBLE PRECISION';
  }
}

function rejectNul(text: string, what: string): void {
  if (text.includes('\0')) {
    throw new PgError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": 0x00 in ${what}`);
  }
}
