/**
 * json and jsonb text. json keeps the client's text as it came (PostgreSQL only checks
 * it); jsonb is PostgreSQL's canonical form: keys sorted by length then bytes with the
 * last duplicate winning, ', ' and ': ' separators, numbers as numeric prints them,
 * strings with only the escapes PostgreSQL writes.
 */
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { parseNumeric } from './numeric.js';

/** Nesting deeper than this is refused instead of exhausting the stack. */
const MAX_DEPTH = 1000;

function invalidJson(detail: string): PgError {
  return new PgError(SqlState.invalidTextRepresentation, 'invalid input syntax for type json', { detail });
}

/** Checks json text; returns it unchanged. */
export function parseJson(text: string): string {
  new JsonReader(text, false).document();
  return text;
}

/** jsonb's canonical text of a JSON document. */
export function canonicalJsonb(text: string): string {
  return new JsonReader(text, true).document();
}

type Canonical = string;

class JsonReader {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly s: string,
    /** jsonb: decode escapes and refuse \u0000, as jsonb_in does. */
    private readonly binary: boolean,
  ) {}

  document(): Canonical {
    this.space();
    if (this.i >= this.s.length) throw invalidJson('The input string ended unexpectedly.');
    const value = this.value();
    this.space();
    if (this.i < this.s.length) throw invalidJson(`Expected end of input, but found "${this.s.slice(this.i, this.i + 10)}".`);
    return value;
  }

  private space(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.i++;
    }
  }

  private value(): Canonical {
    const c = this.s[this.i];
    if (c === undefined) throw invalidJson('The input string ended unexpectedly.');
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return quoteJsonb(this.string());
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        const after = this.s.charCodeAt(this.i + word.length);
        if (!(after >= 97 && after <= 122) && !(after >= 65 && after <= 90) && !(after >= 48 && after <= 57) && after !== 95) {
          this.i += word.length;
          return word;
        }
      }
    }
    throw invalidJson(`Token "${this.token()}" is invalid.`);
  }

  private token(): string {
    const m = /^[^\s,:\]}[{"]+/.exec(this.s.slice(this.i, this.i + 64));
    return m ? m[0] : this.s[this.i]!;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw new PgError(SqlState.statementTooComplex, 'stack depth limit exceeded');
    }
  }

  private object(): Canonical {
    this.enter();
    this.i++;
    const entries = new Map<string, Canonical>();
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      this.depth--;
      return '{}';
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') throw this.unexpected('string');
      const key = this.string();
      this.space();
      if (this.s[this.i] !== ':') throw this.unexpected('":"');
      this.i++;
      this.space();
      const value = this.value();
      // A repeated key keeps its last value (delete first so Map order is irrelevant).
      entries.delete(key);
      entries.set(key, value);
      this.space();
      const c = this.s[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === '}') break;
      this.i--;
      throw this.unexpected('"," or "}"');
    }
    this.depth--;
    if (!this.binary) return '';
    const keys = [...entries.keys()].map((k) => ({ k, bytes: Buffer.from(k, 'utf8') }));
    keys.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
    return `{${keys.map(({ k }) => `${quoteJsonb(k)}: ${entries.get(k)!}`).join(', ')}}`;
  }

  private array(): Canonical {
    this.enter();
    this.i++;
    const items: Canonical[] = [];
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      this.depth--;
      return '[]';
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      const c = this.s[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === ']') break;
      this.i--;
      throw this.unexpected('"," or "]"');
    }
    this.depth--;
    return this.binary ? `[${items.join(', ')}]` : '';
  }

  private unexpected(what: string): PgError {
    if (this.i >= this.s.length) return invalidJson('The input string ended unexpectedly.');
    return invalidJson(`Expected ${what}, but found "${this.token()}".`);
  }

  /** A string literal at this.i; returns its decoded value (jsonb) or '' (json). */
  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) throw invalidJson('The input string ended unexpectedly.');
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        if (this.binary) out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) throw invalidJson(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`);
      if (c !== 92) {
        this.i++;
        continue;
      }
      if (this.binary) out += s.slice(start, this.i);
      const e = s[this.i + 1];
      this.i += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': out += this.unicodeEscape(); break;
        case undefined: throw invalidJson('The input string ended unexpectedly.');
        default: throw invalidJson(`Escape sequence "\\${e}" is invalid.`);
      }
      start = this.i;
    }
  }

  private hex4(): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) throw invalidJson('"\\u" must be followed by four hexadecimal digits.');
    this.i += 4;
    return parseInt(h, 16);
  }

  private unicodeEscape(): string {
    const code = this.hex4();
    if (!this.binary) return '';
    if (code === 0) {
      throw new PgError(SqlState.untranslatableCharacter, 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      if (this.s[this.i] === '\\' && this.s[this.i + 1] === 'u') {
        this.i += 2;
        const low = this.hex4();
        if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(code, low);
      }
      throw invalidJson('Unicode high surrogate must not follow a high surrogate.');
    }
    if (code >= 0xdc00 && code <= 0xdfff) throw invalidJson('Unicode low surrogate must follow a high surrogate.');
    return String.fromCharCode(code);
  }

  private number(): Canonical {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 100000));
    const after = m ? this.s.charCodeAt(this.i + m[0].length) : NaN;
    if (!m || (after >= 48 && after <= 57) || after === 46 || (after >= 65 && after <= 90) || (after >= 97 && after <= 122)) {
      throw invalidJson(`Token "${this.token()}" is invalid.`);
    }
    this.i += m[0].length;
    return this.binary ? parseNumeric(m[0]) : '';
  }
}

/** A JSON string literal as PostgreSQL's escape_json writes it. */
export function quoteJsonb(value: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92) continue;
    out += value.slice(start, i);
    start = i + 1;
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + value.slice(start) + '"';
}
