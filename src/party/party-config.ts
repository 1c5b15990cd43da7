/**
 * A party node's configuration file (JSON), kept by the data owner: where to listen, its
 * TLS material, its engine and credentials (never sent to the gateway), and the tables it
 * exports with a policy per column.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Connector } from '../../connectors/connector.js';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { PostgresConnector } from '../../connectors/postgres/postgres-connector.js';
import { SparkConnector } from '../../connectors/spark/spark-connector.js';
import type { IssuedCertificate } from './certs.js';
import type { ExportedTable } from './party-node.js';
import type { ColumnPolicy } from './party-service.js';

export type EngineConfig =
  | { type: 'duckdb'; path: string }
  | { type: 'postgres'; host: string; port: number; database: string; user: string; passwordEnv?: string }
  /** A Spark Connect server, sc://host:port. */
  | { type: 'spark'; url: string };

export interface PartyConfig {
  name: string;
  listen: { host: string; port: number };
  tls: { key: string; cert: string; ca: string };
  engine: EngineConfig;
  tables: ExportedTable[];
  allowedPeers?: string[];
  /** Where to listen for other compute parties' MPC links (default: the listen host, a free port). */
  mpc?: { host?: string; port?: number };
  /** Where to listen for the gateway's fragments (default: the listen host, a free port). */
  fragments?: { host?: string; port?: number };
}

export class ConfigError extends Error {}

/** Reads and checks a config file; relative paths in it are relative to the file. */
export async function loadPartyConfig(path: string): Promise<PartyConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read party config ${path}: ${(error as Error).message}`);
  }
  const base = dirname(resolve(path));
  const c = raw as Partial<PartyConfig>;
  const need = (ok: unknown, what: string): void => {
    if (!ok) throw new ConfigError(`party config ${path}: ${what}`);
  };
  need(typeof c.name === 'string' && /^[a-z][a-z0-9_]*$/.test(c.name), '"name" must be a lower-case identifier');
  need(c.listen && typeof c.listen.host === 'string' && Number.isInteger(c.listen.port), '"listen" needs "host" and "port"');
  need(c.tls && typeof c.tls.key === 'string' && typeof c.tls.cert === 'string' && typeof c.tls.ca === 'string', '"tls" needs "key", "cert" and "ca" files');
  need(c.engine && (c.engine.type === 'duckdb' || c.engine.type === 'postgres' || c.engine.type === 'spark'), '"engine.type" must be "duckdb", "postgres" or "spark"');
  need(c.engine!.type !== 'spark' || /^sc:\/\//.test((c.engine as { url?: string }).url ?? ''), '"engine.url" of a spark engine must be sc://host:port');
  for (const key of ['mpc', 'fragments'] as const) {
    const at = c[key];
    need(
      at === undefined || (typeof at === 'object' && at !== null && (at.host === undefined || typeof at.host === 'string') && (at.port === undefined || (Number.isInteger(at.port) && at.port >= 0 && at.port <= 65535))),
      `"${key}" may give "host" and "port" (0 or absent: a free port)`,
    );
  }
  need(Array.isArray(c.tables) && c.tables.length > 0, '"tables" must list at least one exported table');
  for (const t of c.tables!) {
    need(typeof t.name === 'string' && t.remote && typeof t.remote.name === 'string', 'each table needs "name" and "remote.name"');
    for (const [column, policy] of Object.entries(t.policies ?? {})) {
      need(policy === 'public' || policy === 'protected', `policy of ${t.name}.${column} must be "public" or "protected"`);
    }
  }
  const at = (p: string): string => resolve(base, p);
  const engine = c.engine!.type === 'duckdb' ? { ...c.engine!, path: at((c.engine as { path: string }).path) } : c.engine!;
  return {
    ...(c as PartyConfig),
    tls: { key: at(c.tls!.key), cert: at(c.tls!.cert), ca: at(c.tls!.ca) },
    engine,
    tables: c.tables!.map((t) => ({
      name: t.name,
      remote: { schema: t.remote.schema ?? { duckdb: 'main', postgres: 'public', spark: 'default' }[engine.type], name: t.remote.name },
      policies: (t.policies ?? {}) as Record<string, ColumnPolicy>,
    })),
  };
}

export async function loadTlsFiles(tls: PartyConfig['tls']): Promise<IssuedCertificate> {
  const [key, cert, ca] = await Promise.all([readFile(tls.key, 'utf8'), readFile(tls.cert, 'utf8'), readFile(tls.ca, 'utf8')]);
  return { key, cert, ca };
}

export async function openConnector(engine: EngineConfig): Promise<Connector> {
  if (engine.type === 'duckdb') return DuckDbConnector.open({ path: engine.path, readOnly: true });
  if (engine.type === 'spark') return new SparkConnector({ url: engine.url });
  const password = engine.passwordEnv ? process.env[engine.passwordEnv] : undefined;
  return new PostgresConnector({ host: engine.host, port: engine.port, database: engine.database, user: engine.user, password });
}
