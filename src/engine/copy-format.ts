/**
 * COPY … TO STDOUT data in PostgreSQL's text, CSV and binary formats.
 * @see https://www.postgresql.org/docs/current/sql-copy.html
 */
import type { CodecContext, FieldDescription } from '../server/engine.js';
import { binaryEncoder, textEncoder } from '../sql/types/index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

export interface CopyOptions {
  format: 'text' | 'csv' | 'binary';
  delimiter: string;
  null: string;
  header: boolean;
  quote: string;
  escape: string;
  /** Column names always quoted in CSV (FORCE_QUOTE), or '*' for all. */
  forceQuote: readonly string[] | '*';
}

/** Reads COPY's option list ((FORMAT csv, HEADER, …) or the old WITH CSV HEADER forms). */
export function copyOptionsFrom(defElems: ReadonlyArray<{ defname: string; arg?: unknown }>): CopyOptions {
  let format: CopyOptions['format'] = 'text';
  const raw = new Map<string, unknown>();
  for (const d of defElems) {
    if (d.defname === 'format') {
      const f = String(argString(d.arg)).toLowerCase();
      if (f !== 'text' && f !== 'csv' && f !== 'binary') {
        throw new PgError(SqlState.invalidParameterValue, `COPY format "${f}" not recognized`);
      }
      format = f;
    } else raw.set(d.defname, d.arg);
  }
  const csv = format === 'csv';
  const options: CopyOptions = {
    format,
    delimiter: csv ? ',' : '\t',
    null: csv ? '' : '\\N',
    header: false,
    quote: '"',
    escape: '"',
    forceQuote: [],
  };
  for (const [name, arg] of raw) {
    switch (name) {
      case 'delimiter':
        options.delimiter = single('DELIMITER', argString(arg));
        break;
      case 'null':
        options.null = argString(arg);
        break;
      case 'header':
        options.header = arg === undefined || ['true', 'on', '1', 'yes'].includes(argString(arg).toLowerCase());
        break;
      case 'quote':
        options.quote = single('QUOTE', argString(arg));
        options.escape = options.escape === '"' ? options.quote : options.escape;
        break;
      case 'escape':
        options.escape = single('ESCAPE', argString(arg));
        break;
      case 'force_quote':
        options.forceQuote = isStar(arg) ? '*' : listStrings(arg);
        break;
      case 'encoding':
        if (!/^utf-?8$/i.test(argString(arg))) {
          throw new PgError(SqlState.featureNotSupported, 'COPY supports only UTF8 encoding');
        }
        break;
      default:
        throw new PgError(SqlState.syntaxError, `option "${name}" not recognized`);
    }
  }
  if (format !== 'csv' && (raw.has('quote') || raw.has('escape') || raw.has('force_quote'))) {
    throw new PgError(SqlState.featureNotSupported, 'COPY quote, escape and force quote are available only in CSV mode');
  }
  if (format === 'binary' && (raw.has('delimiter') || raw.has('null') || raw.has('header'))) {
    throw new PgError(SqlState.syntaxError, 'cannot specify DELIMITER, NULL or HEADER in BINARY mode');
  }
  return options;
}

function single(what: string, value: string): string {
  if (value.length !== 1) throw new PgError(SqlState.featureNotSupported, `COPY ${what.toLowerCase()} must be a single one-byte character`);
  return value;
}

function argString(arg: unknown): string {
  if (arg === undefined || arg === null) return '';
  const node = arg as Record<string, any>;
  if (node.String) return String(node.String.sval ?? '');
  if (node.Integer) return String(node.Integer.ival ?? 0);
  if (node.Boolean) return node.Boolean.boolval ? 'true' : 'false';
  if (node.TypeName) return String(node.TypeName.names?.at(-1)?.String?.sval ?? '');
  return String(arg);
}

function isStar(arg: unknown): boolean {
  return Boolean((arg as Record<string, unknown> | undefined)?.A_Star);
}

function listStrings(arg: unknown): string[] {
  const items = ((arg as { List?: { items?: unknown[] } })?.List?.items ?? []) as unknown[];
  return items.map(argString);
}

