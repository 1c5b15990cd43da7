/**
 * FOR VALUES IN values arrive as text. Each is checked against the partition key's type
 * and put in the canonical text form PostgreSQL would print, so that two spellings of
 * one value ('01' and '1', 'yes' and 'true') cannot land in two partitions.
 */
import { builtinTypeByOid } from '../sql/builtin-types.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { ColumnEntry, PartitionValue } from './catalog-entries.js';
import { checkText } from './object-names.js';

const INTEGER_RANGES: ReadonlyMap<number, readonly [bigint, bigint, string]> = new Map([
  [21, [-(2n ** 15n), 2n ** 15n - 1n, 'smallint']],
  [23, [-(2n ** 31n), 2n ** 31n - 1n, 'integer']],
  [20, [-(2n ** 63n), 2n ** 63n - 1n, 'bigint']],
]);
const TRUE_WORDS = ['true', 'yes', 'on'];
const FALSE_WORDS = ['false', 'no', 'off'];
const VARCHAR = 1043;
const BPCHAR = 1042;
const BOOL = 16;
const NUMERIC = 1700;

const badInput = (type: string, value: string) =>
  new PgError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${value}"`);

function canonicalBoolean(value: string): string {
  const word = value.trim().toLowerCase();
  if (word === '1' || word === '0') return word === '1' ? 'true' : 'false';
  // PostgreSQL takes any unambiguous prefix of true/yes/on/false/no/off ('o' alone is ambiguous).
  const matches = (words: string[]) => word.length > 0 && words.some((w) => w.startsWith(word) && (word.length > 1 || w !== 'on' && w !== 'off'));
  if (matches(TRUE_WORDS) && !matches(FALSE_WORDS)) return 'true';
  if (matches(FALSE_WORDS) && !matches(TRUE_WORDS)) return 'false';
  throw badInput('boolean', value);
}

export function canonicalPartitionValue(key: ColumnEntry, value: PartitionValue): PartitionValue {
  if (value === null) return null;
  checkText(value);
  const range = INTEGER_RANGES.get(key.typeOid);
  if (range) {
    const [min, max, type] = range;
    if (!/^\s*[+-]?\d+\s*$/.test(value)) throw badInput(type, value);
    const n = BigInt(value.trim());
    if (n < min || n > max) throw new PgError(SqlState.numericValueOutOfRange, `value "${value}" is out of range for type ${type}`);
    return n.toString();
  }
  if (key.typeOid === BOOL) return canonicalBoolean(value);
  if (key.typeOid === NUMERIC && !/^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN)\s*$/i.test(value)) throw badInput('numeric', value);
  if ((key.typeOid === VARCHAR || key.typeOid === BPCHAR) && key.typmod >= 4) {
    const length = key.typmod - 4;
    if ([...value].length > length) {
      const type = builtinTypeByOid(key.typeOid)!.display;
      throw new PgError(SqlState.stringDataRightTruncation, `value too long for type ${type}(${length})`);
    }
  }
  return value;
}
