/**
 * Reads backend messages with node-postgres's own client codec (pg-protocol's Parser), so
 * the server's encoders are checked against an independent implementation.
 */
import { Parser } from 'pg-protocol/dist/parser.js';
import type { MessageWriter } from '../../../src/server/protocol/message-writer.js';

// pg-protocol's message classes are loosely typed: every test reads the fields it expects.
export type ParsedMessage = { name: string; length: number } & Record<string, any>;

export function parseBackend(bytes: Buffer): ParsedMessage[] {
  const out: ParsedMessage[] = [];
  new Parser().parse(bytes, (message) => out.push(message as unknown as ParsedMessage));
  return out;
}

/** Everything written so far, parsed. */
export function parseWritten(w: MessageWriter): ParsedMessage[] {
  return parseBackend(w.take());
}
