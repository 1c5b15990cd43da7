import { SqlDialect } from './sql-dialect.js';

export class DuckDbDialect extends SqlDialect {
  constructor() {
    super({
      name: 'duckdb',
      identifierQuote: ['"', '"'],
      // DuckDB keeps the case it was given but compares case-insensitively.
      unquotedCasing: 'unchanged',
      backslashEscapesInLiterals: false,
      nullsSortAscending: 'last',
    });
  }

  /** DuckDB's `%` answers NULL for a zero divisor; error() raises what maps to 22012. */
  override remainder(left: string, right: string): string {
    return `(CASE WHEN ${right} = 0 THEN error('division by zero') ELSE ${left} % ${right} END)`;
  }

  /** DuckDB sums integers as HUGEINT; the cast fails (22003) where PostgreSQL's bigint would overflow. */
  override bigintSum(sum: string): string {
    return `CAST(${sum} AS BIGINT)`;
  }

  protected override doubleType(): string {
    return 'DOUBLE';
  }
}
