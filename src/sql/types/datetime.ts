/**
 * Dates and times as PostgreSQL prints and reads them (ISO DateStyle), done arithmetically
 * so the hot path needs no Date objects and years outside JS Date's range still work.
 * Representations: date = days since 1970-01-01; time = µs since midnight; timestamp(tz) =
 * µs since 1970-01-01 00:00 (UTC for timestamptz); infinities as in PostgreSQL's binary form.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

export const DATE_POS_INFINITY = Infinity;
export const DATE_NEG_INFINITY = -Infinity;
export const TIMESTAMP_POS_INFINITY = 9223372036854775807n;
export const TIMESTAMP_NEG_INFINITY = -9223372036854775808n;
/** Days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MICROS = 946684800000000n;
export const MICROS_PER_DAY = 86400000000n;

/** Proleptic Gregorian civil date from days since 1970 (Howard Hinnant's algorithm). */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Recently printed dates: columns of dates repeat a few thousand values over millions of rows. */
const dateTextCache = new Map<number, string>();
const DATE_CACHE_SIZE = 8192;

/** 'YYYY-MM-DD', with ' BC' for years ≤ 0 as PostgreSQL prints them. */
export function formatDate(days: number): string {
  const cached = dateTextCache.get(days);
  if (cached !== undefined) return cached;
  const text = formatDateUncached(days);
  if (dateTextCache.size >= DATE_CACHE_SIZE) dateTextCache.clear();
  dateTextCache.set(days, text);
  return text;
}

function formatDateUncached(days: number): string {
  if (days === DATE_POS_INFINITY) return 'infinity';
  if (days === DATE_NEG_INFINITY) return '-infinity';
  const [y, m, d] = civilFromDays(days);
  return y > 0 ? `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` : `${pad(1 - y, 4)}-${pad(m, 2)}-${pad(d, 2)} BC`;
}

/** 'HH:MM:SS' with the fraction trimmed of trailing zeros. */
export function formatTimeOfDay(micros: bigint): string {
  const total = Number(micros);
  const seconds = Math.floor(total / 1e6);
  const fraction = total - seconds * 1e6;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  let out = `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
  if (fraction > 0) out += '.' + pad(fraction, 6).replace(/0+$/, '');
  return out;
}

export function formatTimestamp(micros: bigint): string {
  if (micros === TIMESTAMP_POS_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_NEG_INFINITY) return '-infinity';
  const days = micros >= 0n ? micros / MICROS_PER_DAY : -((-micros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const timeOfDay = micros - days * MICROS_PER_DAY;
  const date = formatDate(Number(days));
  const bc = date.endsWith(' BC');
  const base = `${bc ? date.slice(0, -3) : date} ${formatTimeOfDay(timeOfDay)}`;
  return bc ? `${base} BC` : base;
}

/** Offset east of UTC, in seconds, that `zone` has at the instant `utcMicros`. */
export function zoneOffsetSeconds(zone: string, utcMicros: bigint): number {
  if (zone === 'UTC' || zone === 'GMT') return 0;
  const fixed = fixedOffsetSeconds(zone);
  if (fixed !== null) return fixed;
  const ms = Number(utcMicros / 1000n);
  // JS Date covers ±8.64e15 ms; outside it, use the nearest representable instant's offset.
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms));
  const parts = zoneFormatter(zone).formatToParts(new Date(clamped));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value;
  let year = get('year');
  if (era === 'BC' || era === 'B') year = 1 - year;
  const local = daysFromCivil(year, get('month'), get('day')) * 86400 + (get('hour') % 24) * 3600 + get('minute') * 60 + get('second');
  return local - Math.floor(clamped / 1000);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** '+05:30', '-7', 'UTC+2' style offsets (ISO sign: east positive); null when not a fixed offset. */
function fixedOffsetSeconds(zone: string): number | null {
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?$/i.exec(zone);
  if (!m) return null;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -seconds : seconds;
}

/** '+00', '+05:30', '-03' as PostgreSQL appends to timestamptz. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  let out = `${sign}${pad(h, 2)}`;
  if (m || s) out += `:${pad(m, 2)}`;
  if (s) out += `:${pad(s, 2)}`;
  return out;
}

export function formatTimestampTz(micros: bigint, zone: string): string {
  if (micros === TIMESTAMP_POS_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_NEG_INFINITY) return '-infinity';
  const offset = zoneOffsetSeconds(zone, micros);
  const local = formatTimestamp(micros + BigInt(offset) * 1000000n);
  const bc = local.endsWith(' BC');
  return bc ? `${local.slice(0, -3)}${formatOffset(offset)} BC` : local + formatOffset(offset);
}

function invalid(type: string, text: string): PgError {
  return new PgError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${type}: "${text}"`);
}

