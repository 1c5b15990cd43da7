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

const UNIT_MICROS: Readonly<Record<string, { months?: number; days?: number; micros?: number }>> = {
  microsecond: { micros: 1 },
  millisecond: { micros: 1000 },
  second: { micros: 1e6 },
  minute: { micros: 60e6 },
  hour: { micros: 3600e6 },
  day: { days: 1 },
  week: { days: 7 },
  month: { months: 1 },
  year: { months: 12 },
  decade: { months: 120 },
  century: { months: 1200 },
  millennium: { months: 12000 },
};

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  us: 'microsecond', usec: 'microsecond', usecs: 'microsecond', useconds: 'microsecond', microseconds: 'microsecond', microsecond: 'microsecond',
  ms: 'millisecond', msec: 'millisecond', msecs: 'millisecond', milliseconds: 'millisecond', millisecond: 'millisecond',
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', week: 'week', weeks: 'week',
  mon: 'month', mons: 'month', month: 'month', months: 'month',
  y: 'year', yr: 'year', yrs: 'year', year: 'year', years: 'year',
  decade: 'decade', decades: 'decade', century: 'century', centuries: 'century', millennium: 'millennium', millennia: 'millennium',
};

function invalid(text: string): PgError {
  return new PgError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
}

export function parseInterval(text: string): Interval {
  const t = text.trim().toLowerCase();
  if (t.startsWith('p')) return parseIso8601(t, text);
  let months = 0;
  let days = 0;
  let micros = 0;
  let rest = t.replace(/^@\s*/, '');
  let ago = false;
  if (/\s*ago$/.test(rest)) {
    ago = true;
    rest = rest.replace(/\s*ago$/, '');
  }
  const tokens = rest.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw invalid(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const time = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?$/.exec(token);
    if (time) {
      const sign = time[1] === '-' ? -1 : 1;
      micros += sign * (Number(time[2]) * 3600e6 + Number(time[3]) * 60e6 + Math.round(Number(time[4] ?? 0) * 1e6));
      continue;
    }
    const joined = /^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)([a-z]+)?$/.exec(token);
    if (!joined) throw invalid(text);
    const amount = Number(joined[1]);
    let unitName = joined[2];
    if (unitName === undefined) {
      const next = tokens[i + 1];
      if (next !== undefined && UNIT_ALIASES[next] !== undefined) {
        unitName = next;
        i++;
      } else {
        unitName = 'second';
      }
    }
    const unit = UNIT_MICROS[UNIT_ALIASES[unitName] ?? ''];
    if (!unit) throw invalid(text);
    // Fractions cascade down as PostgreSQL does: 1.5 months = 1 month 15 days.
    if (unit.months) {
      const m = amount * unit.months;
      months += Math.trunc(m);
      const dayFraction = (m - Math.trunc(m)) * 30;
      days += Math.trunc(dayFraction);
      micros += Math.round((dayFraction - Math.trunc(dayFraction)) * 86400e6);
    } else if (unit.days) {
      const d = amount * unit.days;
      days += Math.trunc(d);
      micros += Math.round((d - Math.trunc(d)) * 86400e6);
    } else {
      micros += Math.round(amount * unit.micros!);
    }
  }
  const sign = ago ? -1 : 1;
  return { months: sign * months + 0, days: sign * days + 0, micros: BigInt(sign * micros) };
}

function parseIso8601(t: string, text: string): Interval {
  const m = /^p(?:([+-]?\d+(?:\.\d+)?)y)?(?:([+-]?\d+(?:\.\d+)?)m)?(?:([+-]?\d+(?:\.\d+)?)w)?(?:([+-]?\d+(?:\.\d+)?)d)?(?:t(?:([+-]?\d+(?:\.\d+)?)h)?(?:([+-]?\d+(?:\.\d+)?)m)?(?:([+-]?\d+(?:\.\d+)?)s)?)?$/.exec(t);
  if (!m || t === 'p' || t.endsWith('t')) throw invalid(text);
  const n = (i: number): number => Number(m[i] ?? 0);
  const months = n(1) * 12 + n(2);
  const days = n(3) * 7 + n(4);
  return {
    months: Math.trunc(months),
    days: Math.trunc(days + (months - Math.trunc(months)) * 30),
    micros: BigInt(Math.round(n(5) * 3600e6 + n(6) * 60e6 + n(7) * 1e6 + (days - Math.trunc(days)) * 86400e6)),
  };
}
