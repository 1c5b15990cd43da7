/**
 * Runs queries over federated tables whose columns are public. For each reference to a
 * federated table, the partitions the WHERE does not rule out (partition-pruning.ts) each
 * have their party run one fragment: the columns the query uses and the WHERE conjuncts it
 * can evaluate alone (pushdown-filter.ts); for an aggregate over one table, the party's
 * partial aggregates (partial-aggregate.ts); for a LIMIT, the party's first rows. The
 * gateway loads the fragments' rows into work tables of its in-process DuckDB, with the
 * partition key filled in, and runs the rest of the query there. Unless a fragment
 * aggregated, the gateway re-applies the complete WHERE, so a pushed conjunct only saves work.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { FieldDescription } from '../server/engine.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { parseStatements, toDuckDbSql, type SessionValues } from '../sql/index.js';
import type { PreparedQuery, QueryAst, QueryRunner, RowSource } from '../engine/query-runner.js';
import { DuckDbRunner } from '../engine/duckdb-runner.js';
import { duckDbTypeName, valueAppender } from '../engine/duckdb-append.js';
import { defaultCodecContext, formatType, textDecoder, textEncoder, TypeOid } from '../sql/types/index.js';
import { columnsOfExpr, type Expr, type Fragment, type OrderItem } from './fragment.js';
import { DuckDbDialect, emitFragment, PostgresDialect, SparkDialect, type SqlDialect } from '../../dialect/index.js';
import { partitionTest, type PartitionTest } from './partition-pruning.js';
import { isAggregateName, planPartialAggregate, tableSource, type SecurePartials } from './partial-aggregate.js';
import { computePartiesOf, secureAggregate } from './secure-aggregate.js';
import { explainSecureDistinct, planSecureDistinct, prepareSecureDistinct } from './secure-distinct.js';
import { runsReplicated, secureMpcAggregate, secureMpcExplainLine } from './secure-mpc.js';
import { JOIN_ALIAS, joinSource, planJoinPushdown, unitsFor, type JoinPushdown } from './join-pushdown.js';
import { conjuncts, toFragmentExpr } from './pushdown-filter.js';
import { constantInt, ORDERABLE, planWholeQuery, type WholeQuery } from './whole-query.js';
import { streamRowSource } from './stream-row-source.js';
import type { FederatedPartition, FederatedTable, FederationSource, FederationView, PartyDirectory } from './federation.js';
import type { FragmentStream } from '../../connectors/connector.js';

type Node = Record<string, any>;

const WORK_SCHEMA = 'c2d_work';
const duckdb = new DuckDbDialect();
const postgres = new PostgresDialect();

function dialectFor(engine: string): SqlDialect | null {
  return engine === 'duckdb' ? duckdb : engine === 'postgres' ? postgres : engine === 'spark' ? new SparkDialect() : null;
}

/** A column of a work table: the partition key (filled in at the gateway) or a fragment output. */
interface WorkColumn {
  name: string;
  typeOid: number;
  typmod: number;
  source: number | 'key';
}

/** One reference to a federated table in a query, and what its partitions are asked for. */
interface TableUse {
  range: Node;
  table: FederatedTable;
  /** What each remaining partition's party runs (its table filled in per partition). */
  fragment: Omit<Fragment, 'table'>;
  work: WorkColumn[];
  /** Partitions must pass all of these to be asked. */
  prune: PartitionTest[];
  /** Set when the partial aggregates are secret-shared (an aggregate reads a protected column). */
  secure: SecurePartials | null;
  /** Set when the use is a join of several tables pushed down to the parties (join-pushdown.ts). */
  join?: JoinPushdown;
  /** Set when the whole query can run at a partition's party, if the WHERE leaves only one (whole-query.ts). */
  whole?: WholeQuery;
}

/** A query planned over one version of the catalog. */
interface Planned {
  query: QueryAst;
  plan: QueryPlan;
  described: Pick<PreparedQuery, 'paramTypes' | 'fields'>;
}

interface QueryPlan {
  uses: TableUse[];
  /** Nodes of the query replaced in the gateway's part (aggregates by their combination). */
  replacements: Map<Node, Node>;
  /**
   * When the parties applied the whole WHERE and aggregated, the gateway keeps only the
   * conjuncts on the partition key (its work table has the key; parameters stay bound).
   */
  gatewayWhere: Node[] | null;
}

