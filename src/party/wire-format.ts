/**
 * How the gateway and a party node encode what they exchange. Control messages are JSON
 * (bigints tagged, since fragments carry int64 literals and limits); result batches are
 * PostgreSQL binary values per column, which are exact for every type C2D knows and need
 * no second type system.
 */
import { binaryDecoder, binaryEncoder, defaultCodecContext, fixedBinaryCodec, type FixedBinaryCodec } from '../sql/types/index.js';
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

/**
 * A column's codec: fixed-size types are written into and read from the batch in place
 * (no allocation per value: the rows after an engine's long run are encoded with cold
 * caches, where each allocation shows), the others through their allocating codec.
 */
type ColumnCodec = { fixed: FixedBinaryCodec } | { fixed: null; encode: (v: unknown) => Uint8Array; decode: (b: Uint8Array) => unknown };

function columnCodec(typeOid: number): ColumnCodec {
  const fixed = fixedBinaryCodec(typeOid);
  if (fixed) return { fixed };
  const encode = binaryEncoder(typeOid);
  const decode = binaryDecoder(typeOid);
  return { fixed: null, encode: (v) => encode(v, defaultCodecContext), decode: (b) => decode(b, defaultCodecContext) };
}

/** Encodes result messages; a batch needs the header's columns to pick each column's encoder. */
export class ResultEncoder {
  private codecs: ColumnCodec[] = [];

  encode(message: ResultMessage): Buffer {
    if (message.kind === 'header') {
      this.codecs = message.columns.map((c) => columnCodec(c.typeOid));
      return Buffer.concat([Buffer.of(HEADER), encodeJson(message.columns)]);
    }
    if (message.kind === 'end') return Buffer.of(RESULT_END);
    const { rowCount, columns } = message.batch;
    // Values of varying size are encoded first; then everything is written once into a
    // buffer of the exact size, column by column.
    const encoded: Array<Array<Uint8Array | null> | null> = [];
    let size = 7 + 4 * rowCount * columns.length;
    columns.forEach((values, c) => {
      const codec = this.codecs[c]!;
      if (codec.fixed) {
        for (let r = 0; r < rowCount; r++) if (values[r] !== null && values[r] !== undefined) size += codec.fixed.size;
        encoded.push(null);
        return;
      }
      const column = new Array<Uint8Array | null>(rowCount);
      for (let r = 0; r < rowCount; r++) {
        const v = values[r];
        const bytes = v === null || v === undefined ? null : codec.encode(v);
        column[r] = bytes;
        if (bytes) size += bytes.length;
      }
      encoded.push(column);
    });
    const out = Buffer.allocUnsafe(size);
    out[0] = BATCH;
    out.writeInt32BE(rowCount, 1);
    out.writeInt16BE(columns.length, 5);
    let offset = 7;
    columns.forEach((values, c) => {
      const fixed = this.codecs[c]!.fixed;
      const bytesOf = encoded[c];
      for (let r = 0; r < rowCount; r++) {
        if (fixed) {
          const v = values[r];
          if (v === null || v === undefined) {
            offset = out.writeInt32BE(-1, offset);
          } else {
            offset = out.writeInt32BE(fixed.size, offset);
            fixed.write(out, offset, v);
            offset += fixed.size;
          }
          continue;
        }
        const bytes = bytesOf![r]!;
        if (bytes === null) {
          offset = out.writeInt32BE(-1, offset);
        } else {
          offset = out.writeInt32BE(bytes.length, offset);
          out.set(bytes, offset);
          offset += bytes.length;
        }
      }
    });
    return out;
  }
}

/** Decodes result messages, checking every length against the bytes that are there. */
export class ResultDecoder {
  private codecs: ColumnCodec[] | null = null;

  decode(bytes: Buffer): ResultMessage {
    const bad = (): PgError => new PgError(SqlState.protocolViolation, 'malformed result batch from party');
    if (bytes.length < 1 || bytes.length > MAX_MESSAGE_BYTES) throw bad();
    if (bytes[0] === HEADER) {
      const columns = decodeJson<RemoteColumn[]>(bytes.subarray(1));
      if (!Array.isArray(columns)) throw bad();
      this.codecs = columns.map((c) => columnCodec(Number(c.typeOid)));
      return { kind: 'header', columns };
    }
    if (bytes[0] === RESULT_END && bytes.length === 1 && this.codecs) return { kind: 'end' };
    if (bytes[0] !== BATCH || !this.codecs || bytes.length < 7) throw bad();
    const rowCount = bytes.readInt32BE(1);
    const columnCount = bytes.readInt16BE(5);
    if (rowCount < 0 || columnCount !== this.codecs.length || rowCount * columnCount * 4 > bytes.length) throw bad();
    let offset = 7;
    const columns: unknown[][] = [];
    for (let c = 0; c < columnCount; c++) {
      const codec = this.codecs[c]!;
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
        if (codec.fixed) {
          if (len !== codec.fixed.size) throw bad();
          values[r] = codec.fixed.read(bytes, offset);
        } else values[r] = codec.decode(bytes.subarray(offset, offset + len));
        offset += len;
      }
      columns.push(values);
    }
    if (offset !== bytes.length) throw bad();
    return { kind: 'batch', batch: { rowCount, columns } };
  }
}
