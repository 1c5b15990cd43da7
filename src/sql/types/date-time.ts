/**
 * date, time, timestamp and timestamptz in PostgreSQL's ISO DateStyle, done arithmetically:
 * no Date objects, no regexes and no Intl on the output path (zone offsets come from the
 * per-day cache of time-zone.ts), and years far outside JS Date's range still work.
 *
 * Representations: date = days since 1970-01-01 (±Infinity for ±infinity); time = µs since
 * midnight (bigint); timestamp(tz) = µs since 1970-01-01 00:00 (bigint; UTC for
 * timestamptz), ±infinity as int64 max/min as in PostgreSQL's binary form.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { localToUtcSeconds, timeZoneRule, tryTimeZoneRule, type ZoneRule } from './time-zone.js';

export const TIMESTAMP_POS_INFINITY = 9223372036854775807n;
export const TIMESTAMP_NEG_INFINITY = -9223372036854775808n;
/** Days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MICROS = 946684800000000n;
export const MICROS_PER_DAY = 86400000000n;
const MICROS_PER_DAY_N = 86400e6;

/** 4714-11-24 BC (Julian day 0), the first date PostgreSQL accepts. */
export const MIN_DATE_DAYS = -2440588;
/** 5874897-12-31, the last date PostgreSQL accepts. */
export const MAX_DATE_DAYS = 2145042905;
/** 4714-11-24 BC 00:00 and 294277-01-01 00:00 (exclusive) in µs since 1970. */
export const MIN_TIMESTAMP = -211813488000000000n + PG_EPOCH_MICROS;
export const END_TIMESTAMP = 9223371331200000000n + PG_EPOCH_MICROS;

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

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return MONTH_DAYS[month - 1]!;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function pad4(n: number): string {
  if (n >= 1000) return String(n);
  return (n >= 100 ? '0' : n >= 10 ? '00' : '000') + n;
}

// ---------------------------------------------------------------------------------------
// Output

/** Columns of dates repeat a few thousand values over millions of rows. */
const dateTextCache = new Map<number, string>();
const DATE_CACHE_SIZE = 8192;
/** Day number of 0001-01-01: earlier days are printed with ' BC'. */
const FIRST_AD_DAY = -719162;

/** 'YYYY-MM-DD', 'YYYY-MM-DD BC' for years ≤ 0, 'infinity', '-infinity'. */
export function formatDate(days: number): string {
  const cached = dateTextCache.get(days);
  if (cached !== undefined) return cached;
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const text = days < FIRST_AD_DAY ? `${ymd(days)} BC` : ymd(days);
  if (dateTextCache.size >= DATE_CACHE_SIZE) dateTextCache.clear();
  dateTextCache.set(days, text);
  return text;
}

/** The date without era: years ≤ 0 as 1 - year. */
function ymd(days: number): string {
  const c = civilFromDays(days);
  const y = c[0] > 0 ? c[0] : 1 - c[0];
  return `${pad4(y)}-${TWO_DIGITS[c[1]]}-${TWO_DIGITS[c[2]]}`;
}

/** '.5', '.000001': a fraction of a second with trailing zeros removed; '' for 0. */
function fraction(micros: number): string {
  if (micros === 0) return '';
  let width = 6;
  let f = micros;
  while (f % 10 === 0) {
    f /= 10;
    width--;
  }
  const s = String(f);
  return (width === s.length ? '.' : '.' + '000000'.slice(0, width - s.length)) + s;
}

