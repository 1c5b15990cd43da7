/**
 * The local PostgreSQL as an oracle for the type codecs: extended-query round trips over
 * a raw protocol connection (the drivers turn binary results into strings), with per-
 * parameter format codes and explicit parameter types, pipelined so hundreds of cases
 * cost one round trip. Only SELECTs on the `postgres` database, no objects created.
 */
import { serialize } from 'pg-protocol';
import { RawClient, dataRow, errorFields, frame } from '../support/raw-client.js';

export interface OracleParam {
  /** Parameter type OID given in Parse (0: let PostgreSQL infer it). */
  type: number;
  format: 0 | 1;
  value: Uint8Array | null;
}

export interface OracleError {
  code: string;
  message: string;
}

/** One statement's outcome: its rows' raw column bytes, or the error it raised. */
export type OracleResult = { rows: Array<Array<Buffer | null>> } | { error: OracleError };

export interface OracleQuery {
  sql: string;
  params: OracleParam[];
  resultFormat: 0 | 1;
}

function bind(params: readonly OracleParam[], resultFormat: 0 | 1): Buffer {
  const head = Buffer.alloc(2 + 2 + params.length * 2 + 2);
  let o = 0;
  head.write('\0\0', o);
  o += 2;
  head.writeInt16BE(params.length, o);
  o += 2;
  for (const p of params) {
    head.writeInt16BE(p.format, o);
    o += 2;
  }
  head.writeInt16BE(params.length, o);
  const parts: Buffer[] = [head];
  for (const p of params) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(p.value === null ? -1 : p.value.length);
    parts.push(len);
    if (p.value) parts.push(Buffer.from(p.value.buffer, p.value.byteOffset, p.value.byteLength));
  }
  const tail = Buffer.alloc(4);
  tail.writeInt16BE(1, 0);
  tail.writeInt16BE(resultFormat, 2);
  parts.push(tail);
  return frame('B', Buffer.concat(parts));
}

export class PgOracle {
  private constructor(private readonly client: RawClient) {}

  static async open(): Promise<PgOracle> {
    return new PgOracle(await RawClient.startup(5432, 'postgres', 'postgres'));
  }

  /** A simple-query statement such as SET; throws on error. */
  async exec(sql: string): Promise<void> {
    this.client.write(serialize.query(sql));
    const messages = await this.client.until('Z');
    const error = messages.find((m) => m.type === 'E');
    if (error) throw new Error(errorFields(error.body).M);
  }

  /** Runs the queries pipelined, each in its own Sync so one error does not stop the rest. */
  async run(queries: readonly OracleQuery[]): Promise<OracleResult[]> {
    const chunks: Buffer[] = [];
    for (const q of queries) {
      chunks.push(serialize.parse({ text: q.sql, types: q.params.map((p) => p.type) }));
      chunks.push(bind(q.params, q.resultFormat));
      chunks.push(serialize.execute({}));
      chunks.push(serialize.sync());
    }
    this.client.write(Buffer.concat(chunks));
    const results: OracleResult[] = [];
    for (let i = 0; i < queries.length; i++) {
      const messages = await this.client.until('Z', 30_000);
      const error = messages.find((m) => m.type === 'E');
      if (error) {
        const f = errorFields(error.body);
        results.push({ error: { code: f.C ?? '', message: f.M ?? '' } });
      } else {
        results.push({ rows: messages.filter((m) => m.type === 'D').map((m) => dataRow(m.body)) });
      }
    }
    return results;
  }

  /** One query; throws its error. */
  async rows(sql: string, params: OracleParam[], resultFormat: 0 | 1): Promise<Array<Array<Buffer | null>>> {
    const [result] = await this.run([{ sql, params, resultFormat }]);
    if ('error' in result!) throw new Error(`${result.error.code} ${result.error.message}`);
    return result!.rows;
  }

  close(): void {
    this.client.end();
  }
}
