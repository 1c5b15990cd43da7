import { SqlDialect } from './sql-dialect.js';

/** PostgreSQL, with standard_conforming_strings on (the connector sets it). */
export class PostgresDialect extends SqlDialect {
  constructor() {
    super({
      name: 'postgres',
      identifierQuote: ['"', '"'],
      unquotedCasing: 'lower',
      backslashEscapesInLiterals: false,
      nullsSortAscending: 'last',
    });
  }
}
