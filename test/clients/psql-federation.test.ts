/**
 * The real psql describing the federation: a gateway whose catalog was filled by DDL (the
 * demo's servers and partitioned tables with foreign partitions, plus DDL run here) against
 * the local PostgreSQL holding the same objects made with postgres_fdw in a scratch
 * database. `\d+ patients` and its neighbours must print the same, apart from what must
 * differ (owner names, the wrapper's name and its table option's name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';
import { postgresTwin } from './federation-twin.js';

let gw: TestGateway;
let scratch: TestDatabase;

interface Target {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
}

function psql(target: Target, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'psql',
      ['-X', '-h', target.host, '-p', String(target.port), '-U', target.user, '-d', target.database, ...args],
      {
        env: { ...process.env, PGPASSWORD: target.password ?? '', PGSSLMODE: 'prefer', PGCONNECT_TIMEOUT: '10' },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const gateway = (): Target => ({ host: gw.host, port: gw.port, user: gw.user, database: gw.database, password: gw.password });
const local = (): Target => ({ ...LOCAL_POSTGRES, database: scratch.name });

async function describeOn(target: Target, command: string, unaligned = false): Promise<string> {
  const r = await psql(target, [...(unaligned ? ['-A'] : []), '-c', command]);
  expect(r.stderr, `${command} on ${target.port}`).toBe('');
  return r.stdout;
}

/** What must differ between the gateway and PostgreSQL: owners, the wrapper, its table option. */
function normalise(text: string, owners: readonly string[]): string {
  let out = text.replace(/\bpostgres_fdw\b/g, 'WRAPPER').replace(/\|c2d(?=\||$)/gm, '|WRAPPER').replace(/\btable_name '/g, "table '");
  for (const owner of owners) out = out.replace(new RegExp(`\\|${owner}(?=\\||$)`, 'gm'), '|OWNER');
  return out;
}

beforeAll(async () => {
  gw = await startTestGateway();
  // More DDL through the wire, after the demo's: a server no party answers (nothing checks a
  // server until a table uses it) and a partitioned table without partitions yet.
  const ddl = await psql(gateway(), ['-v', 'ON_ERROR_STOP=1'], [
    "CREATE SERVER extra FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '7001');",
    'CREATE TABLE visits (party text NOT NULL, id integer, kind varchar(10), cost numeric(10,2), seen timestamptz) PARTITION BY LIST (party);',
    "SECURITY LABEL FOR c2d ON COLUMN patients.national_id IS 'protected';",
  ].join('\n'));
  expect(ddl.stderr).toBe('');

  // The same objects on the local PostgreSQL, built from what the gateway's catalog says.
  scratch = await postgresTwin({ host: gw.host, port: gw.port, user: gw.user, password: gw.password, database: gw.database }, 'psql_federation');
});

afterAll(async () => {
  await scratch?.drop();
  await gw?.stop();
});

describe('psql describes the federation as PostgreSQL describes postgres_fdw partitions', () => {
  it.each(['\\d+ patients', '\\d patients', '\\d+ patients_bmc', '\\d patients_mgh', '\\d+ visits'])(
    '%s prints exactly what PostgreSQL prints',
    async (command) => {
      const ours = await describeOn(gateway(), command);
      const theirs = await describeOn(local(), command);
      expect(normalise(ours, [])).toBe(normalise(theirs, []));
    },
  );

  it('\\d+ patients lists the three parties\' partitions with their bounds', async () => {
    const out = await describeOn(gateway(), '\\d+ patients');
    expect(out).toContain('Partitioned table "public.patients"');
    expect(out).toContain('Partition key: LIST (party)');
    expect(out).toMatch(/Partitions: patients_bmc FOR VALUES IN \('bmc'\),\n\s+patients_bwh FOR VALUES IN \('bwh'\),\n\s+patients_mgh FOR VALUES IN \('mgh'\)/);
  });

  it.each(['\\d', '\\dt', '\\dE', '\\des', '\\des+', '\\det+', '\\dp', '\\deu'])('%s lists the same objects', async (command) => {
    const ours = await describeOn(gateway(), command, true);
    const theirs = await describeOn(local(), command, true);
    expect(normalise(ours, [gw.user])).toBe(normalise(theirs, ['postgres']));
  });

  it('information_schema shows the tables, columns and SQL/MED objects as PostgreSQL does', async () => {
    const queries = [
      `SELECT table_schema, table_name, table_type, is_typed FROM information_schema.tables
        WHERE table_schema = 'public' ORDER BY table_name`,
      `SELECT table_name, column_name, ordinal_position, is_nullable, data_type, character_maximum_length,
              numeric_precision, numeric_scale, datetime_precision, udt_name
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      `SELECT foreign_table_schema, foreign_table_name, foreign_server_name FROM information_schema.foreign_tables ORDER BY 2`,
      `SELECT foreign_server_name, option_name, option_value FROM information_schema.foreign_server_options ORDER BY 1, 2`,
      `SELECT foreign_table_name, option_value FROM information_schema.foreign_table_options ORDER BY 1`,
      `SELECT c.relname, c.relkind, c.relispartition, pg_get_expr(c.relpartbound, c.oid) AS bound,
              pg_get_partition_constraintdef(c.oid) AS constraint, pt.partstrat, pt.partnatts
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
        WHERE n.nspname = 'public' ORDER BY c.relname`,
      `SELECT p.relname AS parent, c.relname AS child, i.inhseqno FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent ORDER BY 2`,
    ];
    const ours = new pg.Client({ host: gw.host, port: gw.port, user: gw.user, password: gw.password, database: gw.database });
    const theirs = new pg.Client({ ...LOCAL_POSTGRES, database: scratch.name });
    await ours.connect();
    await theirs.connect();
    try {
      for (const sql of queries) {
        const a = await ours.query({ text: sql, rowMode: 'array' });
        const b = await theirs.query({ text: sql, rowMode: 'array' });
        expect(a.rows.length, sql).toBeGreaterThan(0);
        expect({ sql, rows: a.rows }).toEqual({ sql, rows: b.rows });
        // Names only: the emulation reports sql_identifier/name columns as text (see README).
        expect(a.fields.map((f) => f.name), sql).toEqual(b.fields.map((f) => f.name));
      }
    } finally {
      await ours.end();
      await theirs.end();
    }
  });

  it('shows DDL at once: a new server appears in \\des and a dropped one disappears', async () => {
    const created = await psql(gateway(), ['-A', '-t'], "CREATE SERVER later FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '7009');\n\\des\n");
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^later\|/m);
    const dropped = await psql(gateway(), ['-A', '-t'], 'DROP SERVER later;\n\\des\n');
    expect(dropped.stderr).toBe('');
    expect(dropped.stdout).not.toMatch(/^later\|/m);
    expect(dropped.stdout).toMatch(/^bmc\|/m);
  });

  it('shows column policies in pg_seclabels and roles from the catalog in \\du', async () => {
    const labels = await describeOn(gateway(), 'select objtype, objname, provider, label from pg_seclabels', true);
    expect(labels).toContain('column|patients.national_id|c2d|protected');
    const roles = await describeOn(gateway(), '\\du', true);
    expect(roles).toMatch(new RegExp(`^${gw.user}\\|`, 'm'));
  });
});
