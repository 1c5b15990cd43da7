/**
 * Relation references: pg_catalog.X, information_schema.X and unqualified pg_* names go
 * to the emulation; user tables pass through untouched. An unknown catalog relation is
 * still sent to the emulation schema, so DuckDB reports it missing (42P01) instead of
 * finding one of its own pg_catalog views with other OIDs.
 */
import type { Node } from 'libpg-query';
import {
  emulatedRelations,
  emulationCatalog,
  informationSchemaSchema,
  pgCatalogSchema,
} from './emulation.js';
import { funcCall, nameList, str, type Fields } from './nodes.js';
import { expandTemplate } from './templates.js';

export function rewriteRangeVar(fields: Fields, cteNames: ReadonlySet<string>): void {
  const schema = fields['schemaname'] as string | undefined;
  const name = fields['relname'] as string | undefined;
  if (fields['catalogname'] !== undefined || name === undefined) return;
  if (schema === 'pg_catalog' || (schema === undefined && emulatedRelations.has(name) && !cteNames.has(name))) {
    fields['catalogname'] = emulationCatalog;
    fields['schemaname'] = pgCatalogSchema;
  } else if (schema === 'information_schema') {
    fields['catalogname'] = emulationCatalog;
    fields['schemaname'] = informationSchemaSchema;
  } else if (schema === 'public') {
    // The catalog shows DuckDB's default schema `main` as PostgreSQL's `public`.
    fields['schemaname'] = 'main';
  }
}

/** Functions whose single output column PostgreSQL names after the FROM alias. */
const scalarSetFunctions: ReadonlySet<string> = new Set(['generate_series', 'unnest']);

const optionsToTable =
  "SELECT split_part(o, '=', 1) AS option_name, substr(o, strpos(o, '=') + 1) AS option_value FROM unnest($1) AS u(o)";

/** A function in FROM; returns a replacement node when the call must become a subquery. */
export function rewriteRangeFunction(fields: Fields): Node | undefined {
  const functions = fields['functions'] as { List?: { items?: unknown[] } }[] | undefined;
  if (!functions || functions.length !== 1) return undefined;
  const call = (functions[0]?.List?.items?.[0] as { FuncCall?: Fields } | undefined)?.FuncCall;
  if (!call) return undefined;
  const names = nameList(call['funcname']);
  const base = names[names.length - 1] ?? '';
  const alias = fields['alias'] as { aliasname?: string; colnames?: unknown[] } | undefined;
  if (base === 'pg_options_to_table') {
    // Used on a column of the outer query, which a DuckDB table macro cannot take.
    const args = (call['args'] as Node[] | undefined) ?? [];
    return {
      RangeSubselect: {
        lateral: true,
        subquery: expandTemplate(optionsToTable, args),
        alias: alias ?? { aliasname: 'pg_options_to_table' },
      },
    } as Node;
  }
  if (scalarSetFunctions.has(base) && alias?.aliasname && !alias.colnames) {
    // PostgreSQL: `FROM generate_series(1, 3) s` makes `s` the column; DuckDB needs s(s).
    alias.colnames = [str(alias.aliasname)];
  }
  return undefined;
}

/**
 * A select-list item that is a call of generate_series: PostgreSQL returns a row per
 * value (a set-returning function), DuckDB's scalar generate_series one list, so the
 * call is unnested. The item keeps the name it was given (nameUnnamedTargets ran first).
 */
export function rewriteSetReturningTarget(fields: Fields): void {
  const call = (fields['val'] as { FuncCall?: Fields } | undefined)?.FuncCall;
  if (!call) return;
  if (nameList(call['funcname']).at(-1) !== 'generate_series') return;
  fields['val'] = funcCall(['unnest'], [fields['val'] as Node]);
}
