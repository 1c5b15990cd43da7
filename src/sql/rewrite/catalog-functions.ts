/**
 * Function calls: PostgreSQL's catalog and session functions go to the emulation's
 * macros; to_char is translated (to-char.ts); other pg_catalog-qualified calls lose the
 * qualifier and reach DuckDB's own function of that name (count, array_to_string,
 * generate_series …).
 */
import type { Node } from 'libpg-query';
import { emulatedFunctions, emulationCatalog, pgCatalogSchema } from './emulation.js';
import { funcCall, nameList, str, stringConst, stringLiteral, type Fields } from './nodes.js';
import { rewriteExtract } from './extract.js';
import { rewriteToChar } from './to-char.js';

/**
 * Values that belong to the session, not to the DuckDB instance: who is connected and
 * what the session's settings are. With them, current_user and current_setting('x') become
 * literals; without them, the instance-wide macros answer.
 */
export interface SessionValues {
  user: string;
  /** A setting's value, or undefined when there is no such setting. */
  setting(name: string): string | undefined;
}

export function rewriteFuncCall(fields: Fields, session?: SessionValues): Node | undefined {
  const names = nameList(fields['funcname']);
  if (session && names[names.length - 1] === 'current_setting' && (names.length === 1 || names[0] === 'pg_catalog')) {
    const args = Array.isArray(fields['args']) ? (fields['args'] as unknown[]) : [];
    const name = stringLiteral(args[0]);
    if (name !== undefined && args.length <= 2) {
      const value = session.setting(name);
      if (value !== undefined) return stringConst(value);
    }
  }
  const qualified = names.length === 2 && (names[0] === 'pg_catalog' || names[0] === 'information_schema');
  if (names.length !== 1 && !qualified) return undefined;
  const base = names[names.length - 1]!;
  const args = Array.isArray(fields['args']) ? (fields['args'] as Node[]) : [];
  if (base === 'to_char') return rewriteToChar(args);
  if (base === 'extract' || base === 'date_part') {
    const translated = rewriteExtract(args, base === 'extract' ? 'numeric' : 'double');
    if (translated) return translated;
  }
  const renamed = RENAMED_FUNCTIONS[base];
  if (renamed !== undefined) {
    fields['funcname'] = [str(renamed)];
    return undefined;
  }
  if (emulatedFunctions.has(base)) {
    fields['funcname'] = [emulationCatalog, pgCatalogSchema, base].map(str);
  } else if (qualified) {
    fields['funcname'] = [str(base)];
  }
  return undefined;
}

/** PostgreSQL functions DuckDB has under another name, with the same arguments and meaning. */
const RENAMED_FUNCTIONS: Readonly<Record<string, string>> = {
  // EXTRACT(field FROM x) parses as pg_catalog.extract('field', x); with a constant field it is translated (extract.ts).
  extract: 'date_part',
  json_build_object: 'json_object',
  jsonb_build_object: 'json_object',
  json_build_array: 'json_array',
  jsonb_build_array: 'json_array',
  json_agg: 'json_group_array',
  jsonb_agg: 'json_group_array',
  json_object_agg: 'json_group_object',
  jsonb_object_agg: 'json_group_object',
};

/** SQL-standard keywords that are function calls in PostgreSQL (current_user …). */
const valueFunctions: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'current_user',
  SVFOP_CURRENT_ROLE: 'current_user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_database',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

export function rewriteSqlValueFunction(fields: Fields, session?: SessionValues): Node | undefined {
  const name = valueFunctions[String(fields['op'])];
  if (name === undefined) return undefined;
  if (session && (name === 'current_user' || name === 'session_user')) return stringConst(session.user);
  return funcCall([emulationCatalog, pgCatalogSchema, name], []);
}
