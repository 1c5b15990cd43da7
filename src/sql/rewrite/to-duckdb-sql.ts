/**
 * The rewrite of a SELECT-like statement (SELECT, VALUES, WITH, and the query inside
 * DECLARE, COPY and EXPLAIN) from PostgreSQL's AST to SQL text that DuckDB runs against
 * the catalog emulation. User queries over ordinary tables change only where PostgreSQL
 * and DuckDB disagree (regex operators, catalog types); parameters $n are kept.
 */
import type { Node } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import { walk } from './ast-walk.js';
import { rewriteRangeFunction, rewriteRangeVar, rewriteSetReturningTarget } from './catalog-relations.js';
import { rewriteFuncCall, rewriteSqlValueFunction, type SessionValues } from './catalog-functions.js';
import { rewriteAExpr } from './operators.js';
import { rewriteCollateClause, rewriteTypeCast } from './casts.js';
import { unwrap, type Fields } from './nodes.js';
import { nameUnnamedTargets } from './column-names.js';
import { rewriteTableOid } from './system-columns.js';
import { typeBareNullTargets } from './null-targets.js';
import { rewriteRegprocComparison } from './regproc-columns.js';
import { quoteDuckDbKeywords } from './duckdb-keywords.js';

quoteDuckDbKeywords();

/**
 * A parsed statement (SqlStatement), a wrapped libpg-query node ({ SelectStmt: … }, as the
 * engine's QueryAst holds it) or a { RawStmt: … }.
 */
export type RewriteInput = { readonly ast: Node } | Node | Readonly<Record<string, unknown>>;

export function toDuckDbSql(input: RewriteInput, session?: SessionValues): string {
  const tree = structuredClone(statementNode(input));
  nameUnnamedTargets(tree);
  rewriteTableOid(tree);
  typeBareNullTargets(tree);
  const cteNames = collectCteNames(tree);
  const rewritten = walk(tree, (type, fields) => {
    switch (type) {
      case 'RangeVar':
        rewriteRangeVar(fields, cteNames);
        return undefined;
      case 'RangeFunction':
        return rewriteRangeFunction(fields);
      case 'FuncCall':
        return rewriteFuncCall(fields, session);
      case 'SQLValueFunction':
        return rewriteSqlValueFunction(fields, session);
      case 'A_Expr':
        rewriteRegprocComparison(fields);
        return rewriteAExpr(fields);
      case 'TypeCast':
        return rewriteTypeCast(fields);
      case 'CollateClause':
        return rewriteCollateClause(fields);
      case 'ResTarget':
        rewriteSetReturningTarget(fields);
        return undefined;
      default:
        return undefined;
    }
  }) as Node;
  return deparseSync(rewritten, { pretty: false });
}

function statementNode(input: RewriteInput): Node {
  if ('ast' in input && input['ast']) return input['ast'] as Node;
  const raw = (input as { RawStmt?: { stmt?: Node } }).RawStmt;
  if (raw?.stmt) return raw.stmt;
  return input as Node;
}

function collectCteNames(tree: unknown): Set<string> {
  const names = new Set<string>();
  walk(tree, (type: string, fields: Fields) => {
    if (type === 'CommonTableExpr' && typeof fields['ctename'] === 'string') names.add(fields['ctename']);
    return undefined;
  });
  return names;
}

