/**
 * EXTRACT and date_part with PostgreSQL's types and values. DuckDB's date_part answers
 * BIGINT for most fields, whole seconds for 'second'; PostgreSQL's extract answers numeric
 * and its date_part double precision, both with the fraction of a second ('second'
 * 9.123456, 'milliseconds' 9123.456, 'epoch' with microseconds). EXTRACT's field is
 * always a constant; date_part's, when it is not one, gets the type but whole seconds.
 */
import type { Node } from 'libpg-query';
import { funcCall, operator, stringConst, stringLiteral, typeCast } from './nodes.js';

/** PostgreSQL's spellings of the fields whose value has a fraction, by the canonical name. */
const SYNONYMS: Readonly<Record<string, string>> = {
  seconds: 'second', sec: 'second', secs: 'second',
  millisecond: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', msecond: 'milliseconds', mseconds: 'milliseconds', ms: 'milliseconds',
  microsecond: 'microseconds', usec: 'microseconds', usecs: 'microseconds', usecond: 'microseconds', useconds: 'microseconds', us: 'microseconds',
};

function times(left: Node, factor: string): Node {
  return operator('*', left, { A_Const: { fval: { fval: factor } } } as Node);
}

/** extract(field, x) (`as` numeric) or date_part(field, x) (`as` double) in DuckDB's terms. */
export function rewriteExtract(args: readonly Node[], as: 'numeric' | 'double'): Node | undefined {
  if (args.length !== 2) return undefined;
  const given = stringLiteral(args[0]);
  if (given === undefined) return as === 'double' ? typeCast(funcCall(['date_part'], args), 'float8') : undefined;
  const field = SYNONYMS[given.toLowerCase()] ?? given.toLowerCase();
  const value = args[1]!;
  const part = (name: string): Node => funcCall(['date_part'], [stringConst(name), value]);
  // Seconds and milliseconds from DuckDB's microseconds (seconds × 10^6 + fraction), exactly.
  const scaled = field === 'second' ? times(part('microseconds'), '0.000001') : field === 'milliseconds' ? times(part('microseconds'), '0.001') : null;
  if (as === 'double') return typeCast(scaled ?? part(field), 'float8');
  if (scaled) return scaled;
  // DuckDB's epoch is a double with the microseconds in it.
  if (field === 'epoch') return typeCast(part('epoch'), 'numeric', [38, 6]);
  if (field === 'julian') return undefined;
  return typeCast(part(field), 'numeric', [18, 0]);
}
