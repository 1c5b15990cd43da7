/**
 * The embedded demo's federation: three party nodes (bmc, mgh, bwh), each over its own
 * DuckDB file, reached by the gateway over mutual TLS on loopback, and registered in the
 * gateway's catalog with the SQL/MED DDL a DBA would type (demoDdl shows it).
 * national_id and dose_mg are protected: the parties refuse to send them in plaintext.
 */
import type { Logger } from 'pino';
import pg from 'pg';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import type { RemoteColumn } from '../../connectors/connector.js';
import { federationCertificatesExist, readFederationCertificate, writeFederationCertificates } from '../party/cert-files.js';
import type { IssuedCertificate } from '../party/certs.js';
import { createPartyNode, type ExportedTable } from '../party/party-node.js';
import { formatType } from '../sql/types/index.js';
import { demoFilePath } from './generate.js';
import { DEMO_PARTIES, DEMO_TABLES } from './hospital-data.js';

/**
 * The columns the demo's owners protect: national_id never leaves a party; dose_mg may be
 * aggregated across hospitals only under secure computation.
 */
export const PROTECTED_COLUMNS: ReadonlySet<string> = new Set(['national_id', 'dose_mg']);

export interface DemoParty {
  name: string;
  port: number;
}

export interface DemoParties {
  parties: DemoParty[];
  /** The gateway's certificate from the demo's federation CA. */
  gatewayTls: IssuedCertificate;
  /** Each demo table's columns as the parties export them. */
  tables: Map<string, RemoteColumn[]>;
  close(): Promise<void>;
}

/** Starts the three party nodes on ephemeral loopback ports; makes the demo's CA on first use. */
export async function startDemoParties(dataDir: string, certDir: string, logger: Logger): Promise<DemoParties> {
  if (!(await federationCertificatesExist(certDir))) {
    await writeFederationCertificates(certDir, ['gateway', ...DEMO_PARTIES], ['127.0.0.1', 'localhost']);
  }
  const started: Array<{ party: DemoParty; stop: () => Promise<void> }> = [];
  const tables = new Map<string, RemoteColumn[]>();
  try {
    for (const name of DEMO_PARTIES) {
      const connector = await DuckDbConnector.open({ path: demoFilePath(dataDir, name), readOnly: true });
      const exported: ExportedTable[] = [];
      for (const table of DEMO_TABLES) {
        const described = await connector.describeTable({ schema: 'main', name: table });
        tables.set(table, described.columns);
        const policies = Object.fromEntries(described.columns.map((c) => [c.name, PROTECTED_COLUMNS.has(c.name) ? 'protected' : 'public'] as const));
        exported.push({ name: table, remote: { schema: 'main', name: table }, policies });
      }
      const node = createPartyNode({ name, connector, tables: exported, tls: await readFederationCertificate(certDir, name), logger });
      const port = await node.listen(0, '127.0.0.1');
      started.push({
        party: { name, port },
        stop: async () => {
          await node.close();
          await connector.close();
        },
      });
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return {
    parties: started.map((s) => s.party),
    gatewayTls: await readFederationCertificate(certDir, 'gateway'),
    tables,
    close: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}

const ident = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The DDL registering the demo: a server per party, and per table a federated table
 * partitioned by party with one foreign partition at each party. It can run on every
 * start: what exists is kept, and the servers get the parties' new ports.
 */
export function demoDdl(parties: readonly DemoParty[], tables: ReadonlyMap<string, readonly RemoteColumn[]>): string[] {
  const ddl: string[] = [];
  for (const p of parties) {
    const port = literal(String(p.port));
    ddl.push(`CREATE SERVER IF NOT EXISTS ${ident(p.name)} FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port ${port})`);
    ddl.push(`ALTER SERVER ${ident(p.name)} OPTIONS (SET port ${port})`);
  }
  for (const [table, columns] of tables) {
    const defs = columns.map((c) => `${ident(c.name)} ${formatType(c.typeOid, c.typmod)}${c.nullable ? '' : ' NOT NULL'}`);
    ddl.push(`CREATE TABLE IF NOT EXISTS ${ident(table)} (party text NOT NULL, ${defs.join(', ')}) PARTITION BY LIST (party)`);
    for (const p of parties) {
      ddl.push(
        `CREATE FOREIGN TABLE IF NOT EXISTS ${ident(`${table}_${p.name}`)} PARTITION OF ${ident(table)} FOR VALUES IN (${literal(p.name)}) SERVER ${ident(p.name)} OPTIONS (table ${literal(table)})`,
      );
    }
    for (const c of columns) {
      if (PROTECTED_COLUMNS.has(c.name)) ddl.push(`SECURITY LABEL FOR c2d ON COLUMN ${ident(table)}.${ident(c.name)} IS 'protected'`);
    }
  }
  return ddl;
}

/** Runs the demo's DDL through the gateway itself, as a DBA would with psql. */
export async function registerDemoFederation(connection: pg.ClientConfig, demo: DemoParties): Promise<void> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    for (const statement of demoDdl(demo.parties, demo.tables)) await client.query(statement);
  } finally {
    await client.end();
  }
}
