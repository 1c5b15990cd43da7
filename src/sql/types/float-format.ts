/**
 * float4/float8 text output exactly as PostgreSQL 12+ prints it: with extra_float_digits
 * > 0 the shortest text that reads back to the same value, in %g-like notation
 * (exponent form below 1e-4 or at/above 1e15 for float8, 1e6 for float4); with ≤ 0, the
 * old %.{15|6 + extra}g rounding.
 */
export function formatFloat8(value: number, extraFloatDigits: number): string {
  if (extraFloatDigits > 0) {
    // JS's own number printing is already shortest round-trip, and in this range it uses
    // fixed notation exactly where PostgreSQL does: the common case costs one String().
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-4 && magnitude < 1e15) return String(value);
    const s = special(value);
    if (s !== null) return s;
    return gStyle(magnitude >= TWO_53 ? ryuBoundary(value) : String(value), 15);
  }
  return fixedPrecision(value, Math.max(1, 15 + extraFloatDigits));
}

const TWO_53 = 2 ** 53;
const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

/**
 * A float8 that is a short decimal, as the integer m and the count k of its fraction
 * digits (v = m / 10^k), exactly as formatFloat8 would print it with extra_float_digits > 0,
 * or null. So a result writer can put its digits in place without making a string. Sound
 * because |m| ≤ 2^50 keeps distinct k-digit decimals on distinct doubles: the k found first
 * is the shortest, and a trailing zero means a shorter one exists that the multiplication
 * missed (then null, and the caller prints the usual way).
 */
export function shortDecimal(value: number): [number, number] | null {
  const magnitude = Math.abs(value);
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return null;
  for (let k = 0; k < POWERS.length; k++) {
    const m = value * POWERS[k]!;
    if (Number.isInteger(m) && Math.abs(m) <= 2 ** 50 && m / POWERS[k]! === value) return k > 0 && m % 10 === 0 ? null : [m, k];
  }
  return null;
}
const bits64 = new DataView(new ArrayBuffer(8));

/**
 * JS and PostgreSQL's Ryu differ on one thing: JS may print a decimal lying exactly on the
 * boundary halfway to the neighbouring double (it reads back by round-half-even), Ryu never
 * does. A boundary can only be a short decimal when it is an integer, i.e. from 2^53 up,
 * so only there is it checked.
 */
function ryuBoundary(value: number): string {
  const js = String(value);
  bits64.setFloat64(0, Math.abs(value));
  const raw = bits64.getBigUint64(0);
  const exponent = Number(raw >> 52n) - 1075;
  const mantissa = (raw & 0xfffffffffffffn) | 0x10000000000000n;
  // The gap below a power of two is half the gap above it.
  const lower = mantissa === 0x10000000000000n && exponent >= 2 ? (4n * mantissa - 1n) << BigInt(exponent - 2) : (2n * mantissa - 1n) << BigInt(exponent - 1);
  const upper = (2n * mantissa + 1n) << BigInt(exponent - 1);
  const printed = exactInteger(js);
  if (printed !== lower && printed !== upper) return js;
  for (let p = significantDigits(js).length + 1; p <= 17; p++) {
    const candidate = value.toPrecision(p);
    const exact = exactInteger(candidate);
    if (Number(candidate) === value && exact !== lower && exact !== upper) return candidate;
  }
  return value.toPrecision(17);
}

function significantDigits(text: string): string {
  return text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
}

/** The exact integer a decimal text in [2^53, ∞) denotes. */
function exactInteger(text: string): bigint {
  const t = text.replace(/^-/, '');
  const e = t.indexOf('e');
  const mantissa = e < 0 ? t : t.slice(0, e);
  const exp = e < 0 ? 0 : Number(t.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const scale = exp - (dot < 0 ? 0 : mantissa.length - dot - 1);
  return scale >= 0 ? BigInt(digits) * 10n ** BigInt(scale) : BigInt(digits) / 10n ** BigInt(-scale);
}

export function formatFloat4(value: number, extraFloatDigits: number): string {
  const f = Math.fround(value);
  if (extraFloatDigits > 0) {
    const s = special(f);
    return s ?? gStyle(shortestFloat4(f), 6);
  }
  return fixedPrecision(f, Math.max(1, 6 + extraFloatDigits));
}

/**
 * The shortest decimal that reads back as `f`, the closest one when several have that
 * length (what Ryu, and so PostgreSQL, prints). The correctly rounded p-digit decimal is
 * usually it; at a power of two the interval that reads back is lopsided, so the p-digit
 * neighbours on either side are tried too.
 */
function shortestFloat4(f: number): string {
  const [below, above] = midpoints(f);
  // A decimal exactly on the boundary between two floats is not taken, as in PostgreSQL's Ryu.
  const readsBack = (text: string): boolean => {
    const n = Number(text);
    return Math.fround(n) === f && n !== below && n !== above;
  };
  for (let p = 1; p <= 9; p++) {
    const rounded = f.toPrecision(p);
    if (readsBack(rounded)) return isTie(f, p) ? evenNeighbour(f, p, rounded, readsBack) : rounded;
    const e = rounded.indexOf('e');
    const mantissa = e < 0 ? rounded : rounded.slice(0, e);
    const exponent = e < 0 ? 0 : Number(rounded.slice(e + 1));
    const dot = mantissa.indexOf('.');
    const digits = mantissa.replace('.', '').replace('-', '');
    const scale = exponent - (dot < 0 ? 0 : mantissa.length - dot - 1);
    const m = Number(digits);
    const sign = f < 0 ? '-' : '';
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const candidate of [m - 1, m + 1]) {
      if (candidate <= 0) continue;
      const text = `${sign}${candidate}e${scale}`;
      const n = Number(text);
      if (!readsBack(text)) continue;
      const distance = Math.abs(n - f);
      if (distance < bestDistance) {
        best = text;
        bestDistance = distance;
      }
    }
    if (best !== null) return best;
  }
  return f.toPrecision(9);
}

