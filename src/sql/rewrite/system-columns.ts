/**
 * PostgreSQL's system column `tableoid` on catalog relations (psql's \des+, \dew+ join
 * pg_description on `d.classoid = s.tableoid`). The emulation's tables have no system
 * columns, so `alias.tableoid` becomes `'pg_x'::regclass`, the OID of the relation the
 * alias names, which the cast rewrite then resolves in the emulated pg_class.
 */
import type { Node } from 'libpg-query';
import { walk } from './ast-walk.js';
import { emulatedRelations } from './emulation.js';
import { stringConst, typeCast, type Fields } from './nodes.js';

export function rewriteTableOid(tree: unknown): void {
  const relationOf = new Map<string, string>();
  walk(tree, (type, fields) => {
    if (type !== 'RangeVar') return undefined;
    const schema = fields['schemaname'] as string | undefined;
    const name = fields['relname'] as string | undefined;
    if (!name || (schema !== undefined && schema !== 'pg_catalog') || !emulatedRelations.has(name)) return undefined;
    const alias = (fields['alias'] as { aliasname?: string } | undefined)?.aliasname ?? name;
    relationOf.set(alias, name);
    return undefined;
  });
  if (relationOf.size === 0) return;
  walk(tree, (type, fields: Fields) => {
    if (type !== 'ColumnRef') return undefined;
    const parts = ((fields['fields'] as { String?: { sval?: string } }[] | undefined) ?? []).map((f) => f.String?.sval);
    if (parts[parts.length - 1] !== 'tableoid') return undefined;
    const relation = parts.length === 2 ? relationOf.get(parts[0]!) : parts.length === 1 && relationOf.size === 1 ? [...relationOf.values()][0] : undefined;
    return relation ? (typeCast(stringConst(`pg_catalog.${relation}`), 'regclass') as Node) : undefined;
  });
}
