import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { isPartyIndex, type PartyIndex } from './party-index.js';

/**
 * What travels between two parties: one message of one protocol round of one
 * computation. A round sends one message to each peer at most (all the values of a
 * batch together), so the number of frames follows the number of rounds, never of
 * values: one data frame per message, or for a message longer than MAX_FRAME_PAYLOAD
 * `part` frames and a last data frame, which the exchange joins again.
 */
export interface Frame {
  readonly kind: FrameKind;
  readonly from: PartyIndex;
  /** Chosen by whoever starts the computation (the planner); [A-Za-z0-9._-]{1,64}. */
  readonly computationId: string;
  /** 0-based, counted per lane by the exchange layer. */
  readonly round: number;
  /**
   * The lane of the computation the round belongs to: 0 for its main sequence of
   * rounds, 1, 2, … for lanes opened for rounds in flight together (Exchange.openLanes).
   */
  readonly lane: number;
  /** Data: the round's message (its end, after parts). Part: a piece of it, more to follow. Abort: a UTF-8 reason, for the log only. */
  readonly payload: Uint8Array;
}

export const FrameKind = { data: 1, abort: 2, part: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Largest payload one frame may carry; a longer message goes as parts (Exchange). */
export const MAX_FRAME_PAYLOAD = 256 * 1024 * 1024;

const COMPUTATION_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEADER_FIXED = 4 + 1 + 1 + 1 + 4 + 4; // length, kind, from, id length, round, lane

export function assertComputationId(id: string): void {
  if (!COMPUTATION_ID.test(id)) {
    throw new PgError(SqlState.invalidParameterValue, `invalid computation id ${JSON.stringify(id.slice(0, 80))}`, {
      hint: 'A computation id is 1 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-".',
    });
  }
}

/** Header bytes for an id of `idLength`: zero padding makes the payload start at a multiple of 8. */
function headerLength(idLength: number): number {
  return Math.ceil((HEADER_FIXED + idLength) / 8) * 8;
}

/**
 * Byte layout, for stream transports (TCP/TLS): u32 big-endian length of everything
 * after it, u8 kind, u8 sender, u8 id length, id (ASCII), u32 big-endian round, u32
 * big-endian lane, zero padding to a multiple of 8 bytes from the frame's start,
 * payload. The padding lets a receiver that reads a frame into its own buffer view the
 * payload's words in place.
 * Word vectors inside a payload are little-endian (the layout of BigUint64Array on
 * every platform Node runs on in practice).
 */
export function encodeFrameHeader(frame: Frame): Uint8Array {
  assertComputationId(frame.computationId);
  if (frame.payload.byteLength > MAX_FRAME_PAYLOAD) {
    throw new PgError(SqlState.programLimitExceeded, `frame payload of ${frame.payload.byteLength} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  }
  const idLength = frame.computationId.length;
  const header = headerLength(idLength);
  const out = new Uint8Array(header);
  const view = new DataView(out.buffer);
  view.setUint32(0, header + frame.payload.byteLength - 4);
  out[4] = frame.kind;
  out[5] = frame.from;
  out[6] = idLength;
  for (let i = 0; i < idLength; i++) out[7 + i] = frame.computationId.charCodeAt(i);
  view.setUint32(7 + idLength, frame.round);
  view.setUint32(11 + idLength, frame.lane);
  return out;
}

/** The whole frame in one buffer (transports may rather write header and payload apart). */
export function encodeFrame(frame: Frame): Uint8Array {
  const header = encodeFrameHeader(frame);
  const out = new Uint8Array(header.byteLength + frame.payload.byteLength);
  out.set(header);
  out.set(frame.payload, header.byteLength);
  return out;
}

/**
 * Reads one frame from the start of `bytes`, or returns null when more bytes are
 * needed. Everything is checked: the bytes come from another organisation.
 */
export function decodeFrame(bytes: Uint8Array): { frame: Frame; consumed: number } | null {
  if (bytes.byteLength < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0);
  if (length < HEADER_FIXED - 4 + 1 || length > MAX_FRAME_PAYLOAD + HEADER_FIXED + 64) {
    throw violation(`frame length ${length} out of range`);
  }
  if (bytes.byteLength < 4 + length) return null;
  const kind = bytes[4];
  if (kind !== FrameKind.data && kind !== FrameKind.abort && kind !== FrameKind.part) throw violation(`unknown frame kind ${kind}`);
  const from = bytes[5];
  if (!isPartyIndex(from)) throw violation(`unknown sender ${from}`);
  const idLength = bytes[6]!;
  const header = headerLength(idLength);
  if (header > 4 + length) throw violation('computation id longer than its frame');
  const computationId = String.fromCharCode(...bytes.subarray(7, 7 + idLength));
  if (!COMPUTATION_ID.test(computationId)) throw violation('malformed computation id');
  const round = view.getUint32(7 + idLength);
  const lane = view.getUint32(11 + idLength);
  for (let i = HEADER_FIXED + idLength; i < header; i++) if (bytes[i] !== 0) throw violation('non-zero header padding');
  const payload = bytes.subarray(header, 4 + length);
  return { frame: { kind, from, computationId, round, lane, payload }, consumed: 4 + length };
}

function violation(message: string): PgError {
  return new PgError(SqlState.protocolViolation, `party channel: ${message}`);
}
