export { initSqlParser, parseStatements, type SqlStatement } from './parser.js';
export { commandOf } from './command-tag.js';
export { toDuckDbSql, type RewriteInput } from './rewrite/to-duckdb-sql.js';
export type { SessionValues } from './rewrite/catalog-functions.js';
export { pgTypeOfDuckDbType, type PgTypeRef } from './duckdb-type-map.js';
export { builtinTypes, builtinTypeByName, builtinTypeByOid, type BuiltinType } from './builtin-types.js';
export * as emulation from './rewrite/emulation.js';
export { resultTypeHints, type TypeHint } from './result-type-hints.js';
