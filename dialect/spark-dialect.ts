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

  /** Spark's TIMESTAMP is with a time zone; TIMESTAMP_NTZ is the one without. */
  override typeName(type: 'date' | 'timestamp' | 'timestamptz'): string {
    return { date: 'DATE', timestamp: 'TIMESTAMP_NTZ', timestamptz: 'TIMESTAMP' }[type];
  }

  /** Spark's date - date is an INTERVAL DAY (compared with a number, an error); datediff is the integer. */
  override dateDiff(left: string, right: string): string {
    return `datediff(${left}, ${right})`;
  }

  protected override doubleType(): string {
    return 'DOUBLE';
  }
}