/** Formats rows for COPY in one of the three formats. */
export class CopyFormatter {
  private readonly encode: Array<(value: unknown, ctx: CodecContext) => string>;
  private readonly encodeBinary: Array<(value: unknown, ctx: CodecContext) => Uint8Array>;
  private readonly quoteAll: boolean[];

  constructor(
    private readonly fields: readonly FieldDescription[],
    private readonly options: CopyOptions,
    private readonly ctx: CodecContext,
  ) {
    this.encode = fields.map((f) => textEncoder(f.typeOid));
    this.encodeBinary = fields.map((f) => binaryEncoder(f.typeOid));
    const force = options.forceQuote;
    this.quoteAll = fields.map((f) => force === '*' || force.includes(f.name));
  }

  /** The bytes before the first row: the header line, or the binary signature. */
  prologue(): Uint8Array {
    if (this.options.format === 'binary') {
      const head = Buffer.alloc(19);
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(head, 0);
      head.writeInt32BE(0, 11); // flags
      head.writeInt32BE(0, 15); // header extension length
      return head;
    }
    if (!this.options.header) return new Uint8Array(0);
    const names = this.fields.map((f) => (this.options.format === 'csv' ? this.csvField(f.name, false) : this.textField(f.name)));
    return Buffer.from(names.join(this.options.delimiter) + '\n', 'utf8');
  }

  /** The bytes after the last row (binary's trailer). */
  epilogue(): Uint8Array {
    if (this.options.format !== 'binary') return new Uint8Array(0);
    const tail = Buffer.alloc(2);
    tail.writeInt16BE(-1, 0);
    return tail;
  }

  rows(rows: readonly unknown[][]): Uint8Array {
    if (this.options.format === 'binary') return this.binaryRows(rows);
    const csv = this.options.format === 'csv';
    const lines: string[] = [];
    for (const row of rows) {
      const out: string[] = new Array(row.length);
      for (let c = 0; c < row.length; c++) {
        const value = row[c];
        if (value === null || value === undefined) out[c] = this.options.null;
        else {
          const text = this.encode[c]!(value, this.ctx);
          out[c] = csv ? this.csvField(text, this.quoteAll[c]!) : this.textField(text);
        }
      }
      lines.push(out.join(this.options.delimiter));
    }
    return Buffer.from(lines.join('\n') + (lines.length ? '\n' : ''), 'utf8');
  }

  private textField(text: string): string {
    let out = '';
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      let rep: string | null = null;
      if (ch === 0x5c) rep = '\\\\';
      else if (ch === 0x0a) rep = '\\n';
      else if (ch === 0x0d) rep = '\\r';
      else if (ch === 0x09) rep = '\\t';
      else if (ch === 0x08) rep = '\\b';
      else if (ch === 0x0c) rep = '\\f';
      else if (ch === 0x0b) rep = '\\v';
      else if (text[i] === this.options.delimiter) rep = '\\' + this.options.delimiter;
      if (rep !== null) {
        out += text.slice(start, i) + rep;
        start = i + 1;
      }
    }
    return start === 0 ? text : out + text.slice(start);
  }

  private csvField(text: string, force: boolean): string {
    const { quote, escape, delimiter } = this.options;
    const needs =
      force ||
      text === this.options.null ||
      text.includes(delimiter) ||
      text.includes(quote) ||
      text.includes('\n') ||
      text.includes('\r') ||
      (text.length > 0 && text === '\\.');
    if (!needs) return text;
    let out = '';
    for (const ch of text) out += ch === quote || ch === escape ? escape + ch : ch;
    return quote + out + quote;
  }

  private binaryRows(rows: readonly unknown[][]): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const row of rows) {
      const count = Buffer.alloc(2);
      count.writeInt16BE(row.length, 0);
      parts.push(count);
      for (let c = 0; c < row.length; c++) {
        const value = row[c];
        const len = Buffer.alloc(4);
        if (value === null || value === undefined) {
          len.writeInt32BE(-1, 0);
          parts.push(len);
        } else {
          const bytes = this.encodeBinary[c]!(value, this.ctx);
          len.writeInt32BE(bytes.length, 0);
          parts.push(len, bytes);
        }
      }
    }
    return Buffer.concat(parts);
  }
}
