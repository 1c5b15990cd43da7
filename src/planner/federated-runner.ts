/**
 * Runs queries over federated tables whose columns are public (issue 4's first planner
 * slice). For each reference to a federated table, every partition's party runs one
 * fragment: the columns the query uses and the WHERE conjuncts it can evaluate alone
 * (pushdown-filter.ts). The gateway loads the fragments' rows into work tables of its
 * in-process DuckDB, with the partition key filled in, and runs the whole query there.
 * The gateway re-applies the complete WHERE, so a conjunct pushed down only saves work.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { FieldDescription } from '../server/engine.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { SessionValues } from '../sql/index.js';
import type { PreparedQuery, QueryAst, QueryRunner, RowSource } from '../engine/query-runner.js';
import { DuckDbRunner } from '../engine/duckdb-runner.js';
import { duckDbTypeName, valueAppender } from '../engine/duckdb-append.js';
import { defaultCodecContext, textDecoder } from '../sql/types/index.js';
import { columnsOfExpr, type Expr, type Fragment } from './fragment.js';
import { DuckDbDialect } from '../../dialect/index.js';
import { conjuncts, toFragmentExpr } from './pushdown-filter.js';
import type { FederatedTable, FederationSource, FederationView, PartyDirectory } from './federation.js';

type Node = Record<string, any>;

const WORK_SCHEMA = 'c2d_work';
const duckdb = new DuckDbDialect();

/** One reference to a federated table in a query, and what its partitions are asked for. */
interface TableUse {
  range: Node;
  table: FederatedTable;
  /** Columns fetched from the parties (the partition key is filled in at the gateway). */
  columns: string[];
  pushed: Expr[];
}

export class FederatedRunner implements QueryRunner {
  private readonly duck: DuckDbRunner;
  private nextId = 0;
  private schemaReady: Promise<void> | null = null;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly federation: FederationSource,
  ) {
    this.duck = new DuckDbRunner(instance);
  }

  async prepare(query: QueryAst, paramTypes: readonly number[], session: SessionValues): Promise<PreparedQuery> {
    const { view, parties } = await this.federation();
    const uses = this.analyze(query, view);
    if (uses.length === 0) return this.duck.prepare(query, paramTypes, session);
    // Types come from preparing the query over empty work tables of the right shape.
    const probe = await this.createWorkTables(uses);
    let described: PreparedQuery;
    try {
      described = await this.duck.prepare(rewrite(query, uses, probe), paramTypes, session);
      described.close();
    } finally {
      await this.dropWorkTables(probe);
    }
    return {
      paramTypes: described.paramTypes,
      fields: described.fields,
      open: (params, signal) => this.open(query, uses, parties, paramTypes, session, described.fields, params, signal),
      close: () => {},
    };
  }

  async explain(query: QueryAst, session: SessionValues): Promise<string[]> {
    const uses = this.analyze(query, (await this.federation()).view);
    const lines: string[] = [];
    for (const use of uses) {
      for (const p of use.table.partitions) {
        lines.push(`Fragment at party ${p.party}: ${JSON.stringify(fragmentFor(use, p.exportedTable), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      }
    }
    if (uses.length === 0) return this.duck.explain(query, session);
    lines.push('Gateway: the rest of the query on the fragments’ rows');
    return lines;
  }

  async close(): Promise<void> {}

  private async open(
    query: QueryAst,
    uses: TableUse[],
    parties: PartyDirectory,
    paramTypes: readonly number[],
    session: SessionValues,
    fields: readonly FieldDescription[],
    params: readonly unknown[],
    signal: AbortSignal,
  ): Promise<RowSource> {
    const names = await this.createWorkTables(uses);
    try {
      await Promise.all(uses.map((use, i) => this.load(use, names[i]!, parties, signal)));
      const prepared = await this.duck.prepare(rewrite(query, uses, names), paramTypes, session);
      const source = await prepared.open(params, signal);
      return {
        fields,
        fetch: (maxRows, s) => source.fetch(maxRows, s),
        ...(source.fetchColumns ? { fetchColumns: (s: AbortSignal) => source.fetchColumns!(s) } : {}),
        close: async () => {
          await source.close();
          prepared.close();
          await this.dropWorkTables(names);
        },
      };
    } catch (error) {
      await this.dropWorkTables(names);
      throw error;
    }
  }

  /** Fetches every partition's fragment into one work table. */
  private async load(use: TableUse, workTable: string, parties: PartyDirectory, signal: AbortSignal): Promise<void> {
    const connection = await this.instance.connect();
    try {
      const appender = await connection.createAppender(workTable, WORK_SCHEMA);
      const layout = workColumns(use).map((name) => {
        const column = columnOf(use.table, name);
        return { append: valueAppender(column.typeOid), decode: textDecoder(column.typeOid), source: use.columns.indexOf(name) };
      });
      const streams = await Promise.all(use.table.partitions.map((p) => parties.execute(p.party, fragmentFor(use, p.exportedTable), signal)));
      for (const [i, stream] of streams.entries()) {
        const partition = use.table.partitions[i]!;
        // The partition key is not stored at the party: every row of the partition has its value.
        const key = layout.find((l) => l.source < 0);
        const keyValue = partition.value === null || key === undefined ? null : key.decode(partition.value, defaultCodecContext);
        for await (const batch of stream.batches()) {
          for (let r = 0; r < batch.rowCount; r++) {
            for (const { append, source } of layout) {
              const v = source < 0 ? keyValue : batch.columns[source]![r];
              if (v === null || v === undefined) appender.appendNull();
              else append(appender, v);
            }
            appender.endRow();
          }
        }
      }
      appender.closeSync();
    } finally {
      connection.closeSync();
    }
  }

  private analyze(query: QueryAst, federation: FederationView): TableUse[] {
    const uses: TableUse[] = [];
    const referenced = referencedColumnNames(query);
    const top = (query as Node)['SelectStmt'] as Node | undefined;
    const topFrom: Node[] = top?.fromClause ?? [];
    const where = conjuncts(top?.whereClause);
    for (const range of rangeVars(query)) {
      const table = federation.table(range.schemaname, range.relname);
      if (!table) continue;
      if (table.columns.some((c) => c.typeOid === 0)) throw new PgError(SqlState.internalError, `table "${table.name}" has a column of unknown type`);
      const stored = table.columns.filter((c) => c.name !== table.partitionKey).map((c) => c.name);
      const wanted = referenced === 'all' ? stored : stored.filter((c) => referenced.has(c));
      const columns = wanted.length > 0 ? wanted : stored.slice(0, 1);
      const isTopLevel = topFrom.some((item) => item['RangeVar'] === range);
      const pushed: Expr[] = [];
      if (isTopLevel) {
        const types = new Map(table.columns.filter((c) => c.name !== table.partitionKey).map((c) => [c.name, c.typeOid]));
        const target = { reference: range.alias?.aliasname ?? range.relname, columns: types, soleTable: topFrom.length === 1 };
        for (const part of where) {
          const expr = toFragmentExpr(part, target);
          if (expr && [...columnsOfExpr(expr)].every((c) => columns.includes(c))) pushed.push(expr);
        }
      }
      uses.push({ range, table, columns, pushed });
    }
    return uses;
  }

  private async createWorkTables(uses: TableUse[]): Promise<string[]> {
    const connection = await this.instance.connect();
    try {
      this.schemaReady ??= connection.run(`CREATE SCHEMA IF NOT EXISTS ${WORK_SCHEMA}`).then(() => undefined);
      await this.schemaReady;
      const names: string[] = [];
      for (const use of uses) {
        const name = `f${++this.nextId}`;
        const columns = workColumns(use).map((c) => {
          const col = columnOf(use.table, c);
          return `${duckdb.quoteIdentifier(c)} ${duckDbTypeName(col.typeOid, col.typmod)}`;
        });
        await connection.run(`CREATE TABLE ${WORK_SCHEMA}.${name} (${columns.join(', ')})`);
        names.push(name);
      }
      return names;
    } finally {
      connection.closeSync();
    }
  }

  private async dropWorkTables(names: string[]): Promise<void> {
    const connection = await this.instance.connect();
    try {
      for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${WORK_SCHEMA}.${name}`);
    } finally {
      connection.closeSync();
    }
  }
}

