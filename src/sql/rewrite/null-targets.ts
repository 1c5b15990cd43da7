/**
 * PostgreSQL resolves a bare NULL in a select list to text (`SELECT NULL AS "SCOPE"` is a
 * text column); DuckDB types it INTEGER. Outside set operations, where the other branch
 * decides the type, such a target becomes `NULL::text`.
 */
import { walk } from './ast-walk.js';
import { typeCast, unwrap, type Fields } from './nodes.js';

export function typeBareNullTargets(tree: unknown): void {
  const branches = new Set<unknown>();
  walk(tree, (type, fields) => {
    if (type === 'SelectStmt' && fields['op'] && fields['op'] !== 'SETOP_NONE') {
      for (const side of ['larg', 'rarg']) if (fields[side]) branches.add(fields[side]);
    }
    return undefined;
  });
  walk(tree, (type, fields) => {
    if (type !== 'SelectStmt' || branches.has(fields) || !Array.isArray(fields['targetList'])) return undefined;
    for (const target of fields['targetList'] as unknown[]) {
      const res = unwrap(target);
      if (!res || res[0] !== 'ResTarget') continue;
      const value = unwrap(res[1]['val']);
      if (value && value[0] === 'A_Const' && (value[1] as Fields)['isnull'] === true) {
        res[1]['val'] = typeCast(res[1]['val'] as never, 'text');
      }
    }
    return undefined;
  });
}
