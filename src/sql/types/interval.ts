/**
 * interval: { months, days, micros } like PostgreSQL's own struct, printed in the
 * 'postgres' IntervalStyle and read from PostgreSQL's verbose and ISO 8601 forms.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';

export interface Interval {
  months: number;
  days: number;
  micros: bigint;
}

function pad2(n: bigint | number): string {
  const s = String(n);
  return s.length >= 2 ? s : '0' + s;
}

export function formatInterval(value: Interval): string {
  const years = Math.trunc(value.months / 12);
  const months = value.months - years * 12;
  const parts: string[] = [];
  let negativeBefore = false;
  const field = (n: number, unit: string): void => {
    if (n === 0) return;
    const sign = n < 0 ? '' : negativeBefore ? '+' : '';
    // PostgreSQL says '1 day' but '-1 days'.
    parts.push(`${sign}${n} ${unit}${n === 1 ? '' : 's'}`);
    negativeBefore = n < 0;
  };
  field(years, 'year');
  field(months, 'mon');
  field(value.days, 'day');
  if (value.micros !== 0n || parts.length === 0) {
    const negative = value.micros < 0n;
    let abs = negative ? -value.micros : value.micros;
    const fraction = abs % 1000000n;
    abs /= 1000000n;
    const sec = abs % 60n;
    abs /= 60n;
    const min = abs % 60n;
    const hours = abs / 60n;
    const sign = negative ? '-' : negativeBefore ? '+' : '';
    let time = `${sign}${pad2(hours)}:${pad2(min)}:${pad2(sec)}`;
    if (fraction > 0n) time += '.' + String(fraction).padStart(6, '0').replace(/0+$/, '');
    parts.push(time);
  }
  return parts.join(' ');
}

/** What one of a unit is worth: months, days or µs. */
interface Unit {
  months?: number;
  days?: number;
  micros?: bigint;
}

const UNITS: Readonly<Record<string, Unit>> = {
  microsecond: { micros: 1n },
  millisecond: { micros: 1000n },
  second: { micros: 1000000n },
  minute: { micros: 60000000n },
  hour: { micros: 3600000000n },
  day: { days: 1 },
  week: { days: 7 },
  month: { months: 1 },
  year: { months: 12 },
  decade: { months: 120 },
  century: { months: 1200 },
  millennium: { months: 12000 },
};

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  us: 'microsecond', usec: 'microsecond', usecs: 'microsecond', useconds: 'microsecond', microseconds: 'microsecond', microsecond: 'microsecond', microsecon: 'microsecond',
  ms: 'millisecond', msec: 'millisecond', msecs: 'millisecond', mseconds: 'millisecond', milliseconds: 'millisecond', millisecond: 'millisecond', millisecon: 'millisecond',
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', week: 'week', weeks: 'week',
  mon: 'month', mons: 'month', month: 'month', months: 'month',
  y: 'year', yr: 'year', yrs: 'year', year: 'year', years: 'year',
  dec: 'decade', decs: 'decade', decade: 'decade', decades: 'decade',
  c: 'century', cent: 'century', century: 'century', centuries: 'century',
  mil: 'millennium', mils: 'millennium', millennium: 'millennium', millennia: 'millennium', millenniums: 'millennium',
};

function invalid(text: string): PgError {
  return new PgError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
}

function overflow(text: string): PgError {
  return new PgError(SqlState.intervalFieldOverflow, `interval field value out of range: "${text}"`);
}

/** rint(): round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Sums fields exactly (µs as bigint) and checks PostgreSQL's limits at the end. */
class IntervalSum {
  months = 0;
  days = 0;
  micros = 0n;

  /** `amount` of `unit`, where amount is decimal text with an optional sign. */
  add(amount: string, unit: Unit, text: string): void {
    const negative = amount.startsWith('-');
    const unsigned = amount.replace(/^[+-]/, '');
    const dot = unsigned.indexOf('.');
    const intText = dot < 0 ? unsigned : unsigned.slice(0, dot);
    const fracText = dot < 0 ? '' : unsigned.slice(dot + 1);
    if (intText.length > 20) throw overflow(text);
    const whole = BigInt(intText || '0') * (negative ? -1n : 1n);
    const frac = fracText ? Number(`0.${fracText}`) * (negative ? -1 : 1) : 0;
    if (unit.micros !== undefined) {
      this.micros += whole * unit.micros + BigInt(rint(frac * Number(unit.micros)));
    } else if (unit.days !== undefined) {
      this.days += Number(whole) * unit.days;
      this.fractionOfDays(frac * unit.days);
    } else {
      const months = unit.months!;
      this.months += Number(whole) * months;
      if (months >= 12) this.months += rint(frac * months);
      else this.fractionOfDays(frac * 30);
    }
  }

  /** Cascades a fraction of days down to whole days and µs, as AdjustFractDays does. */
  private fractionOfDays(days: number): void {
    const whole = Math.trunc(days);
    this.days += whole;
    this.micros += BigInt(rint((days - whole) * 86400e6));
  }

  addMicros(micros: bigint): void {
    this.micros += micros;
  }

