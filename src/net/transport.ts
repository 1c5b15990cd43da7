import type { Frame } from './frame.js';
import type { PartyIndex } from './party-index.js';

/**
 * One party's links to the two other parties. The in-process network and the TCP/TLS
 * channel both implement this; everything above it (exchange, MPC protocols) is the
 * same code for both.
 */
export interface Transport {
  readonly self: PartyIndex;
  /**
   * True when a resolved `send` is done with the payload (the bytes were copied or
   * encrypted on their way out), so a sender may lend a buffer it reuses afterwards;
   * false when the receiver is handed the very buffer (in-process).
   */
  readonly doneWithPayloadOnSend: boolean;
  /**
   * Hands a frame to the link to `to`. Resolves when the link has accepted it (a slow
   * peer makes this wait: that is the backpressure), rejects if the link is gone. The
   * caller gives up the payload's buffer: it must not write to it afterwards.
   */
  send(to: PartyIndex, frame: Frame): Promise<void>;
  /**
   * Optional: the receiver is done with a payload this transport delivered, and keeps no
   * reference to it; its memory may carry a later frame (saves a fresh allocation per
   * message). Anything not delivered by this transport, or already given back, is ignored.
   */
  recycle?(payload: Uint8Array): void;
  /** Installs the single receiver of incoming frames and link failures. */
  listen(listener: TransportListener): void;
  close(): Promise<void>;
}

export interface TransportListener {
  frame(frame: Frame): void;
  /** The link to `peer` broke (connection reset, TLS failure, peer closed). */
  peerFailed(peer: PartyIndex, error: Error): void;
}
