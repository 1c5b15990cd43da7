/**
 * Words DuckDB reserves (for its own syntax: ASOF, PIVOT, QUALIFY, STRUCT, …) that
 * PostgreSQL does not, so pgsql-deparser leaves them unquoted: a column named `at` or `by`
 * is a syntax error in DuckDB unless quoted. The deparser takes no keyword list of another
 * dialect, so its one identifier-quoting function is wrapped, once, to quote these too;
 * quoting a lower-case identifier never changes what it names. The list is DuckDB's
 * non-unreserved keywords (duckdb_keywords()) that PostgreSQL's list leaves unquoted; a
 * test checks it against the DuckDB in use.
 */
import { QuoteUtils } from '@pgsql/quotes';

export const DUCKDB_ONLY_KEYWORDS: ReadonlySet<string> = new Set([
  'anti', 'asof', 'at', 'by', 'columns', 'describe', 'generated', 'glob', 'grouping_id', 'lambda', 'map', 'pivot',
  'pivot_longer', 'pivot_wider', 'positional', 'qualify', 'semi', 'show', 'struct', 'summarize', 'try_cast', 'unpack', 'unpivot',
]);

let installed = false;

export function quoteDuckDbKeywords(): void {
  if (installed) return;
  installed = true;
  const original = QuoteUtils.quoteIdentifier.bind(QuoteUtils);
  QuoteUtils.quoteIdentifier = (ident: string): string => (DUCKDB_ONLY_KEYWORDS.has(ident) ? `"${ident}"` : original(ident));
}
