/**
 * PostgreSQL's to_char(date or timestamp, 'template') for DuckDB, which has no to_char:
 * a constant template becomes a concatenation of DuckDB expressions, one per template
 * pattern (strftime for the zero-padded fields, day()/month()… for FM-prefixed ones,
 * rpad for PostgreSQL's nine-wide month and day names) and the literal text between
 * them. Written by hand: DuckDB's strftime codes differ from PostgreSQL's patterns in
 * padding, case and numbering, and no library translates one into the other. A pattern
 * without a translation, or a template that is not a constant, is refused with 0A000
 * rather than answered differently from PostgreSQL.
 */
import type { Node } from 'libpg-query';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { funcCall, intConst, operator, stringConst, stringLiteral, typeCast } from './nodes.js';

type Piece = (value: Node) => Node;

const strftime = (format: string): Piece => (value) => funcCall(['strftime'], [value, stringConst(format)]);
const text = (fn: string): Piece => (value) => typeCast(funcCall([fn], [value]), 'varchar');
const cased = (piece: Piece, casing: 'upper' | 'lower'): Piece => (value) => funcCall([casing], [piece(value)]);
const padded = (piece: Piece, width: number): Piece => (value) => funcCall(['rpad'], [piece(value), intConst(width), stringConst(' ')]);

interface Pattern {
  readonly pattern: string;
  /** null: a PostgreSQL pattern with no translation here (refused). */
  readonly piece: Piece | null;
  /** The FM-prefixed (unpadded) form, when it differs. */
  readonly fm?: Piece;
  /** Numbers read the same in any letter case (yyyy-mm-dd); names take their case from the pattern. */
  readonly anyCase?: boolean;
}

/**
 * A name pattern in its three spellings (MONTH, Month, month), the name in the same case;
 * with `width`, padded to it as PostgreSQL does, except in FM form.
 */
function spellings(capitalised: string, name: Piece, width?: number): Pattern[] {
  const full = width === undefined ? name : padded(name, width);
  const fm = (piece: Piece): Partial<Pattern> => (width === undefined ? {} : { fm: piece });
  return [
    { pattern: capitalised.toUpperCase(), piece: cased(full, 'upper'), ...fm(cased(name, 'upper')) },
    { pattern: capitalised, piece: full, ...fm(name) },
    { pattern: capitalised.toLowerCase(), piece: cased(full, 'lower'), ...fm(cased(name, 'lower')) },
  ];
}

