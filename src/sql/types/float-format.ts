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
    return gStyle(String(value), 15);
  }
  return fixedPrecision(value, Math.max(1, 15 + extraFloatDigits));
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
  for (let p = 1; p <= 9; p++) {
    const rounded = f.toPrecision(p);
    if (Math.fround(Number(rounded)) === f) return rounded;
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
      if (Math.fround(n) !== f) continue;
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
  return gStyle(value.toPrecision(precision), precision);
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