  result(text: string, negate: boolean): Interval {
    const sign = negate ? -1 : 1;
    const months = this.months * sign + 0;
    const days = this.days * sign + 0;
    const micros = negate ? -this.micros : this.micros;
    if (!isInt32(months) || !isInt32(days) || micros < INT64_MIN || micros > INT64_MAX) throw overflow(text);
    return { months, days, micros };
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

const TIME_TOKEN = /^([+-])?(\d+):(\d+)(?::(\d+)(?:\.(\d*))?)?$/;
const NUMBER_TOKEN = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]*)$/;
const YEAR_MONTH_TOKEN = /^([+-]?)(\d+)-(\d+)$/;

/** µs of 'h:m[:s[.f]]' with its sign. */
function timeTokenMicros(m: RegExpExecArray, text: string): bigint {
  const h = BigInt(m[2]!);
  const min = BigInt(m[3]!);
  const sec = BigInt(m[4] ?? '0');
  if (min > 59n || sec > 60n) throw overflow(text);
  const frac = m[5] ? BigInt(rint(Number(`0.${m[5]}`) * 1e6)) : 0n;
  const total = ((h * 60n + min) * 60n + sec) * 1000000n + frac;
  return m[1] === '-' ? -total : total;
}

/** PostgreSQL's verbose ('1 day 02:00:00', '3 hours ago', '@ 1 mon') and ISO 8601 ('P1Y2M') forms. */
export function parseInterval(text: string): Interval {
  const t = text.trim().toLowerCase();
  if (t.startsWith('p')) return parseIso8601(t, text);
  let rest = t.startsWith('@') ? t.slice(1) : t;
  let ago = false;
  if (/(^|\s)ago$/.test(rest)) {
    ago = true;
    rest = rest.slice(0, -3);
  }
  // '1h30m' is '1 h 30 m': a unit glued to the next number ends its token.
  const tokens = rest.replace(/([a-z])(?=[+-]?[\d.])/g, '$1 ').split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw invalid(text);
  const sum = new IntervalSum();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const time = TIME_TOKEN.exec(token);
    if (time) {
      sum.addMicros(timeTokenMicros(time, text));
      continue;
    }
    const yearMonth = YEAR_MONTH_TOKEN.exec(token);
    if (yearMonth) {
      const months = Number(yearMonth[2]) * 12 + Number(yearMonth[3]);
      sum.add(String(yearMonth[1] === '-' ? -months : months), UNITS.month!, text);
      continue;
    }
    const number = NUMBER_TOKEN.exec(token);
    if (!number) throw invalid(text);
    let unitName = number[2]!;
    if (unitName === '') {
      const next = tokens[i + 1];
      if (next !== undefined && UNIT_ALIASES[next] !== undefined) {
        unitName = next;
        i++;
      } else if (next !== undefined && TIME_TOKEN.test(next)) {
        unitName = 'day';
      } else {
        unitName = 'second';
      }
    }
    const unit = UNITS[UNIT_ALIASES[unitName] ?? ''];
    if (!unit) throw invalid(text);
    sum.add(number[1]!, unit, text);
  }
  return sum.result(text, ago);
}

const ISO_DESIGNATORS = /^([+-]?(?:\d+\.?\d*|\.\d+))([ymwdhs])/;
const ISO_ALTERNATIVE = /^p(\d+)-(\d{1,2})-(\d{1,2})(?:t(\d+):(\d{1,2}):(\d{1,2}(?:\.\d*)?))?$/;

function parseIso8601(t: string, text: string): Interval {
  const alternative = ISO_ALTERNATIVE.exec(t);
  const sum = new IntervalSum();
  if (alternative) {
    sum.add(alternative[1]!, UNITS.year!, text);
    sum.add(alternative[2]!, UNITS.month!, text);
    sum.add(alternative[3]!, UNITS.day!, text);
    if (alternative[4] !== undefined) {
      sum.add(alternative[4], UNITS.hour!, text);
      sum.add(alternative[5]!, UNITS.minute!, text);
      sum.add(alternative[6]!, UNITS.second!, text);
    }
    return sum.result(text, false);
  }
  let rest = t.slice(1);
  let inTime = false;
  let any = false;
  while (rest.length > 0) {
    if (rest[0] === 't' && !inTime) {
      inTime = true;
      rest = rest.slice(1);
      if (rest.length === 0) throw invalid(text);
      continue;
    }
    const m = ISO_DESIGNATORS.exec(rest);
    if (!m) throw invalid(text);
    const designator = m[2]!;
    let unit: Unit | undefined;
    if (!inTime) unit = designator === 'y' ? UNITS.year : designator === 'm' ? UNITS.month : designator === 'w' ? UNITS.week : designator === 'd' ? UNITS.day : undefined;
    else unit = designator === 'h' ? UNITS.hour : designator === 'm' ? UNITS.minute : designator === 's' ? UNITS.second : undefined;
    if (!unit) throw invalid(text);
    sum.add(m[1]!, unit, text);
    any = true;
    rest = rest.slice(m[0].length);
  }
  if (!any) throw invalid(text);
  return sum.result(text, false);
}
