/**
 * docker/: the party configurations load as `c2d party` reads them and carry the demo's
 * policies for every column the parties export; register.sql is the demo's own DDL (with
 * the compose network's host names) and binds into a catalog without an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { CatalogStore } from '../../src/catalog/index.js';
import { demoDdl, PROTECTED_COLUMNS, startDemoParties, type DemoParties } from '../../src/demo/demo-federation.js';
import { generateDemoData } from '../../src/demo/generate.js';
import { DEMO_PARTIES } from '../../src/demo/hospital-data.js';
import { createLocalEngine } from '../../src/engine/index.js';
import { loadPartyConfig } from '../../src/party/party-config.js';
import type { EngineSession } from '../../src/server/engine.js';

const docker = fileURLToPath(new URL('../../docker/', import.meta.url));
let dir: string;
let parties: DemoParties;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-docker-'));
  await generateDemoData({ dir: join(dir, 'data'), scale: 0.01, seed: 1 });
  parties = await startDemoParties(join(dir, 'data'), join(dir, 'certs'), pino({ level: 'silent' }));
}, 60_000);

afterAll(async () => {
  await parties?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('docker/parties', () => {
  it.each(DEMO_PARTIES)('%s.json loads and gives every exported column the demo’s policy', async (party) => {
    const config = await loadPartyConfig(join(docker, 'parties', `${party}.json`));
    expect(config.name).toBe(party);
    expect(config.tls.cert).toBe(`/state/certs/${party}.crt`);
    for (const [table, columns] of parties.tables) {
      const exported = config.tables.find((t) => t.name === table);
      expect(exported, table).toBeDefined();
      expect(Object.fromEntries(columns.map((c) => [c.name, exported!.policies[c.name]]))).toEqual(
        Object.fromEntries(columns.map((c) => [c.name, PROTECTED_COLUMNS.has(c.name) ? 'protected' : 'public'])),
      );
    }
  });
});

describe('docker/register.sql', () => {
  const statements = async (): Promise<string[]> =>
    (await readFile(join(docker, 'register.sql'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('--'))
      .map((l) => l.replace(/;$/, ''));

  it('is the demo’s DDL, with the compose network’s host names', async () => {
    const expected = demoDdl(parties.parties.map((p) => ({ name: p.name, port: 7001 })), parties.tables)
      .filter((s) => !s.startsWith('ALTER SERVER'))
      .map((s) => s.replace("host '127.0.0.1'", `host '${/SERVER IF NOT EXISTS (\w+)/.exec(s)?.[1]}'`));
    expect(await statements()).toEqual(expected);
  });

  it('binds into a catalog: three servers, four federated tables, twelve partitions, two labels', async () => {
    const catalog = await CatalogStore.open(join(dir, 'catalog.sqlite'));
    const instance = await DuckDBInstance.create(':memory:');
    let session: EngineSession | undefined;
    try {
      const engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'test', catalog });
      session = await engine.openSession({ user: 'analyst', database: 'c2d', parameters: {}, remoteAddress: '127.0.0.1' }, { notice: () => {}, parameterStatus: () => {} });
      for (const sql of await statements()) {
        for (const statement of session.parse(sql)) {
          const prepared = await session.prepare(statement, []);
          await prepared.execute([], { signal: new AbortController().signal });
        }
      }
      const snapshot = await catalog.snapshot();
      expect(snapshot.servers.map((s) => s.name).sort()).toEqual(['bmc', 'bwh', 'mgh']);
      expect(snapshot.relations.filter((r) => r.kind === 'p')).toHaveLength(4);
      expect(snapshot.relations.filter((r) => r.partitionOf)).toHaveLength(12);
      expect(snapshot.securityLabels.map((l) => l.label)).toEqual(['protected', 'protected']);
    } finally {
      await session?.close();
      instance.closeSync();
      await catalog.close();
    }
  });
});
