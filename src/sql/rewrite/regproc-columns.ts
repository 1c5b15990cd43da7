/**
 * The emulation keeps regproc columns (pg_type.typreceive …) as the function's name, the
 * way PostgreSQL prints them, while pg_proc.oid is a number. A join such as Npgsql's
 * `pg_proc.oid = typ.typreceive` compares the two: the name side becomes the OID of the
 * pg_proc row of that name.
 */
import type { Node } from 'libpg-query';
import { emulationCatalog, pgCatalogSchema } from './emulation.js';
import { funcCall, nameList, unwrap, type Fields } from './nodes.js';

const REGPROC_COLUMNS: ReadonlySet<string> = new Set([
  'typinput', 'typoutput', 'typreceive', 'typsend', 'typmodin', 'typmodout', 'typanalyze', 'typsubscript',
  'amhandler', 'prosupport', 'oprcode', 'oprrest', 'oprjoin', 'rngcanonical', 'rngsubdiff',
]);

function isRegprocColumn(node: unknown): boolean {
  const ref = unwrap(node);
  if (!ref || ref[0] !== 'ColumnRef') return false;
  const names = nameList(ref[1]['fields']);
  return REGPROC_COLUMNS.has(names[names.length - 1] ?? '');
}

function isOidColumn(node: unknown): boolean {
  const ref = unwrap(node);
  if (!ref || ref[0] !== 'ColumnRef') return false;
  const names = nameList(ref[1]['fields']);
  return names[names.length - 1] === 'oid';
}

/** `x.oid = t.typreceive` (either way round) → `x.oid = c2d_regproc_oid(t.typreceive)`. */
export function rewriteRegprocComparison(fields: Fields): void {
  if (fields['kind'] !== 'AEXPR_OP') return;
  const names = nameList(fields['name']);
  if (!['=', '<>'].includes(names[names.length - 1] ?? '')) return;
  const helper = (arg: unknown): Node => funcCall([emulationCatalog, pgCatalogSchema, 'c2d_regproc_oid'], [arg as Node]);
  if (isOidColumn(fields['lexpr']) && isRegprocColumn(fields['rexpr'])) fields['rexpr'] = helper(fields['rexpr']);
  else if (isOidColumn(fields['rexpr']) && isRegprocColumn(fields['lexpr'])) fields['lexpr'] = helper(fields['lexpr']);
}