/** 'HH:MM:SS[.ffffff]' for µs since midnight (up to 24:00:00). */
export function formatTimeOfDay(micros: number): string {
  const secs = Math.floor(micros / 1e6);
  const h = Math.floor(secs / 3600);
  const rest = secs - h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h < 100 ? TWO_DIGITS[h] : String(h)}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}${fraction(micros - secs * 1e6)}`;
}

export function formatTime(value: unknown): string {
  return formatTimeOfDay(Number(value));
}

const SAFE_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

/** Wall-clock text of µs since 1970 given as a JS number (exact below 2^53). */
function formatLocalNumber(micros: number, zoneSuffix: string): string {
  const days = Math.floor(micros / MICROS_PER_DAY_N);
  const tod = micros - days * MICROS_PER_DAY_N;
  return days < FIRST_AD_DAY
    ? `${ymd(days)} ${formatTimeOfDay(tod)}${zoneSuffix} BC`
    : `${formatDate(days)} ${formatTimeOfDay(tod)}${zoneSuffix}`;
}

function formatLocalBig(micros: bigint, zoneSuffix: string): string {
  const q = micros / MICROS_PER_DAY;
  const days = micros < 0n && q * MICROS_PER_DAY !== micros ? q - 1n : q;
  const tod = Number(micros - days * MICROS_PER_DAY);
  const d = Number(days);
  return d < FIRST_AD_DAY ? `${ymd(d)} ${formatTimeOfDay(tod)}${zoneSuffix} BC` : `${formatDate(d)} ${formatTimeOfDay(tod)}${zoneSuffix}`;
}

/** timestamp without time zone. Accepts bigint (or a number of µs). */
export function formatTimestamp(value: unknown): string {
  if (typeof value === 'bigint') {
    if (value >= -SAFE_MICROS && value <= SAFE_MICROS) return formatLocalNumber(Number(value), '');
    if (value === TIMESTAMP_POS_INFINITY) return 'infinity';
    if (value === TIMESTAMP_NEG_INFINITY) return '-infinity';
    return formatLocalBig(value, '');
  }
  return formatLocalNumber(Number(value), '');
}

const offsetTextCache = new Map<number, string>();

/** '+00', '+05:30', '-03', '+00:09:21' as PostgreSQL appends to timestamptz. */
export function formatOffset(seconds: number): string {
  let text = offsetTextCache.get(seconds);
  if (text === undefined) {
    const abs = Math.abs(seconds);
    const h = Math.floor(abs / 3600);
    const m = Math.floor((abs % 3600) / 60);
    const s = abs % 60;
    text = `${seconds < 0 ? '-' : '+'}${TWO_DIGITS[h] ?? String(h)}`;
    if (m || s) text += `:${TWO_DIGITS[m]}`;
    if (s) text += `:${TWO_DIGITS[s]}`;
    offsetTextCache.set(seconds, text);
  }
  return text;
}

let lastZone = '';
let lastRule: ZoneRule | undefined;

function ruleFor(zone: string): ZoneRule {
  if (zone === lastZone && lastRule) return lastRule;
  const rule = timeZoneRule(zone);
  lastZone = zone;
  lastRule = rule;
  return rule;
}

/** timestamptz in the session's zone: '2024-01-02 03:04:05.5+00'. */
export function formatTimestampTz(value: unknown, zone: string): string {
  const rule = ruleFor(zone);
  if (typeof value === 'bigint' && (value > SAFE_MICROS || value < -SAFE_MICROS)) {
    if (value === TIMESTAMP_POS_INFINITY) return 'infinity';
    if (value === TIMESTAMP_NEG_INFINITY) return '-infinity';
    const offset = rule.offsetAt(Number(value / 1000000n));
    return formatLocalBig(value + BigInt(offset) * 1000000n, formatOffset(offset));
  }
  const micros = Number(value);
  const offset = rule.offsetAt(Math.floor(micros / 1e6));
  return formatLocalNumber(micros + offset * 1e6, formatOffset(offset));
}

// ---------------------------------------------------------------------------------------
// Input

type DateTimeType = 'date' | 'time without time zone' | 'timestamp without time zone' | 'timestamp with time zone';

function invalid(type: DateTimeType, text: string): PgError {
  const name = type === 'timestamp without time zone' ? 'timestamp' : type === 'time without time zone' ? 'time' : type;
  return new PgError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${name}: "${text}"`);
}

