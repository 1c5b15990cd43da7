import { describe, expect, it } from 'vitest';
import { gatewayBesidePostgres } from '../support/gateway-beside-postgres.js';

// EXTRACT and date_part through the gateway (DuckDB underneath) against the local
// PostgreSQL, on the same values and fields: the same text and the same type (numeric
// for extract, double precision for date_part), the fraction of a second included.
const clients = gatewayBesidePostgres();

const timestamps = ["TIMESTAMP '2024-03-05 07:08:09.123456'", "TIMESTAMP '1999-12-31 23:59:59'", "TIMESTAMP '1969-07-20 20:17:40.5'", "TIMESTAMPTZ '2024-03-05 07:08:09.25+00'"];
const fields = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'milliseconds', 'microseconds', 'dow', 'isodow', 'doy', 'isoyear', 'decade', 'century', 'millennium', 'epoch'];

describe('EXTRACT and date_part', () => {
  it.each(fields)('%s agrees with PostgreSQL on every timestamp, value and type', async (field) => {
    for (const value of timestamps) {
      const sql = `SELECT extract(${field} FROM ${value}) AS e, date_part('${field}', ${value}) AS d`;
      const [a, b] = await Promise.all([clients.gateway().query(sql), clients.postgres().query(sql)]);
      expect({ value, row: a.rows[0], types: a.fields.map((f) => f.dataTypeID) }).toEqual({ value, row: b.rows[0], types: b.fields.map((f) => f.dataTypeID) });
    }
  });

  it('on dates, on intervals, in a GROUP BY over a column, for NULL, and with a field that is not a constant', async () => {
    for (const sql of [
      "SELECT extract(year FROM DATE '2024-03-05') AS y, extract(dow FROM DATE '2024-03-05') AS w, date_part('month', DATE '2024-03-05') AS m",
      "SELECT extract(second FROM INTERVAL '1 minute 5.5 seconds') AS s, extract(minute FROM INTERVAL '1 minute 5.5 seconds') AS m, extract(epoch FROM INTERVAL '1 minute 5.5 seconds') AS e",
      "SELECT extract(month FROM d) AS m, count(*) AS n FROM (VALUES (DATE '2024-01-05'), (DATE '2024-01-20'), (DATE '2024-02-01')) AS v(d) GROUP BY 1 ORDER BY 1",
      'SELECT extract(year FROM NULL::timestamp) AS y, date_part(\'second\', NULL::timestamp) AS s',
      "SELECT date_part(f, TIMESTAMP '2024-03-05 07:08:09') AS p FROM (VALUES ('year'), ('hour')) AS v(f) ORDER BY 1",
    ]) {
      const [a, b] = await Promise.all([clients.gateway().query(sql), clients.postgres().query(sql)]);
      expect({ sql, rows: a.rows }).toEqual({ sql, rows: b.rows });
    }
  });
});
