/** An in-memory DuckDB with a few demo tables and the catalog emulation installed. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { installPgCatalog } from '../../src/pgcatalog/index.js';

export const catalogOptions = {
  database: 'c2d',
  user: 'postgres',
  serverVersion: '16.4',
  versionString: 'PostgreSQL 16.4 (C2D gateway) on x86_64-pc-linux-gnu, 64-bit',
};

export async function demoDuckDb(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`
    CREATE TABLE patients (id BIGINT PRIMARY KEY, name VARCHAR, party VARCHAR NOT NULL, age INTEGER, diagnosis VARCHAR,
                           admitted DATE, score DOUBLE, cost DECIMAL(10,2), tags VARCHAR[]);
    INSERT INTO patients VALUES (1, 'Ann', 'bmc', 34, 'J45', DATE '2024-01-02', 1.5, 12.50, ['a']),
                                (2, 'Bob', 'mgh', 61, 'I10', DATE '2024-02-03', 2.5, 99.99, []);
    CREATE TABLE notes (id INTEGER, body VARCHAR, created TIMESTAMP, UNIQUE (id));
    CREATE VIEW adults AS SELECT id, age FROM patients WHERE age >= 18;
  `);
  await installPgCatalog(connection, catalogOptions);
  return { instance, connection };
}
