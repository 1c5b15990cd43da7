/**
 * Column definitions as the binder passes them, checked and turned into catalog columns:
 * known PostgreSQL types only (no pseudo-types), a sane typmod, each name once.
 */
import { builtinTypeByOid } from '../sql/builtin-types.js';
import type { ColumnEntry } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import type { ColumnSpec } from './catalog-requests.js';
import { checkName } from './object-names.js';

export function checkColumnType(column: string, typeOid: number, typmod: number | undefined): { typeOid: number; typmod: number } {
  const type = Number.isInteger(typeOid) ? builtinTypeByOid(typeOid) : undefined;
  if (!type) throw catalogError.undefinedType(typeOid);
  if (type.kind === 'p') throw catalogError.pseudoTypeColumn(column, type.name);
  const mod = typmod ?? -1;
  if (!Number.isInteger(mod) || mod < -1 || mod > 0x7fffffff) {
    throw catalogError.invalidParameter(`invalid type modifier ${String(typmod)} for column "${column}"`);
  }
  return { typeOid, typmod: mod };
}

/** Columns of a new relation, numbered from 1 in the order given. */
export function buildColumns(specs: readonly ColumnSpec[]): ColumnEntry[] {
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const name = checkName(spec.name);
    if (seen.has(name)) throw catalogError.columnSpecifiedTwice(name);
    seen.add(name);
    return { attnum: index + 1, name, ...checkColumnType(name, spec.typeOid, spec.typmod), notNull: spec.notNull === true };
  });
}
