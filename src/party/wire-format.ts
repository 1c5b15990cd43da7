/**
 * How the gateway and a party node encode what they exchange. Control messages are JSON
 * (bigints tagged, since fragments carry int64 literals and limits); result batches are
 * PostgreSQL binary values per column, which are exact for every type C2D knows and need
 * no second type system.
 */
import { binaryDecoder, binaryEncoder, defaultCodecContext } from '../sql/types/index.js';
import type { ColumnBatch, RemoteColumn } from '../../connectors/connector.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

/** Largest control message or batch accepted from the other side. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)), 'utf8');
}

export function decodeJson<T>(bytes: Buffer): T {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new PgError(SqlState.programLimitExceeded, 'message from peer too large');
  try {
    return JSON.parse(bytes.toString('utf8'), (_k, v) =>
      v !== null && typeof v === 'object' && typeof v.$bigint === 'string' && /^-?\d+$/.test(v.$bigint) ? BigInt(v.$bigint) : v,
    ) as T;
  } catch {
    throw new PgError(SqlState.protocolViolation, 'malformed message from peer');
  }
}

/** One message of a result stream: the column header first, then batches. */
export type ResultMessage = { kind: 'header'; columns: RemoteColumn[] } | { kind: 'batch'; batch: ColumnBatch };

const HEADER = 0x48; // 'H'
const BATCH = 0x42; // 'B'

/** Encodes result messages; a batch needs the header's columns to pick each column's encoder. */
export class ResultEncoder {
  private encoders: Array<(v: unknown) => Uint8Array> = [];

  encode(message: ResultMessage): Buffer {
    if (message.kind === 'header') {
      this.encoders = message.columns.map((c) => {
        const encode = binaryEncoder(c.typeOid);
        return (v: unknown) => encode(v, defaultCodecContext);
      });
      return Buffer.concat([Buffer.of(HEADER), encodeJson(message.columns)]);
    }
    const { rowCount, columns } = message.batch;
    const parts: Buffer[] = [];
    const head = Buffer.alloc(7);
    head[0] = BATCH;
    head.writeInt32BE(rowCount, 1);
    head.writeInt16BE(columns.length, 5);
    parts.push(head);
    columns.forEach((values, c) => {
      const encode = this.encoders[c]!;
      for (let r = 0; r < rowCount; r++) {
        const v = values[r];
        const len = Buffer.alloc(4);
        if (v === null || v === undefined) {
          len.writeInt32BE(-1, 0);
          parts.push(len);
        } else {
          const bytes = encode(v);
          len.writeInt32BE(bytes.length, 0);
          parts.push(len, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }
      }
    });
    return Buffer.concat(parts);
  }
}

/** Decodes result messages, checking every length against the bytes that are there. */
export class ResultDecoder {
  private decoders: Array<(b: Uint8Array) => unknown> | null = null;

  decode(bytes: Buffer): ResultMessage {
    const bad = (): PgError => new PgError(SqlState.protocolViolation, 'malformed result batch from party');
    if (bytes.length < 1 || bytes.length > MAX_MESSAGE_BYTES) throw bad();
    if (bytes[0] === HEADER) {
      const columns = decodeJson<RemoteColumn[]>(bytes.subarray(1));
      if (!Array.isArray(columns)) throw bad();
      this.decoders = columns.map((c) => {
        const decode = binaryDecoder(Number(c.typeOid));
        return (b: Uint8Array) => decode(b, defaultCodecContext);
      });
      return { kind: 'header', columns };
    }
    if (bytes[0] !== BATCH || !this.decoders || bytes.length < 7) throw bad();
    const rowCount = bytes.readInt32BE(1);
    const columnCount = bytes.readInt16BE(5);
    if (rowCount < 0 || columnCount !== this.decoders.length || rowCount * columnCount * 4 > bytes.length) throw bad();
    let offset = 7;
    const columns: unknown[][] = [];
    for (let c = 0; c < columnCount; c++) {
      const decode = this.decoders[c]!;
      const values = new Array<unknown>(rowCount);
      for (let r = 0; r < rowCount; r++) {
        if (offset + 4 > bytes.length) throw bad();
        const len = bytes.readInt32BE(offset);
        offset += 4;
        if (len === -1) {
          values[r] = null;
          continue;
        }
        if (len < 0 || offset + len > bytes.length) throw bad();
        values[r] = decode(bytes.subarray(offset, offset + len));
        offset += len;
      }
      columns.push(values);
    }
    if (offset !== bytes.length) throw bad();
    return { kind: 'batch', batch: { rowCount, columns } };
  }
}