function outOfRange(type: string, text: string): PgError {
  return new PgError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`, {
    hint: type === 'date' ? undefined : undefined,
  });
}

const DATE_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})/;

/** Days since 1970 from 'YYYY-MM-DD[ BC]' (and the special words PostgreSQL accepts). */
export function parseDate(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'infinity' || t === '+infinity') return DATE_POS_INFINITY;
  if (t === '-infinity') return DATE_NEG_INFINITY;
  if (t === 'epoch') return 0;
  const m = DATE_RE.exec(t);
  if (!m) throw invalid('date', text);
  const rest = t.slice(m[0].length).trim();
  // A time part after a date is accepted and ignored, as PostgreSQL does for date input.
  const bc = /\bbc$/.test(rest);
  if (rest && !bc && !/^(t|\s)?\d{1,2}:\d{2}/.test(rest) && rest !== 'ad') throw invalid('date', text);
  return civilDays(Number(m[1]), Number(m[2]), Number(m[3]), bc, 'date', text);
}

function civilDays(year: number, month: number, day: number, bc: boolean, type: string, text: string): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(bc ? 1 - year : year, month)) throw outOfRange(type, text);
  return daysFromCivil(bc ? 1 - year : year, month, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?/;

/** µs since midnight from 'HH:MM[:SS[.ffffff]]'. */
export function parseTime(text: string): bigint {
  const t = text.trim();
  const m = TIME_RE.exec(t);
  if (!m || t.slice(m[0].length).trim() !== '') throw invalid('time without time zone', text);
  return timeMicros(m, 'time without time zone', text);
}

function timeMicros(m: RegExpExecArray, type: string, text: string): bigint {
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = Number(m[3] ?? 0);
  const frac = m[4] ? Math.round(Number(`0.${m[4]}`) * 1e6) : 0;
  if (h > 24 || min > 59 || s > 60 || (h === 24 && (min > 0 || s > 0 || frac > 0))) throw outOfRange(type, text);
  return BigInt(h * 3600 + min * 60 + s) * 1000000n + BigInt(frac);
}

const TIMESTAMP_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:[tT\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(.*)$/;

export interface ParsedTimestamp {
  /** µs of the wall-clock time as if UTC. */
  local: bigint;
  /** Offset east in seconds when the text named one. */
  offset: number | null;
  /** A zone name given in the text (e.g. 'Europe/Paris'). */
  zone: string | null;
}

function parseTimestampParts(text: string, type: string): ParsedTimestamp | bigint {
  const lower = text.trim().toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return TIMESTAMP_POS_INFINITY;
  if (lower === '-infinity') return TIMESTAMP_NEG_INFINITY;
  if (lower === 'epoch') return 0n;
  const m = TIMESTAMP_RE.exec(text);
  if (!m) throw invalid(type, text);
  let rest = m[8]!.trim();
  let bc = false;
  if (/\s*bc$/i.test(rest)) {
    bc = true;
    rest = rest.replace(/\s*bc$/i, '').trim();
  }
  const days = civilDays(Number(m[1]), Number(m[2]), Number(m[3]), bc, type, text);
  const time = m[4] === undefined ? 0n : timeMicros([m[0], m[4], m[5], m[6], m[7]] as unknown as RegExpExecArray, type, text);
  const local = BigInt(days) * MICROS_PER_DAY + time;
  if (rest === '') return { local, offset: null, zone: null };
  if (/^z$/i.test(rest) || /^(utc|gmt)$/i.test(rest)) return { local, offset: 0, zone: null };
  const off = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?$/.exec(rest);
  if (off) {
    const seconds = Number(off[2]) * 3600 + Number(off[3] ?? 0) * 60 + Number(off[4] ?? 0);
    return { local, offset: off[1] === '-' ? -seconds : seconds, zone: null };
  }
  try {
    zoneFormatter(rest);
  } catch {
    throw new PgError(SqlState.invalidParameterValue, `time zone "${rest}" not recognized`);
  }
  return { local, offset: null, zone: rest };
}

/** timestamp without time zone: any zone in the text is ignored, as PostgreSQL does. */
export function parseTimestamp(text: string): bigint {
  const p = parseTimestampParts(text, 'timestamp');
  return typeof p === 'bigint' ? p : p.local;
}

/** timestamptz: an explicit offset or zone wins, else the session's zone. */
export function parseTimestampTz(text: string, sessionZone: string): bigint {
  const p = parseTimestampParts(text, 'timestamp with time zone');
  if (typeof p === 'bigint') return p;
  if (p.offset !== null) return p.local - BigInt(p.offset) * 1000000n;
  return localToUtc(p.local, p.zone ?? sessionZone);
}

/** The UTC instant whose wall-clock time in `zone` is `local` (two passes settle DST edges). */
function localToUtc(local: bigint, zone: string): bigint {
  let guess = local - BigInt(zoneOffsetSeconds(zone, local)) * 1000000n;
  guess = local - BigInt(zoneOffsetSeconds(zone, guess)) * 1000000n;
  return guess;
}
