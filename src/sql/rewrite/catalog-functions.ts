/**
 * Function calls: PostgreSQL's catalog and session functions go to the emulation's
 * macros; other pg_catalog-qualified calls lose the qualifier and reach DuckDB's own
 * function of that name (count, array_to_string, generate_series …).
 */
import type { Node } from 'libpg-query';
import { emulatedFunctions, emulationCatalog, pgCatalogSchema } from './emulation.js';
import { funcCall, nameList, str, type Fields } from './nodes.js';

export function rewriteFuncCall(fields: Fields): void {
  const names = nameList(fields['funcname']);
  const qualified = names.length === 2 && (names[0] === 'pg_catalog' || names[0] === 'information_schema');
  if (names.length !== 1 && !qualified) return;
  const base = names[names.length - 1]!;
  if (emulatedFunctions.has(base)) {
    fields['funcname'] = [emulationCatalog, pgCatalogSchema, base].map(str);
  } else if (qualified) {
    fields['funcname'] = [str(base)];
  }
}

/** SQL-standard keywords that are function calls in PostgreSQL (current_user …). */
const valueFunctions: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'current_user',
  SVFOP_CURRENT_ROLE: 'current_user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_database',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

export function rewriteSqlValueFunction(fields: Fields): Node | undefined {
  const name = valueFunctions[String(fields['op'])];
  if (name === undefined) return undefined;
  return funcCall([emulationCatalog, pgCatalogSchema, name], []);
}