/** Longest first where one pattern starts another. */
const PATTERNS: readonly Pattern[] = [
  { pattern: 'HH24', piece: strftime('%H'), fm: text('hour'), anyCase: true },
  { pattern: 'HH12', piece: strftime('%I'), fm: strftime('%-I'), anyCase: true },
  { pattern: 'HH', piece: strftime('%I'), fm: strftime('%-I'), anyCase: true },
  { pattern: 'MI', piece: strftime('%M'), fm: text('minute'), anyCase: true },
  { pattern: 'SSSSS', piece: null, anyCase: true },
  { pattern: 'SSSS', piece: null, anyCase: true },
  { pattern: 'SS', piece: strftime('%S'), fm: text('second'), anyCase: true },
  { pattern: 'MS', piece: strftime('%g'), anyCase: true },
  { pattern: 'US', piece: strftime('%f'), anyCase: true },
  { pattern: 'A.M.', piece: null, anyCase: true },
  { pattern: 'P.M.', piece: null, anyCase: true },
  { pattern: 'AM', piece: strftime('%p') },
  { pattern: 'PM', piece: strftime('%p') },
  { pattern: 'am', piece: cased(strftime('%p'), 'lower') },
  { pattern: 'pm', piece: cased(strftime('%p'), 'lower') },
  { pattern: 'Y,YYY', piece: null, anyCase: true },
  { pattern: 'YYYY', piece: (v) => funcCall(['lpad'], [text('year')(v), intConst(4), stringConst('0')]), fm: text('year'), anyCase: true },
  { pattern: 'YYY', piece: null, anyCase: true },
  { pattern: 'YY', piece: strftime('%y'), anyCase: true },
  { pattern: 'Y', piece: null, anyCase: true },
  { pattern: 'IYYY', piece: null, anyCase: true },
  { pattern: 'IYY', piece: null, anyCase: true },
  { pattern: 'IW', piece: strftime('%V'), anyCase: true },
  { pattern: 'IY', piece: null, anyCase: true },
  { pattern: 'ID', piece: null, anyCase: true },
  { pattern: 'I', piece: null, anyCase: true },
  ...spellings('Month', strftime('%B'), 9),
  ...spellings('Mon', strftime('%b')),
  { pattern: 'MM', piece: strftime('%m'), fm: text('month'), anyCase: true },
  ...spellings('Day', strftime('%A'), 9),
  ...spellings('Dy', strftime('%a')),
  { pattern: 'DDD', piece: strftime('%j'), fm: text('dayofyear'), anyCase: true },
  { pattern: 'DD', piece: strftime('%d'), fm: text('day'), anyCase: true },
  // PostgreSQL's D counts Sunday as 1, DuckDB's dayofweek as 0.
  { pattern: 'D', piece: (v) => typeCast(operator('+', funcCall(['dayofweek'], [v]), intConst(1)), 'varchar'), anyCase: true },
  { pattern: 'WW', piece: null, anyCase: true },
  { pattern: 'W', piece: null, anyCase: true },
  { pattern: 'Q', piece: text('quarter'), anyCase: true },
  { pattern: 'CC', piece: null, anyCase: true },
  { pattern: 'J', piece: null, anyCase: true },
  { pattern: 'RM', piece: null, anyCase: true },
  { pattern: 'TZH', piece: null, anyCase: true },
  { pattern: 'TZM', piece: null, anyCase: true },
  { pattern: 'TZ', piece: null, anyCase: true },
  { pattern: 'OF', piece: null, anyCase: true },
  { pattern: 'B.C.', piece: null, anyCase: true },
  { pattern: 'A.D.', piece: null, anyCase: true },
  { pattern: 'BC', piece: null, anyCase: true },
  { pattern: 'AD', piece: null, anyCase: true },
  { pattern: 'TH', piece: null, anyCase: true },
  { pattern: 'SP', piece: null, anyCase: true },
  { pattern: 'TM', piece: null, anyCase: true },
  { pattern: 'FX', piece: null, anyCase: true },
];

function patternAt(template: string, at: number): Pattern | undefined {
  return PATTERNS.find((p) => {
    const here = template.slice(at, at + p.pattern.length);
    return p.anyCase ? here.toUpperCase() === p.pattern : here === p.pattern;
  });
}

/** The arguments of `to_char(value, template)` as one DuckDB expression. */
export function rewriteToChar(args: readonly Node[]): Node {
  const template = stringLiteral(args[1]);
  if (args.length !== 2 || template === undefined) {
    throw new PgError(SqlState.featureNotSupported, 'to_char is supported with a date or timestamp and a constant template only');
  }
  const value = args[0]!;
  const pieces: Node[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') pieces.push(stringConst(literal));
    literal = '';
  };
  for (let i = 0; i < template.length; ) {
    if (template[i] === '"') {
      // Quoted text, in which \" is a double quote.
      for (i++; i < template.length && template[i] !== '"'; i++) {
        if (template.startsWith('\\"', i)) i++;
        literal += template[i];
      }
      i++;
      continue;
    }
    if (template.startsWith('\\"', i)) {
      // Only a double quote is escaped by a backslash; any other backslash is text.
      literal += '"';
      i += 2;
      continue;
    }
    const fm = template.slice(i, i + 2).toUpperCase() === 'FM';
    const at = fm ? i + 2 : i;
    const match = patternAt(template, at);
    if (match) {
      const piece = fm ? (match.fm ?? match.piece) : match.piece;
      if (piece === null) throw new PgError(SqlState.featureNotSupported, `to_char pattern "${template.slice(i, at + match.pattern.length)}" is not supported`);
      flush();
      pieces.push(piece(value));
      i = at + match.pattern.length;
      continue;
    }
    literal += template[i];
    i++;
  }
  flush();
  // || keeps PostgreSQL's NULL in, NULL out (concat() would skip a NULL).
  return pieces.reduce((left, right) => operator('||', left, right), stringConst(''));
}
