/**
 * uuid as lower-case canonical text. Input follows uuid_in: optional braces, a hyphen
 * allowed after any group of four hex digits, nothing else (not even whitespace).
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The 16 bytes of a uuid text, or null when it is not one. */
export function uuidBytes(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  let i = 0;
  const braces = text.charCodeAt(0) === 123;
  if (braces) i++;
  for (let b = 0; b < 16; b++) {
    const hi = hexValue(text.charCodeAt(i));
    const lo = hexValue(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    out[b] = (hi << 4) | lo;
    i += 2;
    if (text.charCodeAt(i) === 45 && b % 2 === 1 && b < 15) i++;
  }
  if (braces) {
    if (text.charCodeAt(i) !== 125) return null;
    i++;
  }
  return i === text.length ? out : null;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidText(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[bytes[i]!];
  }
  return out;
}

export function parseUuid(text: string): string {
  const bytes = uuidBytes(text);
  if (!bytes) throw new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type uuid: "${text}"`);
  return uuidText(bytes);
}

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Canonical text of an engine value (already canonical in the common case). */
export function formatUuid(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  if (s.length === 36 && CANONICAL.test(s)) return s;
  return parseUuid(s);
}
