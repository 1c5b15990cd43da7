/**
 * COPY … TO STDOUT: CopyOutResponse, then CopyData per chunk, then CopyDone. (COPY FROM
 * STDIN is not supported; the client's CopyData, CopyDone and CopyFail outside it are
 * ignored, as PostgreSQL ignores them.)
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY
 */
import type { MessageWriter } from './message-writer.js';
import { BackendType } from './message-types.js';

/** CopyOutResponse: overall format (0 text, 1 binary) and, as PostgreSQL does, the same per column. */
export function copyOutResponse(w: MessageWriter, format: 0 | 1, columnCount: number): void {
  w.begin(BackendType.copyOutResponse).int8(format).uint16(columnCount);
  for (let i = 0; i < columnCount; i++) w.int16(format);
  w.end();
}

export function copyData(w: MessageWriter, data: Uint8Array): void {
  w.begin(BackendType.copyData).bytes(data).end();
}

export function copyDone(w: MessageWriter): void {
  w.begin(BackendType.copyDone).end();
}
