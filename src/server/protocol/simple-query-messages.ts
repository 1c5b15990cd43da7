/**
 * The simple query protocol's one frontend message, Query. Its answers are the common
 * result messages of response-messages.ts.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SIMPLE-QUERY
 */
import { MessageReader } from './message-reader.js';

/** Query: the SQL text (one or more statements). Bad UTF-8 is 22021, as in PostgreSQL. */
export function decodeQuery(body: Buffer): string {
  const r = new MessageReader(body);
  const sql = r.cstring();
  r.end();
  return sql;
}
