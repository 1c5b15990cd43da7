import { describe, expect, it } from 'vitest';
import { pgTypeOfDuckDbType } from '../../src/sql/index.js';

describe('pgTypeOfDuckDbType', () => {
  it('maps DuckDB column types to PostgreSQL type OIDs and typmods', () => {
    const cases: [string, number, number][] = [
      ['INTEGER', 23, -1],
      ['BIGINT', 20, -1],
      ['SMALLINT', 21, -1],
      ['TINYINT', 21, -1],
      ['UINTEGER', 20, -1],
      ['HUGEINT', 1700, -1],
      ['VARCHAR', 25, -1],
      ['DOUBLE', 701, -1],
      ['FLOAT', 700, -1],
      ['DATE', 1082, -1],
      ['TIME', 1083, -1],
      ['TIMESTAMP', 1114, -1],
      ['TIMESTAMP WITH TIME ZONE', 1184, -1],
      ['INTERVAL', 1186, -1],
      ['BOOLEAN', 16, -1],
      ['BLOB', 17, -1],
      ['UUID', 2950, -1],
      ['JSON', 114, -1],
      ['DECIMAL(10,2)', 1700, (10 << 16) + 2 + 4],
      ['VARCHAR[]', 1009, -1],
      ['INTEGER[]', 1007, -1],
      ['DECIMAL(5,1)[]', 1231, (5 << 16) + 1 + 4],
      ['INTEGER[3]', 1007, -1],
      ['INTEGER[][]', 25, -1],
      ['STRUCT(a INTEGER)', 25, -1],
      ['MAP(VARCHAR, INTEGER)', 25, -1],
    ];
    for (const [duckdb, oid, typmod] of cases) {
      expect([duckdb, pgTypeOfDuckDbType(duckdb)]).toEqual([duckdb, { oid, typmod }]);
    }
  });
});