export class FederatedRunner implements QueryRunner {
  private readonly duck: DuckDbRunner;
  private nextId = 0;
  private schemaReady: Promise<void> | null = null;
  private readonly shapes = new Map<string, Promise<string>>();
  private readonly described = new Map<string, Pick<PreparedQuery, 'paramTypes' | 'fields'>>();
  private readonly plans = new WeakMap<FederationView, Map<string, Planned | null>>();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly federation: FederationSource,
  ) {
    this.duck = new DuckDbRunner(instance);
  }

  async prepare(query: QueryAst, paramTypes: readonly number[], session: SessionValues): Promise<PreparedQuery> {
    const { view, parties } = await this.federation();
    const distinct = planSecureDistinct(query, view);
    if (distinct) return prepareSecureDistinct(this.duck, distinct, parties, session);
    const planned = await this.planned(view, query, paramTypes, session);
    if (planned === null) return this.duck.prepare(query, paramTypes, session);
    const { query: planQuery, plan, described } = planned;
    return {
      paramTypes: described.paramTypes,
      fields: described.fields,
      open: (params, signal) => this.open(planQuery, plan, parties, paramTypes, session, described.fields, params, signal),
      close: () => {},
    };
  }

  /**
   * The query's plan and result description, or null when it reads no federated table.
   * Remembered per catalog version by the query's parse tree (and the user, which
   * current_user puts into it), so a query that comes again is planned once; queries that
   * read settings are planned each time. The remembered parse tree is used with its plan,
   * since the plan refers to its nodes.
   */
  private async planned(view: FederationView, query: QueryAst, paramTypes: readonly number[], session: SessionValues): Promise<Planned | null> {
    const text = JSON.stringify(query);
    const cacheable = !text.includes('"current_setting"');
    let plans = this.plans.get(view);
    if (!plans) this.plans.set(view, (plans = new Map()));
    const key = `${paramTypes.join(',')}|${session.user}|${text}`;
    const known = cacheable ? plans.get(key) : undefined;
    if (known !== undefined) return known;
    const plan = analyze(query, view);
    let planned: Planned | null = null;
    if (plan.uses.length > 0) {
      // Types come from preparing the query over empty tables of the work tables' shape.
      const shapes = (await this.shapeTables(plan.uses)).map((name): GatewayInput => ({ kind: 'table', name }));
      planned = { query, plan, described: await this.describe(gatewayQuery(query, plan, shapes), paramTypes, session) };
    }
    if (cacheable) {
      if (plans.size >= PLAN_CACHE) plans.delete(plans.keys().next().value!);
      plans.set(key, planned);
    }
    return planned;
  }

  async explain(query: QueryAst, session: SessionValues): Promise<string[]> {
    const { view, parties } = await this.federation();
    const distinct = planSecureDistinct(query, view);
    if (distinct) return explainSecureDistinct(distinct, parties);
    const plan = analyze(query, view);
    if (plan.uses.length === 0) return this.duck.explain(query, session);
    const lines: string[] = [];
    const describeEngine = async (party: string): Promise<{ label: string; dialect: SqlDialect }> => {
      const engine = parties.engineOf ? await parties.engineOf(party).catch(() => null) : null;
      return { label: engine ? ` (${engine})` : '', dialect: (engine && dialectFor(engine)) || postgres };
    };
    const whole = wholeAt(plan, []);
    if (whole) {
      const { label, dialect } = await describeEngine(whole.party);
      lines.push(`Query at party ${whole.party}${label}, whole: ${emitFragment(dialect, whole.fragment)}`);
      if (whole.offset > 0) lines.push(`Gateway: skips the first ${whole.offset} rows, then passes the party's rows on`);
      else lines.push(`Gateway: passes the party's rows on`);
      return lines;
    }
    for (const use of plan.uses) {
      if (use.join) {
        const asked = unitsFor(use.join, []);
        for (const unit of use.join.units.filter((u) => !asked.includes(u))) lines.push(`Join of ${use.join.tables.map((t) => t.table.name).join(', ')} at party ${unit.party}: pruned by the WHERE clause`);
        for (const unit of asked) {
          const { label, dialect } = await describeEngine(unit.party);
          lines.push(`Join fragment at party ${unit.party}${label}: ${emitFragment(dialect, joinFragment(use, use.join, unit.partitions))}`);
        }
        continue;
      }
      for (const p of use.table.partitions) {
        if (!use.prune.every((test) => test(p.value, []))) {
          lines.push(`Partition of ${use.table.name} at party ${p.party}: pruned by the WHERE clause`);
          continue;
        }
        const { label, dialect } = await describeEngine(p.party);
        const kind = use.secure ? 'Secure fragment' : 'Fragment';
        lines.push(`${kind} at party ${p.party}${label}: ${emitFragment(dialect, fragmentFor(use, p.exportedTable))}`);
      }
      if (use.secure && runsReplicated(use.secure, use.table.partitions)) {
        lines.push(secureMpcExplainLine(use.table.partitions, parties));
      } else if (use.secure) {
        const compute = computePartiesOf(use.table.partitions);
        lines.push(`Secure aggregation: each party secret-shares its partial aggregates (additive, Z_2^64) to compute parties ${compute.join(', ')}; only per-group totals are revealed, to the gateway`);
      }
    }
    const inputs = plan.uses.map((u): GatewayInput => ({ kind: 'table', name: u.table.name }));
    lines.push(`Gateway (DuckDB) over the fragments' rows: ${toDuckDbSql(gatewayQuery(query, plan, inputs), session)}`);
    return lines;
  }

  async close(): Promise<void> {}

  private async open(
    query: QueryAst,
    plan: QueryPlan,
    parties: PartyDirectory,
    paramTypes: readonly number[],
    session: SessionValues,
    fields: readonly FieldDescription[],
    params: readonly unknown[],
    signal: AbortSignal,
  ): Promise<RowSource> {
    const whole = wholeAt(plan, params);
    if (whole) {
      const stream = await parties.execute(whole.party, whole.fragment, signal);
      try {
        return streamRowSource(stream, fields, whole.offset, signal);
      } catch (error) {
        await stream.close();
        throw error;
      }
    }
    const requests = plan.uses.map((use) => (use.secure ? Promise.resolve([]) : requestFragments(use, parties, params, signal)));
    // Handled below (awaited, or closed in the catch); this keeps an early failure from counting as unhandled.
    for (const request of requests) request.catch(() => {});
    const inputs: GatewayInput[] = [];
    const dropTables = (): Promise<void> => this.dropWorkTables(inputs.flatMap((i) => (i.kind === 'table' ? [i.name] : [])));
    try {
      for (const [i, use] of plan.uses.entries()) {
        if (use.secure) {
          const partitions = use.table.partitions.filter((p) => use.prune.every((test) => test(p.value, params)));
          const secureUse = { fragment: use.fragment, secure: use.secure, work: use.work, partitions, allPartitions: use.table.partitions, exportedTable: (p: FederatedPartition) => p.exportedTable };
          const rows = runsReplicated(use.secure, use.table.partitions) ? await secureMpcAggregate(secureUse, parties) : await secureAggregate(secureUse, parties);
          inputs.push(await this.receive(use, [{ rows }]));
        } else {
          inputs.push(await this.receive(use, await requests[i]!));
        }
      }
      const prepared = await this.duck.prepare(gatewayQuery(query, plan, inputs), paramTypes, session);
      const source = await prepared.open(params, signal);
      return {
        fields,
        fetch: (maxRows, s) => source.fetch(maxRows, s),
        ...(source.fetchColumns ? { fetchColumns: (s: AbortSignal) => source.fetchColumns!(s) } : {}),
        close: async () => {
          await source.close();
          prepared.close();
          await dropTables();
        },
      };
    } catch (error) {
      await Promise.all(requests.map((r) => r.then((answers) => Promise.all(answers.map((a) => a.stream?.close())), () => {})));
      await dropTables();
      throw error;
    }
  }

  /**
   * Reads the partitions' answers. A few rows (partial aggregates, first rows) go into the
   * gateway's query as a VALUES list; more go through an appender into a work table. The
   * VALUES path makes no table: DuckDB serialises DDL, which concurrent queries would wait on.
   */
  private async receive(use: TableUse, answers: ReadonlyArray<PartitionAnswer | { rows: unknown[][] }>): Promise<GatewayInput> {
    const layout = use.work.map((column) => ({ append: valueAppender(column.typeOid), decode: textDecoder(column.typeOid), source: column.source }));
    const key = layout.find((l) => l.source === 'key');
    let rows: unknown[][] = [];
    let table: { name: string; connection: DuckDBConnection; appender: DuckDBAppender } | null = null;
    try {
      for (const answer of answers) {
        for await (const batch of batchesOf(answer, layout, key)) {
          if (table === null) {
            rows.push(...batch);
            if (rows.length <= INLINE_ROWS) continue;
            const [name] = await this.createWorkTables([use]);
            const connection = await this.instance.connect();
            table = { name: name!, connection, appender: await connection.createAppender(name!, WORK_SCHEMA) };
            for (const buffered of rows) appendRow(table.appender, layout, buffered);
            rows = [];
          } else {
            for (const row of batch) appendRow(table.appender, layout, row);
          }
        }
      }
      if (table === null) return { kind: 'values', node: valuesNode(use, rows) };
      table.appender.closeSync();
      return { kind: 'table', name: table.name };
    } catch (error) {
      if (table) await this.dropWorkTables([table.name]);
      throw error;
    } finally {
      table?.connection.closeSync();
    }
  }

  /**
   * The parameter and result types of the gateway's part of a query, from preparing it over
   * the shape tables; remembered by its SQL text (shape tables never change), so a query
   * that comes again is not prepared twice.
   */
  private async describe(query: QueryAst, paramTypes: readonly number[], session: SessionValues): Promise<Pick<PreparedQuery, 'paramTypes' | 'fields'>> {
    const key = `${paramTypes.join(',')}|${toDuckDbSql(query, session)}`;
    const known = this.described.get(key);
    if (known) return known;
    const prepared = await this.duck.prepare(query, paramTypes, session);
    prepared.close();
    const described = { paramTypes: prepared.paramTypes, fields: prepared.fields };
    if (this.described.size >= DESCRIBED_CACHE) this.described.delete(this.described.keys().next().value!);
    this.described.set(key, described);
    return described;
  }

  /**
   * Empty tables with the work tables' columns, made once per shape and kept: preparing a
   * query over them gives its result types without creating and dropping tables each time.
   */
  private shapeTables(uses: TableUse[]): Promise<string[]> {
    return Promise.all(
      uses.map((use) => {
        const columns = workColumnsSql(use);
        let name = this.shapes.get(columns);
        if (name === undefined) {
          // Remembered as a promise, so concurrent first queries of a shape make it once.
          const made = this.makeShapeTable(`shape${this.shapes.size + 1}`, columns);
          made.catch(() => this.shapes.delete(columns));
          this.shapes.set(columns, (name = made));
        }
        return name;
      }),
    );
  }

  private async makeShapeTable(name: string, columns: string): Promise<string> {
    const connection = await this.instance.connect();
    try {
      await this.ensureSchema(connection);
      await connection.run(`CREATE TABLE IF NOT EXISTS ${WORK_SCHEMA}.${name} (${columns})`);
      return name;
    } finally {
      connection.closeSync();
    }
  }

  private ensureSchema(connection: DuckDBConnection): Promise<void> {
    this.schemaReady ??= connection.run(`CREATE SCHEMA IF NOT EXISTS ${WORK_SCHEMA}`).then(() => undefined);
    return this.schemaReady;
  }

  private async createWorkTables(uses: TableUse[]): Promise<string[]> {
    const connection = await this.instance.connect();
    try {
      await this.ensureSchema(connection);
      const names: string[] = [];
      for (const use of uses) {
        const name = `f${++this.nextId}`;
        await connection.run(`CREATE TABLE ${WORK_SCHEMA}.${name} (${workColumnsSql(use)})`);
        names.push(name);
      }
      return names;
    } finally {
      connection.closeSync();
    }
  }

  private async dropWorkTables(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const connection = await this.instance.connect();
    try {
      for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${WORK_SCHEMA}.${name}`);
    } finally {
      connection.closeSync();
    }
  }
}

/** Batches of rows in work-table layout: a partition's stream (with the partition key filled in), or rows already laid out. */
async function* batchesOf(
  answer: PartitionAnswer | { rows: unknown[][] },
  layout: ReadonlyArray<{ source: number | 'key' }>,
  key: { decode: (text: string, ctx: typeof defaultCodecContext) => unknown } | undefined,
): AsyncIterable<unknown[][]> {
  if ('rows' in answer) {
    yield answer.rows;
    return;
  }
  // The partition key is not stored at the party: every row of the partition has its value.
  const keyValue = answer.partition.value === null || key === undefined ? null : key.decode(answer.partition.value, defaultCodecContext);
  for await (const batch of answer.stream.batches()) {
    const rows = new Array<unknown[]>(batch.rowCount);
    for (let r = 0; r < batch.rowCount; r++) rows[r] = layout.map(({ source }) => (source === 'key' ? keyValue : batch.columns[source]![r]));
    yield rows;
  }
}

interface PartitionAnswer {
  partition: FederatedPartition;
  stream: FragmentStream;
}

/**
 * Sends the fragment to every partition the WHERE does not rule out; resolves when all
 * have answered with their result header. If one fails, the others are closed.
 */
async function requestFragments(use: TableUse, parties: PartyDirectory, params: readonly unknown[], signal: AbortSignal): Promise<PartitionAnswer[]> {
  const requests = use.join
    ? unitsFor(use.join, params).map((unit) => ({ party: unit.party, partition: unit.partitions[0]!, fragment: joinFragment(use, use.join!, unit.partitions) }))
    : use.table.partitions
        .filter((p) => use.prune.every((test) => test(p.value, params)))
        .map((p) => ({ party: p.party, partition: p, fragment: fragmentFor(use, p.exportedTable) }));
  const partitions = requests.map((r) => r.partition);
  const settled = await Promise.allSettled(requests.map((r) => parties.execute(r.party, r.fragment, signal)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw failed.reason;
  }
  return settled.map((s, i) => ({ partition: partitions[i]!, stream: (s as PromiseFulfilledResult<FragmentStream>).value }));
}

/** Decides what each federated table reference asks its parties for. */
function analyze(query: QueryAst, federation: FederationView): QueryPlan {
  const plan: QueryPlan = { uses: [], replacements: new Map(), gatewayWhere: null };
  const join = planJoinPushdown(query as Node, federation, rangeVars(query));
  if (join) {
    const first = join.tables[0]!;
    for (const [from, to] of join.columnRefs) plan.replacements.set(from, to);
    // Grouping and aggregates go down with the join when the parties apply the whole WHERE.
    const source = joinSource(join);
    const aggregate = join.whereComplete ? planPartialAggregate((query as Node)['SelectStmt'], source) : null;
    const joined = new Map(join.tables.map((t) => [t.alias, new Map(t.table.columns.filter((c) => c.name !== t.table.partitionKey).map((c) => [c.name, c.typeOid]))]));
    const whole = join.whereComplete
      ? planWholeQuery((query as Node)['SelectStmt'], source, null, join.where, { reference: '', columns: new Map(), soleTable: false, tables: joined })
      : null;
    if (aggregate) {
      plan.uses.push({
        range: first.range,
        table: first.table,
        fragment: { output: aggregate.output, where: join.where, groupBy: aggregate.groupBy.map((name) => source.expr(name)), orderBy: [], limit: null },
        work: [...join.work.filter((c) => c.source === 'key'), ...aggregate.work.map((c, i) => ({ ...c, source: i }))],
        prune: [],
        secure: null,
        join,
        ...(whole ? { whole } : {}),
      });
      for (const [from, to] of aggregate.replacements) plan.replacements.set(from, to);
      plan.gatewayWhere = [];
      return plan;
    }
    plan.uses.push({
      range: first.range,
      table: first.table,
      fragment: { output: join.output, where: join.where, groupBy: [], orderBy: [], limit: null },
      work: join.work,
      prune: [],
      secure: null,
      join,
      ...(whole ? { whole } : {}),
    });
    return plan;
  }
  const top = (query as Node)['SelectStmt'] as Node | undefined;
  const topFrom: Node[] = top?.fromClause ?? [];
  const where = conjuncts(top?.whereClause);
  const ranges = rangeVars(query).map((range) => ({ range, table: federation.table(range.schemaname, range.relname) }));
  const referenced = referencedColumns(query, ranges.map((r) => r.table));
  for (const { range, table } of ranges) {
    if (!table) continue;
    if (table.columns.some((c) => c.typeOid === 0)) throw new PgError(SqlState.internalError, `table "${table.name}" has a column of unknown type`);
    const key = table.partitionKey;
    const stored = table.columns.filter((c) => c.name !== key).map((c) => c.name);
    const reference: string = range.alias?.aliasname ?? range.relname;
    const everyColumn = referenced.all || referenced.starOf.has(reference);
    const wanted = everyColumn ? stored : stored.filter((c) => referenced.names.has(c));
    const columns = wanted.length > 0 ? wanted : stored.slice(0, 1);
    const isTopLevel = topFrom.some((item) => item['RangeVar'] === range);
    const soleTable = isTopLevel && topFrom.length === 1 && ranges.length === 1;
    const pushed: Expr[] = [];
    const prune: PartitionTest[] = [];
    const keyConjuncts: Node[] = [];
    let wholeWhere = true;
    if (isTopLevel) {
      const types = new Map(table.columns.filter((c) => c.name !== key).map((c) => [c.name, c.typeOid]));
      const target = { reference, columns: types, soleTable: topFrom.length === 1 };
      const keyColumn = table.columns.find((c) => c.name === key);
      for (const part of where) {
        const test = keyColumn ? partitionTest(part, { reference, key: keyColumn.name, keyType: keyColumn.typeOid, soleTable: topFrom.length === 1 }) : null;
        if (test) {
          prune.push(test);
          keyConjuncts.push(part);
          continue;
        }
        const expr = toFragmentExpr(part, target);
        if (expr && [...columnsOfExpr(expr)].every((c) => columns.includes(c))) pushed.push(expr);
        else wholeWhere = false;
      }
    }
    const filter: Expr | null = pushed.length === 0 ? null : pushed.length === 1 ? pushed[0]! : { kind: 'and', args: pushed };
    const keyWork: WorkColumn[] = table.columns.filter((c) => c.name === key).map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typmod, source: 'key' }));
    const aggregate = soleTable && wholeWhere ? planPartialAggregate(top!, tableSource(table, reference)) : null;
    const whole =
      soleTable && wholeWhere && !aggregate?.secure
        ? planWholeQuery(top!, tableSource(table, reference), table.partitionKey === null ? table.columns : null, filter, {
            reference,
            columns: new Map(table.columns.filter((c) => c.name !== key).map((c) => [c.name, c.typeOid])),
            soleTable: true,
          })
        : null;
    if (aggregate) {
      // Secure partials are combined across partitions before the gateway sees them, unless
      // the query groups by the partition key: per-partition totals are then the answer,
      // otherwise they would be more than it. Conditions on the key prune exactly (a
      // partition is in or out as a whole), so the gateway need not test them again.
      const perPartition = !aggregate.secure || aggregate.groupsByKey;
      plan.uses.push({
        range,
        table,
        fragment: { output: aggregate.output, where: filter, groupBy: aggregate.groupBy.map((name) => ({ kind: 'column', name })), orderBy: [], limit: null },
        work: [...(perPartition ? keyWork : []), ...aggregate.work.map((c, i) => ({ ...c, source: i }))],
        prune,
        secure: aggregate.secure,
        ...(whole ? { whole } : {}),
      });
      for (const [from, to] of aggregate.replacements) plan.replacements.set(from, to);
      plan.gatewayWhere = perPartition ? keyConjuncts : [];
      continue;
    }
    // The work table keeps the table's column order, so `*` expands as it would on the table.
    const fetched = table.columns.filter((c) => c.name === key || columns.includes(c.name));
    const output = columns.map((name) => ({ kind: 'expr' as const, expr: { kind: 'column' as const, name }, alias: name }));
    const topN = soleTable && wholeWhere ? firstRows(top!, table, columns) : null;
    plan.uses.push({
      range,
      table,
      fragment: { output, where: filter, groupBy: [], orderBy: topN?.orderBy ?? [], limit: topN?.limit ?? null },
      work: fetched.map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typmod, source: c.name === key ? 'key' : columns.indexOf(c.name) })),
      prune,
      secure: null,
      ...(whole ? { whole } : {}),
    });
  }
  return plan;
}

/**
 * `… ORDER BY cols LIMIT n OFFSET m` over one table with its whole WHERE pushed: each party
 * needs to send only its first n + m rows in that order; the gateway orders and limits again.
 */
function firstRows(select: Node, table: FederatedTable, columns: readonly string[]): { orderBy: OrderItem[]; limit: bigint } | null {
  if (select.distinctClause || select.groupClause?.length || select.havingClause || select.windowClause?.length) return null;
  if (hasAggregateOrWindow(select.targetList)) return null;
  const count = constantInt(select.limitCount);
  const offset = select.limitOffset === undefined ? 0n : constantInt(select.limitOffset);
  if (count === null || offset === null) return null;
  const orderBy: OrderItem[] = [];
  for (const item of (select.sortClause ?? []) as Node[]) {
    const sort = item['SortBy'] as Node;
    const fields = sort.node?.['ColumnRef']?.fields as Node[] | undefined;
    const name = fields?.at(-1)?.['String']?.sval as string | undefined;
    const column = table.columns.find((c) => c.name === name);
    if (!column || !ORDERABLE.has(column.typeOid) || column.name === table.partitionKey || !columns.includes(column.name)) return null;
    const descending = sort.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = sort.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sort.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending);
    orderBy.push({ output: columns.indexOf(column.name), descending, nullsFirst });
  }
  return { orderBy, limit: count + offset };
}

function hasAggregateOrWindow(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasAggregateOrWindow);
  if (node === null || typeof node !== 'object') return false;
  const call = (node as Node)['FuncCall'];
  if (call && (call.over || call.agg_star || isAggregateName(String(call.funcname?.at(-1)?.['String']?.sval)))) return true;
  return Object.values(node as Node).some(hasAggregateOrWindow);
}


function workColumnsSql(use: TableUse): string {
  return use.work.map((c) => `${duckdb.quoteIdentifier(c.name)} ${duckDbTypeName(c.typeOid, c.typmod)}`).join(', ');
}

/** The fragment one party runs for a pushed-down join: its partition of each table, joined. */
function joinFragment(use: TableUse, join: JoinPushdown, partitions: readonly FederatedPartition[]): Fragment {
  return {
    table: { schema: '', name: partitions[0]!.exportedTable },
    alias: join.tables[0]!.alias,
    joins: join.tables.slice(1).map((t, i) => ({ table: { schema: '', name: partitions[i + 1]!.exportedTable }, alias: t.alias, on: join.on[i]! })),
    ...use.fragment,
  };
}

function fragmentFor(use: TableUse, exportedTable: string, fragment: Omit<Fragment, 'table'> = use.fragment): Fragment {
  return { table: { schema: '', name: exportedTable }, ...fragment };
}

/**
 * Where the query runs whole and what it runs there: the one partition its WHERE leaves
 * of its one table, or the one party its joined tables are at; null when the gateway has
 * a part in it.
 */
function wholeAt(plan: QueryPlan, params: readonly unknown[]): { party: string; fragment: Fragment; offset: number } | null {
  const use = plan.uses.length === 1 ? plan.uses[0]! : null;
  if (!use?.whole || use.secure) return null;
  const whole = use.whole;
  if (use.join) {
    const units = unitsFor(use.join, params);
    const unit = units.length === 1 ? units[0]! : null;
    return unit && { party: unit.party, fragment: { ...joinFragment(use, use.join, unit.partitions), ...whole.fragment }, offset: whole.offset };
  }
  const partitions = use.table.partitions.filter((p) => use.prune.every((test) => test(p.value, params)));
  if (partitions.length !== 1) return null;
  return { party: partitions[0]!.party, fragment: fragmentFor(use, partitions[0]!.exportedTable, whole.fragment), offset: whole.offset };
}

/** Where the gateway reads a federated table reference's rows from. */
type GatewayInput = { kind: 'table'; name: string } | { kind: 'values'; node: Node };

/** Result descriptions remembered (oldest forgotten first). */
const DESCRIBED_CACHE = 512;

/** Plans remembered per catalog version (oldest forgotten first). */
const PLAN_CACHE = 512;

/**
 * Rows up to which a table reference's rows travel inside the gateway's query. Measured:
 * 100 rows × 5 columns as VALUES cost ~20 ms to parse, rewrite and prepare, against ~3 ms
 * for a work table; a handful of rows is cheaper inline.
 */
const INLINE_ROWS = 16;

function appendRow(appender: DuckDBAppender, layout: ReadonlyArray<{ append: (a: DuckDBAppender, v: unknown) => void }>, row: readonly unknown[]): void {
  for (let c = 0; c < layout.length; c++) {
    const v = row[c];
    if (v === null || v === undefined) appender.appendNull();
    else layout[c]!.append(appender, v);
  }
  appender.endRow();
}

/**
 * `(VALUES (CAST('…' AS type), …), …)` holding the rows, every value in its PostgreSQL text
 * form and quoted here (the text is C2D's own encoding of values, never user SQL text), or
 * a typed empty SELECT for no rows. Parsed back into a subquery node for the gateway's query.
 */
function valuesNode(use: TableUse, rows: readonly unknown[][]): Node {
  const types = use.work.map((c) => formatType(c.typeOid, c.typmod));
  const encoders = use.work.map((c) => textEncoder(c.typeOid));
  const literal = (v: unknown, c: number): string =>
    v === null || v === undefined ? `CAST(NULL AS ${types[c]})` : `CAST('${encoders[c]!(v, defaultCodecContext).replaceAll("'", "''")}' AS ${types[c]})`;
  const names = use.work.map((c) => postgres.quoteIdentifier(c.name));
  const body =
    rows.length === 0
      ? `SELECT ${use.work.map((_c, i) => `${literal(null, i)} AS ${names[i]}`).join(', ')} WHERE false`
      : `VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`;
  const [statement] = parseStatements(`SELECT * FROM (${body}) AS t (${names.join(', ')})`);
  return ((statement!.ast as Node)['SelectStmt'].fromClause as Node[])[0]!;
}

/** A table reference reading `input` under `alias`. */
function inputNode(range: Node, input: GatewayInput, alias: string): Node {
  if (input.kind === 'table') return { RangeVar: { ...range, schemaname: WORK_SCHEMA, relname: input.name, alias: { aliasname: alias } } };
  const subselect = input.node['RangeSubselect'] as Node;
  return { RangeSubselect: { ...subselect, alias: { ...subselect.alias, aliasname: alias } } };
}

/** The query the gateway runs: each federated table reference reads its input (keeping its name as alias). */
function gatewayQuery(query: QueryAst, plan: QueryPlan, inputs: readonly GatewayInput[]): QueryAst {
  const ranges = new Map(plan.uses.map((u, i) => [u.range, inputs[i]!]));
  const copy = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(copy);
    if (node === null || typeof node !== 'object') return node;
    const replaced = plan.replacements.get(node as Node);
    if (replaced !== undefined) return replaced;
    const target = (node as Node)['ResTarget'] as Node | undefined;
    if (target && !target.name && plan.replacements.has(target.val)) {
      // The output column keeps the name PostgreSQL gives it: the aggregate's (count, avg, …)
      // or the column's, not the name of what replaced it.
      const original = target.val['FuncCall']?.funcname ?? target.val['ColumnRef']?.fields;
      const name = String(original.at(-1)['String'].sval);
      return { ResTarget: { ...(copy(target) as Node), name } };
    }
    const range = (node as Node)['RangeVar'] as Node | undefined;
    const input = range && ranges.get(range);
    if (range && input) return inputNode(range, input, range.alias?.aliasname ?? range.relname);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, copy(v)]));
  };
  const copied = copy(query) as Node;
  const join = plan.uses[0]?.join;
  if (join) {
    // The joined rows stand for the whole FROM clause.
    copied['SelectStmt'].fromClause = [inputNode(plan.uses[0]!.range, inputs[0]!, JOIN_ALIAS)];
  }
  if (plan.gatewayWhere !== null) {
    const kept = plan.gatewayWhere.map(copy) as Node[];
    if (kept.length === 0) delete copied['SelectStmt'].whereClause;
    else copied['SelectStmt'].whereClause = kept.length === 1 ? kept[0] : { BoolExpr: { boolop: 'AND_EXPR', args: kept } };
  }
  return copied as QueryAst;
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