function fieldOverflow(text: string, monthTooBig = false): PgError {
  return new PgError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`, {
    hint: monthTooBig ? 'Perhaps you need a different "datestyle" setting.' : undefined,
  });
}

/** The pieces of an ISO date/time literal. */
interface DateTimeFields {
  special: 'infinity' | '-infinity' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday' | null;
  /** Days since 1970 of the date part, null when there is none (a bare time). */
  days: number | null;
  /** µs since midnight of the time part (0 when absent; may be 24:00:00). */
  time: number;
  /** Offset east in seconds when the text gave one, or a zone rule for a zone name. */
  offset: number | null;
  zone: ZoneRule | null;
}

const DATE_PART = /^(\d+)-(\d{1,2})-(\d{1,2})/;
const TIME_PART = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?/;
const OFFSET = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

/** Zone abbreviations from PostgreSQL's Default set that clients commonly write. */
const ABBREVIATIONS: Readonly<Record<string, number>> = {
  z: 0, zulu: 0, utc: 0, gmt: 0, ut: 0, uct: 0,
  est: -5 * 3600, edt: -4 * 3600, cst: -6 * 3600, cdt: -5 * 3600, mst: -7 * 3600, mdt: -6 * 3600,
  pst: -8 * 3600, pdt: -7 * 3600, akst: -9 * 3600, akdt: -8 * 3600, hst: -10 * 3600,
  wet: 0, west: 3600, bst: 3600, cet: 3600, cest: 7200, met: 3600, mest: 7200, eet: 7200, eest: 10800,
  msk: 10800, ist: 7200, jst: 9 * 3600, kst: 9 * 3600, aest: 10 * 3600, aedt: 11 * 3600,
  nzst: 12 * 3600, nzdt: 13 * 3600,
};

const SPECIALS = new Set(['infinity', '+infinity', '-infinity', 'epoch', 'now', 'today', 'tomorrow', 'yesterday']);

function parseFields(text: string, type: DateTimeType): DateTimeFields {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (SPECIALS.has(lower)) {
    const special = (lower === '+infinity' ? 'infinity' : lower) as DateTimeFields['special'];
    return { special, days: null, time: 0, offset: null, zone: null };
  }
  let rest = s;
  let days: number | null = null;
  let year = 0;
  let month = 0;
  let day = 0;
  const dm = DATE_PART.exec(rest);
  if (dm) {
    year = Number(dm[1]);
    month = Number(dm[2]);
    day = Number(dm[3]);
    rest = rest.slice(dm[0].length);
    days = 0;
    if (rest.length > 0) {
      const c = rest.charCodeAt(0);
      // The time follows after 'T' or whitespace; anything else glued to the date is junk.
      if (c === 84 || c === 116) rest = rest.slice(1);
      else if (c !== 32 && c !== 9 && c !== 10 && c !== 13) throw invalid(type, text);
      rest = rest.trimStart();
    }
  } else if (type !== 'time without time zone') {
    throw invalid(type, text);
  }
  let time = 0;
  let hasTime = false;
  const tm = TIME_PART.exec(rest);
  if (tm) {
    hasTime = true;
    const h = Number(tm[1]);
    const min = Number(tm[2]);
    const sec = Number(tm[3] ?? 0);
    const frac = tm[4] ? rint(Number(`0.${tm[4]}`) * 1e6) : 0;
    if (h > 24 || min > 59 || sec > 60 || (h === 24 && (min > 0 || sec > 0 || frac > 0))) throw fieldOverflow(text);
    time = ((h * 60 + min) * 60 + sec) * 1e6 + frac;
    rest = rest.slice(tm[0].length);
  } else if (days === null) {
    if (type === 'time without time zone' && lower === 'allballs') return { special: null, days: null, time: 0, offset: null, zone: null };
    throw invalid(type, text);
  }
  let offset: number | null = null;
  let zone: ZoneRule | null = null;
  let bc = false;
  let era = false;
  for (const token of rest.split(/\s+/)) {
    if (token === '') continue;
    const t = token.toLowerCase();
    if ((t === 'bc' || t === 'ad') && !era && days !== null) {
      era = true;
      bc = t === 'bc';
      continue;
    }
    if (offset !== null || zone !== null || (!hasTime && days === null)) throw invalid(type, text);
    const off = OFFSET.exec(t);
    if (off) {
      const h = Number(off[2]);
      const m = Number(off[3] ?? 0);
      const sec = Number(off[4] ?? 0);
      if (m > 59 || sec > 59) throw fieldOverflow(text);
      if (h > 15) throw new PgError(SqlState.invalidTimeZoneDisplacementValue, `time zone displacement out of range: "${text}"`);
      const seconds = h * 3600 + m * 60 + sec;
      offset = off[1] === '-' ? -seconds : seconds;
      continue;
    }
    const abbreviation = ABBREVIATIONS[t];
    if (abbreviation !== undefined) {
      offset = abbreviation;
      continue;
    }
    // A zone name; anything with digits or odd characters is junk rather than a zone.
    if (!/^[a-z][a-z0-9_/+-]*$/.test(t)) throw invalid(type, text);
    zone = tryTimeZoneRule(token) ?? null;
    if (zone === null) throw new PgError(SqlState.invalidParameterValue, `time zone "${t}" not recognized`);
  }
  if (days !== null) {
    if (year === 0 || month < 1 || day < 1) throw fieldOverflow(text, month > 12);
    if (month > 12) throw fieldOverflow(text, true);
    const y = bc ? 1 - year : year;
    if (day > daysInMonth(y, month)) throw fieldOverflow(text);
    days = daysFromCivil(y, month, day);
  }
  return { special: null, days, time, offset, zone };
}

/** rint(): round half to even, as PostgreSQL rounds fractional seconds. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** Today's date in `zone`, as days since 1970. */
function today(zone: string): number {
  const now = Date.now() / 1000;
  return Math.floor((now + timeZoneRule(zone).offsetAt(Math.floor(now))) / 86400);
}

/** Days since 1970 from a date literal. */
export function parseDate(text: string, zone = 'UTC'): number {
  const f = parseFields(text, 'date');
  switch (f.special) {
    case 'infinity': return Infinity;
    case '-infinity': return -Infinity;
    case 'epoch': return 0;
    case 'now':
    case 'today': return today(zone);
    case 'tomorrow': return today(zone) + 1;
    case 'yesterday': return today(zone) - 1;
    default: break;
  }
  if (f.days === null) throw invalid('date', text);
  if (f.days < MIN_DATE_DAYS || f.days > MAX_DATE_DAYS) throw new PgError(SqlState.datetimeFieldOverflow, `date out of range: "${text}"`);
  return f.days;
}

/** µs since midnight from 'HH:MM[:SS[.ffffff]]' (a date or zone around it is ignored). */
export function parseTime(text: string, zone = 'UTC'): bigint {
  const f = parseFields(text, 'time without time zone');
  if (f.special === 'now') {
    const local = nowMicros() + BigInt(timeZoneRule(zone).offsetAt(Math.floor(Date.now() / 1000))) * 1000000n;
    return ((local % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  }
  if (f.special !== null) throw invalid('time without time zone', text);
  if (f.time > MICROS_PER_DAY_N) throw fieldOverflow(text);
  return BigInt(f.time);
}

function checkTimestamp(micros: bigint, text: string): bigint {
  if (micros < MIN_TIMESTAMP || micros >= END_TIMESTAMP) throw new PgError(SqlState.datetimeFieldOverflow, `timestamp out of range: "${text}"`);
  return micros;
}

function specialTimestamp(special: DateTimeFields['special'], zone: string, withTimeZone: boolean): bigint {
  const rule = timeZoneRule(zone);
  const offsetNow = BigInt(rule.offsetAt(Math.floor(Date.now() / 1000))) * 1000000n;
  const midnight = (dayShift: bigint): bigint => {
    const localToday = BigInt(today(zone)) * MICROS_PER_DAY + dayShift * MICROS_PER_DAY;
    if (!withTimeZone) return localToday;
    return BigInt(localToUtcSeconds(rule, Number(localToday / 1000000n))) * 1000000n;
  };
  switch (special) {
    case 'infinity': return TIMESTAMP_POS_INFINITY;
    case '-infinity': return TIMESTAMP_NEG_INFINITY;
    case 'epoch': return 0n;
    case 'now': return withTimeZone ? nowMicros() : nowMicros() + offsetNow;
    case 'today': return midnight(0n);
    case 'tomorrow': return midnight(1n);
    default: return midnight(-1n);
  }
}

/** timestamp without time zone: a zone in the text is ignored, as PostgreSQL does. */
export function parseTimestamp(text: string, zone = 'UTC'): bigint {
  const f = parseFields(text, 'timestamp without time zone');
  if (f.special !== null) return specialTimestamp(f.special, zone, false);
  if (f.days === null) throw invalid('timestamp without time zone', text);
  return checkTimestamp(BigInt(f.days) * MICROS_PER_DAY + BigInt(f.time), text);
}

/** timestamptz: an offset or zone in the text wins, else the session's zone. */
export function parseTimestampTz(text: string, zone: string): bigint {
  const f = parseFields(text, 'timestamp with time zone');
  if (f.special !== null) return specialTimestamp(f.special, zone, true);
  if (f.days === null) throw invalid('timestamp with time zone', text);
  const local = BigInt(f.days) * MICROS_PER_DAY + BigInt(f.time);
  if (f.offset !== null) return checkTimestamp(local - BigInt(f.offset) * 1000000n, text);
  const rule = f.zone ?? timeZoneRule(zone);
  const seconds = local >= 0n ? local / 1000000n : -((-local + 999999n) / 1000000n);
  const utcSeconds = localToUtcSeconds(rule, Number(seconds));
  return checkTimestamp(local + (BigInt(utcSeconds) - seconds) * 1000000n, text);
}
