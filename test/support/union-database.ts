/**
 * All three parties' demo data in one DuckDB, as union tables with a `party` column: the
 * shape of the demo's federated tables. Tests compare federated answers with it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DEMO_PARTIES, DEMO_TABLES } from '../../src/demo/hospital-data.js';
import { demoFilePath } from '../../src/demo/generate.js';

export async function openDemoDatabase(dir: string): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const party of DEMO_PARTIES) {
      // The path is ours (dir from config + fixed party names); quote it as a literal anyway.
      await connection.run(`ATTACH ${sqlLiteral(demoFilePath(dir, party))} AS ${party} (READ_ONLY)`);
    }
    for (const table of DEMO_TABLES) {
      const parts = DEMO_PARTIES.map((party) => `SELECT '${party}' AS party, * FROM ${party}.main.${table}`);
      await connection.run(`CREATE TABLE main.${table} AS ${parts.join(' UNION ALL ')}`);
    }
    for (const party of DEMO_PARTIES) await connection.run(`DETACH ${party}`);
  } finally {
    connection.closeSync();
  }
  return instance;
}

function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