interface ReferencedColumns {
  /** Column names the query mentions, in any table. */
  readonly names: Set<string>;
  /** A bare `*`: any column of any table. */
  readonly all: boolean;
  /** The tables (alias or name) whose every column a `t.*` asks for. */
  readonly starOf: Set<string>;
}

/**
 * The columns a query may read. A NATURAL JOIN reads the columns its tables share: the
 * names that more than one of `tables` has.
 */
function referencedColumns(query: QueryAst, tables: readonly (FederatedTable | undefined)[]): ReferencedColumns {
  const names = new Set<string>();
  const starOf = new Set<string>();
  let star = false;
  let natural = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n['ColumnRef']) {
      const fields = n['ColumnRef'].fields as Node[];
      if ('A_Star' in (fields.at(-1) ?? {})) {
        const qualifier = fields.at(-2)?.['String']?.sval;
        if (typeof qualifier === 'string') starOf.add(qualifier);
        else star = true;
      }
      const last = fields.at(-1)?.['String']?.sval;
      if (typeof last === 'string') names.add(last);
      return;
    }
    const join = n['JoinExpr'];
    if (join) {
      // JOIN … USING (a, b) reads a and b on both sides; NATURAL JOIN the columns both have.
      if (join.isNatural) natural = true;
      for (const item of (join.usingClause ?? []) as Node[]) {
        const name = item['String']?.sval;
        if (typeof name === 'string') names.add(name);
      }
    }
    Object.values(n).forEach(visit);
  };
  visit(query);
  if (natural) {
    const seen = new Set<string>();
    for (const table of tables) {
      for (const { name } of table?.columns ?? []) {
        if (seen.has(name)) names.add(name);
        else seen.add(name);
      }
    }
  }
  return { names, all: star, starOf };
}
