import { describe, expect, it } from 'vitest';
import { gatewayBesidePostgres } from '../support/gateway-beside-postgres.js';

// to_char through the gateway (DuckDB underneath) against the local PostgreSQL's own
// to_char, on the same values and templates.
const clients = gatewayBesidePostgres();

const values = ["TIMESTAMP '2024-03-05 07:08:09.123456'", "TIMESTAMP '1999-12-31 23:59:59'", "DATE '2024-01-01'", "TIMESTAMP '2023-07-09 12:00:00'"];
const templates = [
  'YYYY-MM-DD',
  'yyyy-mm-dd hh24:mi:ss',
  'DD.MM.YY HH12:MI AM',
  'FMDD/FMMM/YYYY FMHH24h',
  'Month DD, YYYY',
  'FMMonth FMDD, YYYY',
  'MON mon Mon DY Dy dy',
  'Day|FMDay|DAY|day',
  'D DDD Q IW',
  'HH24:MI:SS.MS US',
  '"Quarter" Q "of" YYYY',
  'YYYY\\\\MM \\"Q\\" "a\\"b"',
];

describe('to_char', () => {
  it.each(templates)('%s agrees with PostgreSQL on every value', async (template) => {
    for (const value of values) {
      const sql = `SELECT to_char(${value}, '${template}') AS t`;
      const [a, b] = await Promise.all([clients.gateway().query(sql), clients.postgres().query(sql)]);
      expect({ value, text: a.rows[0].t }).toEqual({ value, text: b.rows[0].t });
    }
  });

  it('answers NULL for NULL, and refuses a pattern it cannot translate with 0A000', async () => {
    expect((await clients.gateway().query("SELECT to_char(NULL::date, 'YYYY') AS t")).rows).toEqual([{ t: null }]);
    await expect(clients.gateway().query("SELECT to_char(DATE '2024-01-01', 'YYYY TZ')")).rejects.toMatchObject({ code: '0A000', message: 'to_char pattern "TZ" is not supported' });
    await expect(clients.gateway().query("SELECT to_char(DATE '2024-01-01', 'Y,YYY')")).rejects.toMatchObject({ code: '0A000' });
  });
});
