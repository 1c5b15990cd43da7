export { SqlDialect, type DialectConfig } from './sql-dialect.js';
export { PostgresDialect } from './postgres-dialect.js';
export { DuckDbDialect } from './duckdb-dialect.js';
export { SparkDialect } from './spark-dialect.js';
export { emitFragment, emitExpr } from './emit-fragment.js';
