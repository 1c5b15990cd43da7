/**
 * The DuckDB column reader's fast paths (inline VARCHARs read from the vector's bytes,
 * fixed-width columns from typed arrays) give exactly what DuckDB's own value accessors
 * give, for strings of every inline length, ASCII or not, around the 12-byte boundary,
 * with NULLs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readColumn } from '../../connectors/duckdb/duckdb-column-reader.js';
import { pgColumnType } from '../../connectors/duckdb/duckdb-pg-types.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

describe('DuckDB column reader', () => {
  it('reads VARCHARs of every length as DuckDB does', async () => {
    const text = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 14 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 40 }), fc.integer({ min: -3, max: 3 }), async (values, id) => {
        await connection.run('CREATE OR REPLACE TABLE t (i INTEGER, s VARCHAR, n BIGINT)');
        const appender = await connection.createAppender('t');
        values.forEach((v, i) => {
          appender.appendInteger(i);
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
          appender.appendBigInt(BigInt(i * id));
          appender.endRow();
        });
        appender.closeSync();
        const result = await connection.stream('SELECT s, n FROM t ORDER BY i');
        const types = result.columnTypes().map(pgColumnType);
        const read: unknown[][] = [[], []];
        const expected: unknown[][] = [[], []];
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          for (const c of [0, 1]) {
            read[c]!.push(...readColumn(chunk, c, types[c]!));
            expected[c]!.push(...chunk.getColumnValues(c).map((v) => (v === null ? null : types[c]!.convert(v))));
          }
        }
        expect(read[0]).toEqual(values);
        expect(read).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
