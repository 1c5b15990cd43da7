/**
 * A party's result stream as the rows of a query: the batches go to the client column by
 * column as they arrive, after skipping `offset` rows. A value whose type at the party
 * differs from the query's result type (DuckDB's HUGEINT sum where PostgreSQL says bigint)
 * is carried over through its PostgreSQL text form, which every type has.
 */
import type { FragmentStream } from '../../connectors/connector.js';
import type { ColumnSlice, RowSource } from '../engine/query-runner.js';
import type { FieldDescription } from '../server/engine.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { defaultCodecContext, textDecoder, textEncoder } from '../sql/types/index.js';

type Convert = (value: unknown) => unknown;

export function streamRowSource(stream: FragmentStream, fields: readonly FieldDescription[], offset: number, signal: AbortSignal): RowSource {
  if (stream.columns.length !== fields.length) {
    throw new PgError(SqlState.protocolViolation, `a party answered with ${stream.columns.length} columns where ${fields.length} were asked for`);
  }
  const converts: Array<Convert | null> = stream.columns.map((column, i) => {
    const to = fields[i]!.typeOid;
    if (column.typeOid === to) return null;
    const encode = textEncoder(column.typeOid);
    const decode = textDecoder(to);
    return (v) => (v === null || v === undefined ? null : decode(encode(v, defaultCodecContext), defaultCodecContext));
  });
  const iterator = stream.batches()[Symbol.asyncIterator]();
  const abort = (): void => void stream.close();
  signal.addEventListener('abort', abort, { once: true });
  let toSkip = offset;
  let pending: unknown[][] = [];
  let pendingRows = 0;
  let pendingAt = 0;
  let exhausted = false;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    signal.removeEventListener('abort', abort);
    await stream.close();
  };
  /** Loads the next batch with rows left after skipping; false at the end. */
  const next = async (): Promise<boolean> => {
    while (!exhausted) {
      const r = await iterator.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      const batch = r.value;
      const skip = Math.min(toSkip, batch.rowCount);
      toSkip -= skip;
      if (skip === batch.rowCount) continue;
      pending = batch.columns.map((column, c) => {
        const convert = converts[c];
        const kept = skip === 0 ? column : column.slice(skip);
        return convert ? kept.map(convert) : kept;
      });
      pendingRows = batch.rowCount - skip;
      pendingAt = 0;
      return true;
    }
    return false;
  };
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      signal.throwIfAborted();
      return result;
    } catch (error) {
      await close();
      if (signal.aborted && !(error instanceof PgError)) throw new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
      throw error;
    }
  };
  const finished = async (): Promise<boolean> => {
    const done = exhausted && pendingAt >= pendingRows;
    if (done) await close();
    return done;
  };

  return {
    fields,
    fetch: (maxRows, s) =>
      guarded(async () => {
        s.throwIfAborted();
        const limit = maxRows > 0 ? maxRows : Infinity;
        const rows: unknown[][] = [];
        while (rows.length < limit) {
          if (pendingAt >= pendingRows && !(await next())) break;
          const take = Math.min(limit - rows.length, pendingRows - pendingAt);
          for (let r = pendingAt; r < pendingAt + take; r++) rows.push(pending.map((column) => column[r]));
          pendingAt += take;
        }
        return { rows, done: await finished() };
      }),
    fetchColumns: (s) =>
      guarded(async (): Promise<ColumnSlice> => {
        s.throwIfAborted();
        if (pendingAt >= pendingRows && !(await next())) return { columns: [], rowCount: 0, done: await finished() };
        const columns = pendingAt === 0 ? pending : pending.map((column) => column.slice(pendingAt));
        const rowCount = pendingRows - pendingAt;
        pendingAt = pendingRows;
        return { columns, rowCount, done: await finished() };
      }),
    close,
  };
}
