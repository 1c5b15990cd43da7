/**
 * The TimeZone setting as PostgreSQL interprets it, reduced to "offset east of UTC at this
 * instant". A plain number ('-7', '5.5') is hours with the ISO sign; anything else that is
 * not a zone name is a POSIX spec, where the sign is reversed ('UTC+2' and '+05:30' are
 * west of Greenwich), exactly as `SET TimeZone` does. Named zones use the tz database
 * through Intl, but Intl is asked only on a cache miss: offsets are cached per UTC day,
 * and a day holding a transition remembers the transition's exact second.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

export interface ZoneRule {
  /** Offset east of UTC in seconds at the UTC instant `utcSeconds`. */
  offsetAt(utcSeconds: number): number;
}

const SECONDS_PER_DAY = 86400;
/** Instants JS Date can hold (±8.64e15 ms); beyond them the offset of the edge is used. */
const DATE_LIMIT_SECONDS = 8.64e12;
const MAX_CACHED_DAYS = 65536;
const SECONDS_PER_400_YEARS = 146097 * SECONDS_PER_DAY;

function fixedRule(offset: number): ZoneRule {
  return { offsetAt: () => offset };
}

const UTC_RULE = fixedRule(0);

class NamedZoneRule implements ZoneRule {
  /** Per UTC day: a constant offset, or [transition second, offset before, offset after]. */
  private readonly days = new Map<number, number | [number, number, number]>();
  private lastDay = NaN;
  private lastOffset = 0;

  constructor(private readonly format: Intl.DateTimeFormat) {}

  offsetAt(utcSeconds: number): number {
    const day = Math.floor(utcSeconds / SECONDS_PER_DAY);
    if (day === this.lastDay) return this.lastOffset;
    let entry = this.days.get(day);
    if (entry === undefined) {
      entry = this.learnDay(day);
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      this.days.set(day, entry);
    }
    if (typeof entry === 'number') {
      this.lastDay = day;
      this.lastOffset = entry;
      return entry;
    }
    return utcSeconds < entry[0] ? entry[1] : entry[2];
  }

  private learnDay(day: number): number | [number, number, number] {
    let lo = day * SECONDS_PER_DAY;
    let hi = lo + SECONDS_PER_DAY - 1;
    const before = this.ask(lo);
    const after = this.ask(hi);
    if (before === after) return before;
    // Binary search for the first second with the new offset.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.ask(mid) === before) lo = mid;
      else hi = mid;
    }
    return [hi, before, after];
  }

  private ask(utcSeconds: number): number {
    // Past JS Date's end, go back whole 400-year cycles (the Gregorian calendar, and so the
    // zone's yearly DST rule, repeats exactly); before its start the offset is LMT anyway.
    let shifted = utcSeconds;
    if (shifted > DATE_LIMIT_SECONDS) shifted -= Math.ceil((shifted - DATE_LIMIT_SECONDS) / SECONDS_PER_400_YEARS) * SECONDS_PER_400_YEARS;
    const clamped = Math.max(-DATE_LIMIT_SECONDS, shifted);
    const parts = this.format.formatToParts(new Date(clamped * 1000));
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const p of parts) {
      switch (p.type) {
        case 'year': year = Number(p.value); break;
        case 'month': month = Number(p.value); break;
        case 'day': day = Number(p.value); break;
        case 'hour': hour = Number(p.value) % 24; break;
        case 'minute': minute = Number(p.value); break;
        case 'second': second = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
        default: break;
      }
    }
    if (bc) year = 1 - year;
    const local = daysFromCivilYmd(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    return local - clamped;
  }
}

function daysFromCivilYmd(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const rules = new Map<string, ZoneRule>();

/** The rule for a TimeZone value; throws 22023 for a zone PostgreSQL would not accept. */
export function timeZoneRule(zone: string): ZoneRule {
  let rule = rules.get(zone);
  if (rule === undefined) {
    rule = resolveZone(zone);
    if (rules.size > 1024) rules.clear();
    rules.set(zone, rule);
  }
  return rule;
}

/** Like timeZoneRule, but undefined instead of an error. */
export function tryTimeZoneRule(zone: string): ZoneRule | undefined {
  try {
    return timeZoneRule(zone);
  } catch {
    return undefined;
  }
}

function unknownZone(zone: string): PgError {
  return new PgError(SqlState.invalidParameterValue, `time zone "${zone}" not recognized`);
}

const NUMERIC_ZONE = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;
/** std name (alphabetic or <quoted>), optional offset hh[:mm[:ss]] with POSIX sign. */
const POSIX_ZONE = /^(?:([A-Za-z]{3,})|<([^>]*)>)?([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;

function resolveZone(zone: string): ZoneRule {
  const upper = zone.toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'ZULU' || upper === 'UCT') return UTC_RULE;
  if (NUMERIC_ZONE.test(zone)) {
    const hours = Number(zone);
    if (Math.abs(hours) > 15 * 24) throw unknownZone(zone);
    return fixedRule(Math.round(hours * 3600));
  }
  const posix = POSIX_ZONE.exec(zone);
  if (posix && (posix[1] !== undefined || posix[2] !== undefined || posix[3] !== '')) {
    const west = Number(posix[4]) * 3600 + Number(posix[5] ?? 0) * 60 + Number(posix[6] ?? 0);
    if (west > 24 * 3600 + 59 * 60) throw unknownZone(zone);
    return fixedRule(posix[3] === '-' ? west : -west);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
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
  } catch {
    throw unknownZone(zone);
  }
  return new NamedZoneRule(format);
}

/**
 * The UTC second whose wall-clock time in `rule` is `localSeconds`, resolving DST edges
 * like PostgreSQL: a time skipped by a spring-forward uses the offset before it, a time
 * repeated by a fall-back uses the offset after it.
 */
export function localToUtcSeconds(rule: ZoneRule, localSeconds: number): number {
  const before = rule.offsetAt(localSeconds - SECONDS_PER_DAY);
  const after = rule.offsetAt(localSeconds + SECONDS_PER_DAY);
  if (before === after && rule.offsetAt(localSeconds - before) === before) return localSeconds - before;
  if (rule.offsetAt(localSeconds - after) === after) return localSeconds - after;
  if (rule.offsetAt(localSeconds - before) === before) return localSeconds - before;
  return localSeconds - before;
}
