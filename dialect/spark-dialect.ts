import { SqlDialect } from './sql-dialect.js';

/** Spark SQL with its defaults (spark.sql.parser.escapedStringLiterals=false: backslash escapes). */
export class SparkDialect extends SqlDialect {
  constructor() {
    super({
      name: 'spark',
      identifierQuote: ['`', '`'],
      unquotedCasing: 'unchanged',
      backslashEscapesInLiterals: true,
      // Spark sorts NULLs first in ascending order.
      nullsSortAscending: 'first',
    });
  }

  protected override doubleType(): string {
    return 'DOUBLE';
  }
}
