/**
 * Puts an Execution's output on the wire: DataRows in the bound formats, CopyData for
 * COPY, the CommandComplete tag. Rows are fetched in batches and written with
 * backpressure, so a slow client never makes the server hold a whole result.
 */
import type { CodecContext, CopyOutExecution, FieldDescription, RowsExecution } from './engine.js';
import { binaryEncoder, textEncoder, TypeOid } from '../sql/types/index.js';
import { shortDecimal } from '../sql/types/float-format.js';
import type { MessageWriter } from './protocol/message-writer.js';
import { commandComplete } from './protocol/response-messages.js';
import { copyData, copyDone, copyOutResponse } from './protocol/copy-messages.js';
import { BackendType } from './protocol/message-types.js';

/** Writes buffered output to the socket once it is this large. */
export const FLUSH_THRESHOLD = 256 * 1024;
const BATCH_ROWS = 4096;

export interface Output {
  readonly writer: MessageWriter;
  /** Sends what is buffered; resolves once the socket can take more. */
  flush(): Promise<void>;
}

export type RowEncoder = (row: unknown[], w: MessageWriter) => void;

/** Writes rows `0..rowCount` of column-major data as DataRows. */
export type ColumnsEncoder = (columns: unknown[][], rowCount: number, w: MessageWriter) => void;

/** One DataRow writer per column layout and format choice, built once per portal. */
export function rowEncoder(fields: readonly FieldDescription[], formats: readonly number[], ctx: CodecContext): RowEncoder {
  const n = fields.length;
  const writers = valueWriters(fields, formats, ctx);
  return (row, w) => {
    w.begin(BackendType.dataRow).uint16(n);
    for (let c = 0; c < n; c++) {
      const v = row[c];
      if (v === null || v === undefined) w.int32(-1);
      else writers[c]!(v, w);
    }
    w.end();
  };
}

export function columnsEncoder(fields: readonly FieldDescription[], formats: readonly number[], ctx: CodecContext): ColumnsEncoder {
  const n = fields.length;
  const writers = valueWriters(fields, formats, ctx);
  return (columns, rowCount, w) => {
    for (let r = 0; r < rowCount; r++) {
      w.begin(BackendType.dataRow).uint16(n);
      for (let c = 0; c < n; c++) {
        const v = columns[c]![r];
        if (v === null || v === undefined) w.int32(-1);
        else writers[c]!(v, w);
      }
      w.end();
    }
  };
}

function valueWriters(fields: readonly FieldDescription[], formats: readonly number[], ctx: CodecContext): Array<(v: unknown, w: MessageWriter) => void> {
  return fields.map((f, i) => {
    if ((formats[i] ?? 0) === 1) {
      const encode = binaryEncoder(f.typeOid);
      return (v: unknown, w: MessageWriter) => w.lengthPrefixedBytes(encode(v, ctx));
    }
    const encode = textEncoder(f.typeOid);
    const text = (v: unknown, w: MessageWriter): MessageWriter => w.lengthPrefixedString(encode(v, ctx));
    switch (f.typeOid) {
      // Numbers' digits go straight into the buffer (the bulk of a numeric result's cost).
      // (A bigint's own String() is as fast as converting it first: int8 keeps the usual path.)
      case TypeOid.int2:
      case TypeOid.int4:
        return (v: unknown, w: MessageWriter) => (typeof v === 'number' && Number.isSafeInteger(v) ? w.lengthPrefixedDecimal(v, 0) : text(v, w));
      case TypeOid.float8:
        if (ctx.extraFloatDigits <= 0) return text;
        return (v: unknown, w: MessageWriter) => {
          const decimal = typeof v === 'number' ? shortDecimal(v) : null;
          return decimal ? w.lengthPrefixedDecimal(decimal[0], decimal[1]) : text(v, w);
        };
      default:
        return text;
    }
  });
}


/**
 * Sends up to `maxRows` rows (0: all) of a rows execution. Returns how many were sent and
 * whether the result is exhausted.
 */
export async function writeRows(
  execution: RowsExecution,
  encode: RowEncoder,
  out: Output,
  maxRows: number,
  signal: AbortSignal,
  encodeColumns?: ColumnsEncoder,
): Promise<{ sent: number; done: boolean }> {
  let sent = 0;
  if (maxRows === 0 && encodeColumns && execution.fetchColumns) {
    for (;;) {
      const { columns, rowCount, done } = await execution.fetchColumns(signal);
      encodeColumns(columns, rowCount, out.writer);
      sent += rowCount;
      if (out.writer.size >= FLUSH_THRESHOLD) await out.flush();
      if (done) return { sent, done: true };
    }
  }
  for (;;) {
    const want = maxRows > 0 ? Math.min(BATCH_ROWS, maxRows - sent) : BATCH_ROWS;
    const { rows, done } = await execution.fetch(want, signal);
    for (const row of rows) encode(row, out.writer);
    sent += rows.length;
    if (out.writer.size >= FLUSH_THRESHOLD) await out.flush();
    if (done) return { sent, done: true };
    if (maxRows > 0 && sent >= maxRows) return { sent, done: false };
  }
}

/** COPY … TO STDOUT: CopyOutResponse, CopyData per chunk, CopyDone, CommandComplete; returns the tag. */
export async function writeCopyOut(execution: CopyOutExecution, out: Output, signal: AbortSignal): Promise<string> {
  copyOutResponse(out.writer, execution.format, execution.columnCount);
  for await (const chunk of execution.chunks(signal)) {
    copyData(out.writer, chunk);
    if (out.writer.size >= FLUSH_THRESHOLD) await out.flush();
  }
  copyDone(out.writer);
  const tag = execution.commandTag();
  commandComplete(out.writer, tag);
  return tag;
}
