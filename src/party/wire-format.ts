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

/**
 * One message of a result stream: the column header first, then batches, then the end.
 * The end says the party sent every row: the gateway may answer its client then, without
 * waiting for the call's closing status to be processed.
 */
export type ResultMessage = { kind: 'header'; columns: RemoteColumn[] } | { kind: 'batch'; batch: ColumnBatch } | { kind: 'end' };

const HEADER = 0x48; // 'H'
const BATCH = 0x42; // 'B'
/** The first byte of the end message (the fragment link watches for it). */
export const RESULT_END = 0x45; // 'E'

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
    if (message.kind === 'end') return Buffer.of(RESULT_END);
    const { rowCount, columns } = message.batch;
    // The values are encoded first, then copied once into a buffer of the exact size.
    const encoded: Array<Uint8Array | null> = [];
    let size = 7;
    columns.forEach((values, c) => {
      const encode = this.encoders[c]!;
      for (let r = 0; r < rowCount; r++) {
        const v = values[r];
        const bytes = v === null || v === undefined ? null : encode(v);
        encoded.push(bytes);
        size += 4 + (bytes ? bytes.length : 0);
      }
    });
    const out = Buffer.allocUnsafe(size);
    out[0] = BATCH;
    out.writeInt32BE(rowCount, 1);
    out.writeInt16BE(columns.length, 5);
    let offset = 7;
    for (const bytes of encoded) {
      if (bytes === null) {
        offset = out.writeInt32BE(-1, offset);
      } else {
        offset = out.writeInt32BE(bytes.length, offset);
        out.set(bytes, offset);
        offset += bytes.length;
      }
    }
    return out;
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
    if (bytes[0] === RESULT_END && bytes.length === 1 && this.decoders) return { kind: 'end' };
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