const scratch = new DataView(new ArrayBuffer(4));

/** The doubles halfway between f and its float32 neighbours (exact: they need 25 bits). */
function midpoints(f: number): [number, number] {
  scratch.setFloat32(0, Math.abs(f));
  const bits = scratch.getUint32(0);
  scratch.setUint32(0, bits + 1);
  const up = scratch.getFloat32(0);
  scratch.setUint32(0, bits - 1);
  const down = bits === 0 ? 0 : scratch.getFloat32(0);
  const a = Math.abs(f);
  return f < 0 ? [-(a + up) / 2, -(a + down) / 2] : [(a + down) / 2, (a + up) / 2];
}

/** Whether f lies exactly halfway between two p-digit decimals (its expansion ends in 5 at digit p+1). */
function isTie(f: number, p: number): boolean {
  const longer = Math.abs(f).toPrecision(Math.min(100, p + 40));
  const digits = longer.replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
  return digits[p] === '5' && /^0*$/.test(digits.slice(p + 1));
}

/** toPrecision rounds ties away from zero; Ryu, like printf, rounds them to even. */
function evenNeighbour(f: number, p: number, rounded: string, readsBack: (text: string) => boolean): string {
  const e = rounded.indexOf('e');
  const mantissa = e < 0 ? rounded : rounded.slice(0, e);
  const lastDigit = Number(mantissa[mantissa.length - 1]);
  if (lastDigit % 2 === 0) return rounded;
  const truncated = Math.abs(f).toPrecision(Math.min(100, p + 40));
  const te = truncated.indexOf('e');
  const tm = te < 0 ? truncated : truncated.slice(0, te);
  const exponent = te < 0 ? 0 : Number(truncated.slice(te + 1));
  // Keep the first p significant digits of the exact expansion (round toward zero).
  let kept = 0;
  let out = '';
  for (const ch of tm) {
    if (ch === '.') {
      out += ch;
      continue;
    }
    if (kept >= p && ch !== '.') {
      out += '0';
      continue;
    }
    if (ch !== '0' || kept > 0) kept++;
    out += ch;
  }
  const text = `${f < 0 ? '-' : ''}${out}${te < 0 ? '' : `e${exponent}`}`;
  return readsBack(text) ? text : rounded;
}

function special(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  return null;
}

function fixedPrecision(value: number, precision: number): string {
  const s = special(value);
  if (s !== null) return s;
  return gStyle(roundHalfEven(value, precision), precision);
}

/**
 * `value` to `precision` significant digits as C's printf does: an exact tie goes to the
 * even digit, where toPrecision() rounds away from zero (-10738650 to 6 digits is
 * -1.07386e+07 in PostgreSQL). A tie means the exact decimal expansion ends with a 5 right
 * after the kept digits; toExponential(99) is exact for every such value.
 */
function roundHalfEven(value: number, precision: number): string {
  const rounded = value.toPrecision(precision);
  if (value === 0 || precision > 99) return rounded;
  const [mantissa, exponent] = Math.abs(value).toExponential(99).split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const tie = digits[precision] === '5' && /^0*$/.test(digits.slice(precision + 1));
  if (!tie || Number(digits[precision - 1]) % 2 !== 0) return rounded;
  // The kept digits end in an even digit: they stay as they are.
  const kept = digits.slice(0, precision);
  return `${value < 0 ? '-' : ''}${kept[0]}${precision > 1 ? `.${kept.slice(1)}` : ''}e${exponent}`;
}

/** Digits and exponent of a toPrecision() result rendered the way C's %g does. */
function gStyle(text: string, expLimit: number): string {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  let mantissa: string;
  let exponent: number;
  const e = body.indexOf('e');
  if (e >= 0) {
    mantissa = body.slice(0, e);
    exponent = Number(body.slice(e + 1));
  } else {
    mantissa = body;
    exponent = 0;
  }
  // Normalise to digits + decimal exponent of the first digit.
  const [ip, fp = ''] = mantissa.split('.') as [string, string?];
  let digits = (ip + fp).replace(/^0+/, '');
  const leadingZeros = (ip + fp).length - (ip + fp).replace(/^0+/, '').length;
  const exp10 = exponent + ip.length - 1 - leadingZeros;
  digits = digits.replace(/0+$/, '') || '0';
  let out: string;
  if (exp10 < -4 || exp10 >= expLimit) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExp = Math.abs(exp10);
    out = `${m}e${exp10 < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`;
  } else if (exp10 < 0) {
    out = `0.${'0'.repeat(-exp10 - 1)}${digits}`;
  } else if (digits.length <= exp10 + 1) {
    out = digits + '0'.repeat(exp10 + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp10 + 1)}.${digits.slice(exp10 + 1)}`;
  }
  return negative ? `-${out}` : out;
}
