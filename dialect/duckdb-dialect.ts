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

  protected override doubleType(): string {
    return 'DOUBLE';
  }
}
