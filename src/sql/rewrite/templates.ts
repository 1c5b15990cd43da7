/**
 * SQL templates parsed with the PostgreSQL grammar and filled with AST arguments: a
 * rewrite that needs a whole subquery writes it as SQL, with $1, $2 … for the arguments.
 */
import { parseSync, type Node } from 'libpg-query';
import { walk } from './ast-walk.js';

const cache = new Map<string, Node>();

/** The SelectStmt of `sql` with ParamRef $n replaced by a copy of args[n-1]. */
export function expandTemplate(sql: string, args: readonly Node[]): Node {
  let template = cache.get(sql);
  if (!template) {
    template = parseSync(sql).stmts![0]!.stmt as Node;
    cache.set(sql, template);
  }
  return walk(structuredClone(template), (type, fields) => {
    if (type !== 'ParamRef') return undefined;
    const arg = args[(fields['number'] as number) - 1];
    return arg === undefined ? undefined : structuredClone(arg);
  }) as Node;
}