function columnOf(table: FederatedTable, name: string): { typeOid: number; typmod: number } {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new PgError(SqlState.undefinedColumn, `column "${name}" does not exist`);
  return column;
}

/** The work table's columns: the fetched ones and the partition key, in the table's order. */
function workColumns(use: TableUse): string[] {
  return use.table.columns.map((c) => c.name).filter((name) => name === use.table.partitionKey || use.columns.includes(name));
}

function fragmentFor(use: TableUse, exportedTable: string): Fragment {
  return {
    table: { schema: '', name: exportedTable },
    output: use.columns.map((c) => ({ kind: 'expr', expr: { kind: 'column', name: c }, alias: c })),
    where: use.pushed.length === 0 ? null : use.pushed.length === 1 ? use.pushed[0]! : { kind: 'and', args: use.pushed },
    groupBy: [],
    orderBy: [],
    limit: null,
  };
}

/** The query with each federated table reference pointing at its work table (keeping its name as alias). */
function rewrite(query: QueryAst, uses: TableUse[], names: string[]): QueryAst {
  const replacements = new Map(uses.map((u, i) => [u.range, names[i]!]));
  const copy = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(copy);
    if (node === null || typeof node !== 'object') return node;
    const replaced = replacements.get(node as Node);
    if (replaced !== undefined) {
      const range = node as Node;
      return { ...range, schemaname: WORK_SCHEMA, relname: replaced, alias: range.alias ?? { aliasname: range.relname } };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, copy(v)]));
  };
  return copy(query) as QueryAst;
}

/** RangeVar nodes (table references) anywhere in the query, except references to its CTEs. */
function rangeVars(query: QueryAst): Node[] {
  const ctes = new Set<string>();
  const out: Node[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n['CommonTableExpr']?.ctename) ctes.add(n['CommonTableExpr'].ctename);
    if (n['RangeVar']) {
      const r = n['RangeVar'];
      if (!(r.schemaname === undefined && ctes.has(r.relname))) out.push(r);
      return;
    }
    Object.values(n).forEach(visit);
  };
  visit(query);
  return out;
}

/** Column names the query mentions, or 'all' when a `*` may expand to any column. */
function referencedColumnNames(query: QueryAst): Set<string> | 'all' {
  const names = new Set<string>();
  let star = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n['ColumnRef']) {
      const fields = n['ColumnRef'].fields as Node[];
      if (fields.some((f) => 'A_Star' in f)) star = true;
      const last = fields.at(-1)?.['String']?.sval;
      if (typeof last === 'string') names.add(last);
      return;
    }
    Object.values(n).forEach(visit);
  };
  visit(query);
  return star ? 'all' : names;
}
