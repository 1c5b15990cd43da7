/**
 * PostgreSQL names an output column the client did not name after what computes it
 * (count(*) → "count", x::int4 → "x", 'a'::text → "text", 1 → "?column?"). DuckDB names
 * them differently ("count_star()"), so every unnamed target gets PostgreSQL's name as an
 * explicit alias before the rewrite. Mirrors FigureColnameInternal in PostgreSQL's
 * parse_target.c.
 */
import { walk } from './ast-walk.js';
import { nameList, unwrap, type Fields } from './nodes.js';

export function nameUnnamedTargets(tree: unknown): void {
  walk(tree, (type, fields) => {
    if (type !== 'SelectStmt' || !Array.isArray(fields['targetList'])) return undefined;
    for (const target of fields['targetList'] as unknown[]) {
      const res = unwrap(target);
      if (!res || res[0] !== 'ResTarget') continue;
      const t = res[1];
      // DuckDB already names a plain column reference after the column.
      if (t['name'] !== undefined || isStar(t['val']) || unwrap(t['val'])?.[0] === 'ColumnRef') continue;
      t['name'] = figureName(t['val'])[0];
    }
    return undefined;
  });
}

function isStar(val: unknown): boolean {
  const node = unwrap(val);
  if (!node || node[0] !== 'ColumnRef') return false;
  const fields = node[1]['fields'];
  return Array.isArray(fields) && fields.some((f) => typeof f === 'object' && f !== null && 'A_Star' in f);
}

const SQL_VALUE_NAMES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** [name, strength]: 2 is a real name, 1 a weak one (a type name may replace it), 0 none. */
function figureName(val: unknown): [string, number] {
  const node = unwrap(val);
  if (!node) return ['?column?', 0];
  const [type, f] = node as [string, Fields];
  switch (type) {
    case 'ColumnRef': {
      const names = nameList(f['fields']).filter(Boolean);
      return names.length ? [names[names.length - 1]!, 2] : ['?column?', 0];
    }
    case 'A_Indirection': {
      const indirection = Array.isArray(f['indirection']) ? (f['indirection'] as unknown[]) : [];
      for (let i = indirection.length - 1; i >= 0; i--) {
        const item = unwrap(indirection[i]);
        if (item && item[0] === 'String') return [String(item[1]['sval']), 2];
        if (item && item[0] !== 'A_Indices') break;
      }
      return figureName(f['arg']);
    }
    case 'FuncCall': {
      const names = nameList(f['funcname']);
      return [names[names.length - 1] ?? '?column?', 2];
    }
    case 'A_Expr':
      return f['kind'] === 'AEXPR_NULLIF' ? ['nullif', 2] : ['?column?', 0];
    case 'TypeCast': {
      const [name, strength] = figureName(f['arg']);
      if (strength > 1) return [name, strength];
      const typeNames = nameList((f['typeName'] as Fields | undefined)?.['names']);
      return typeNames.length ? [typeNames[typeNames.length - 1]!, 1] : [name, strength];
    }
    case 'CollateClause':
      return figureName(f['arg']);
    case 'GroupingFunc':
      return ['grouping', 2];
    case 'SubLink': {
      if (f['subLinkType'] === 'EXISTS_SUBLINK') return ['exists', 2];
      if (f['subLinkType'] === 'ARRAY_SUBLINK') return ['array', 2];
      if (f['subLinkType'] === 'EXPR_SUBLINK') {
        const sub = unwrap(f['subselect']);
        const first = sub && Array.isArray(sub[1]['targetList']) ? unwrap((sub[1]['targetList'] as unknown[])[0]) : undefined;
        if (first && typeof first[1]['name'] === 'string') return [first[1]['name'] as string, 2];
        if (first) return figureName(first[1]['val']);
      }
      return ['?column?', 0];
    }
    case 'CaseExpr': {
      // PostgreSQL names a CASE after its ELSE result when that has a real name.
      const [name, strength] = figureName(f['defresult']);
      return strength > 1 ? [name, strength] : ['case', 1];
    }
    case 'A_ArrayExpr':
      return ['array', 2];
    case 'RowExpr':
      return ['row', 2];
    case 'CoalesceExpr':
      return ['coalesce', 2];
    case 'MinMaxExpr':
      return [f['op'] === 'IS_GREATEST' ? 'greatest' : 'least', 2];
    case 'SQLValueFunction':
      return [SQL_VALUE_NAMES[String(f['op'])] ?? '?column?', 2];
    default:
      return ['?column?', 0];
  }
}
