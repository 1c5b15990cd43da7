/**
 * Foreign tables, federated (partitioned) tables and their partitions: create, ALTER
 * subcommands, ATTACH/DETACH, IMPORT FOREIGN SCHEMA and DROP, with PostgreSQL's errors
 * (checked against PostgreSQL 15), on SQLite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ROLE_OID, type CatalogStore, type ColumnSpec } from '../../src/catalog/index.js';
import { backends, expectPgError, freshCatalog, T } from './catalog-backends.js';

const VISIT_COLUMNS: ColumnSpec[] = [
  { name: 'party', typeOid: T.text },
  { name: 'patient_id', typeOid: T.int8, notNull: true },
  { name: 'code', typeOid: T.varchar, typmod: 14 },
  { name: 'seen_on', typeOid: T.date },
];

describe.each(backends)('catalog tables on %s', (_name, make) => {
  let store: CatalogStore;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await freshCatalog(make));
    for (const name of ['bmc', 'mgh', 'bwh']) {
      await store.createServer({ name, wrapper: 'c2d', owner: 'c2d', options: [['host', `${name}.example`], ['port', '7000']] });
    }
  });
  afterEach(() => done());

  const federated = (name = 'visits', columns = VISIT_COLUMNS) =>
    store.createPartitionedTable({ table: { name }, owner: 'c2d', columns, partitionBy: { strategy: 'list', columns: ['party'] } });
  const partition = (name: string, server: string, values: (string | null)[], parent = 'visits') =>
    store.createForeignTable({
      table: { name }, owner: 'c2d', server, options: [['table', 'visits']], partitionOf: { parent: { name: parent }, values },
    });

  it('creates a foreign table with typed columns and remote options', async () => {
    await store.createForeignTable({
      table: { name: 'meds' }, owner: 'c2d', server: 'bmc', options: [['schema', 'main'], ['table', 'medications']],
      columns: [{ name: 'id', typeOid: T.int4, notNull: true }, { name: 'dose', typeOid: T.numeric, typmod: (10 << 16 | 2) + 4 }],
    });
    const snap = await store.snapshot();
    const meds = snap.relation({ name: 'meds' })!;
    expect(meds).toMatchObject({
      kind: 'f', schemaOid: 2200, ownerOid: BOOTSTRAP_ROLE_OID, serverOid: snap.server('bmc')!.oid,
      options: [['schema', 'main'], ['table', 'medications']], partitionKey: null, partitionOf: null,
    });
    expect(meds.columns).toEqual([
      { attnum: 1, name: 'id', typeOid: T.int4, typmod: -1, notNull: true },
      { attnum: 2, name: 'dose', typeOid: T.numeric, typmod: 655366, notNull: false },
    ]);
    expect(snap.foreignTablesOf(snap.server('bmc')!.oid).map((r) => r.name)).toEqual(['meds']);
  });

  it('raises PostgreSQL errors for bad foreign tables', async () => {
    const create = (name: string, columns: ColumnSpec[], server = 'bmc', ifNotExists = false) =>
      store.createForeignTable({ table: { name }, owner: 'c2d', server, columns, ifNotExists });
    await create('meds', [{ name: 'id', typeOid: T.int4 }]);
    await expectPgError(create('meds', []), '42P07', 'relation "meds" already exists');
    const { notices } = await create('meds', [], 'bmc', true);
    expect(notices.map((n) => [n.code, n.message])).toEqual([['42P07', 'relation "meds" already exists, skipping']]);
    await expectPgError(create('x', [], 'nosuch'), '42704', 'server "nosuch" does not exist');
    await expectPgError(create('x', [{ name: 'a', typeOid: 999999 }]), '42704', 'type with OID 999999 does not exist');
    await expectPgError(create('x', [{ name: 'a', typeOid: T.record }]), '42P16', 'column "a" has pseudo-type record');
    await expectPgError(create('x', [{ name: 'a', typeOid: T.int4 }, { name: 'a', typeOid: T.text }]), '42701', 'column "a" specified more than once');
    await expectPgError(
      store.createForeignTable({ table: { name: 'x' }, owner: 'c2d', server: 'bmc', columns: [], options: [['table', 'a'], ['table', 'b']] }),
      '42710', 'option "table" provided more than once');
    expect((await store.snapshot()).relations.map((r) => r.name)).toEqual(['meds']);
  });

  it('builds a federated table from partitions at three parties', async () => {
    await federated();
    await partition('visits_bmc', 'bmc', ['bmc']);
    await partition('visits_mgh', 'mgh', ['mgh', 'mgh-east']);
    await partition('visits_none', 'bwh', [null]);
    const snap = await store.snapshot();
    const visits = snap.relation({ name: 'visits' })!;
    expect(visits).toMatchObject({ kind: 'p', serverOid: null, partitionKey: { strategy: 'list', attnum: 1 }, partitionOf: null });
    const parts = snap.partitionsOf(visits.oid);
    expect(parts.map((p) => [p.name, p.kind, snap.serverByOid(p.serverOid!)!.name, p.partitionOf!.values])).toEqual([
      ['visits_bmc', 'f', 'bmc', ['bmc']],
      ['visits_mgh', 'f', 'mgh', ['mgh', 'mgh-east']],
      ['visits_none', 'f', 'bwh', [null]],
    ]);
    // PARTITION OF copies the parent's columns, types and NOT NULL.
    for (const p of parts) expect(p.columns).toEqual(visits.columns);
    expect(visits.columns.map((c) => [c.attnum, c.name, c.typeOid, c.typmod, c.notNull])).toEqual([
      [1, 'party', T.text, -1, false], [2, 'patient_id', T.int8, -1, true], [3, 'code', T.varchar, 14, false], [4, 'seen_on', T.date, -1, false],
    ]);
  });

  it('refuses a partition value another partition has, and bad partitioning', async () => {
    await federated();
    await partition('visits_bmc', 'bmc', ['bmc']);
    await partition('visits_null', 'bwh', [null]);
    await expectPgError(partition('visits_bmc2', 'mgh', ['zz', 'bmc']), '42P17', 'partition "visits_bmc2" would overlap partition "visits_bmc"');
    await expectPgError(partition('visits_n2', 'mgh', [null, 'q']), '42P17', 'partition "visits_n2" would overlap partition "visits_null"');
    await expectPgError(partition('visits_e', 'mgh', []), '42P17');
    await expectPgError(partition('visits_bmc', 'mgh', ['q']), '42P07', 'relation "visits_bmc" already exists');
    await expectPgError(partition('x', 'nosuch', ['q']), '42704', 'server "nosuch" does not exist');
    await expectPgError(partition('x', 'mgh', ['q'], 'nosuch'), '42P01', 'relation "nosuch" does not exist');
    await expectPgError(partition('x', 'mgh', ['q'], 'visits_bmc'), '42P17', '"visits_bmc" is not partitioned');
    await expectPgError(
      store.createPartitionedTable({ table: { name: 't2' }, owner: 'c2d', columns: VISIT_COLUMNS, partitionBy: { strategy: 'list', columns: ['nosuchcol'] } }),
      '42703', 'column "nosuchcol" named in partition key does not exist');
    await expectPgError(
      store.createPartitionedTable({ table: { name: 't3' }, owner: 'c2d', columns: VISIT_COLUMNS, partitionBy: { strategy: 'list', columns: ['party', 'code'] } }),
      '42P17', 'cannot use "list" partition strategy with more than one column');
    await expectPgError(
      store.createPartitionedTable({ table: { name: 't4' }, owner: 'c2d', columns: VISIT_COLUMNS, partitionBy: { strategy: 'range', columns: ['seen_on'] } }),
      '0A000');
    const snap = await store.snapshot();
    expect(snap.relations.map((r) => r.name)).toEqual(['visits', 'visits_bmc', 'visits_null']);
  });

  it('checks partition values against the key type and stores them canonically', async () => {
    const table = (name: string, typeOid: number, typmod = -1) => store.createPartitionedTable({
      table: { name }, owner: 'c2d', columns: [{ name: 'k', typeOid, typmod }], partitionBy: { strategy: 'list', columns: ['k'] },
    });
    const part = (name: string, parent: string, values: (string | null)[]) => partition(name, 'bmc', values, parent);
    await table('ti', T.int4);
    await part('ti_1', 'ti', ['01', ' -7 ']);
    await expectPgError(part('ti_2', 'ti', ['1']), '42P17', 'partition "ti_2" would overlap partition "ti_1"');
    await expectPgError(part('ti_3', 'ti', ['abc']), '22P02', 'invalid input syntax for type integer: "abc"');
    await expectPgError(part('ti_4', 'ti', ['99999999999']), '22003', 'value "99999999999" is out of range for type integer');
    await table('tb', T.bool);
    await part('tb_1', 'tb', ['yes']);
    await expectPgError(part('tb_2', 'tb', ['t']), '42P17', 'partition "tb_2" would overlap partition "tb_1"');
    await expectPgError(part('tb_3', 'tb', ['maybe']), '22P02', 'invalid input syntax for type boolean: "maybe"');
    await expectPgError(part('tb_4', 'tb', ['o']), '22P02');
    await part('tb_5', 'tb', ['OFF']);
    await table('tv', T.varchar, 7);
    await expectPgError(part('tv_1', 'tv', ['abcd']), '22001', 'value too long for type character varying(3)');
    await part('tv_2', 'tv', ['äöü']);
    await table('tn', T.numeric);
    await expectPgError(part('tn_1', 'tn', ['x1']), '22P02', 'invalid input syntax for type numeric: "x1"');
    await expectPgError(table('tj', 114), '42704', 'data type json has no default operator class for access method "btree"');
    const snap = await store.snapshot();
    const bound = (name: string) => snap.relation({ name })!.partitionOf!.values;
    expect([bound('ti_1'), bound('tb_1'), bound('tb_5'), bound('tv_2')]).toEqual([['1', '-7'], ['true'], ['false'], ['äöü']]);
  });

  it('attaches and detaches foreign tables, checking columns as PostgreSQL does', async () => {
    await federated();
    await partition('visits_bmc', 'bmc', ['bmc']);
    const table = (name: string, columns: ColumnSpec[]) => store.createForeignTable({ table: { name }, owner: 'c2d', server: 'mgh', columns });
    const attach = (name: string, values: (string | null)[] = ['mgh']) =>
      store.alterRelation({ relation: { name: 'visits' }, statement: 'table', actions: [{ action: 'attachPartition', partition: { name }, values }] });
    const [party, patient, code, seen] = VISIT_COLUMNS as [ColumnSpec, ColumnSpec, ColumnSpec, ColumnSpec];

    await table('wrong_type', [party, { ...patient, typeOid: T.int4 }, code, seen]);
    await expectPgError(attach('wrong_type'), '42804', 'child table "wrong_type" has different type for column "patient_id"');
    await table('wrong_typmod', [party, patient, { ...code, typmod: 20 }, seen]);
    await expectPgError(attach('wrong_typmod'), '42804', 'child table "wrong_typmod" has different type for column "code"');
    await table('missing', [party, patient, seen]);
    await expectPgError(attach('missing'), '42804', 'child table is missing column "code"');
    await table('extra', [...VISIT_COLUMNS, { name: 'extra', typeOid: T.int4 }]);
    const extra = await expectPgError(attach('extra'), '42804', 'table "extra" contains column "extra" not found in parent "visits"');
    expect(extra.detail).toBe('The new partition may contain only the columns present in parent.');
    await table('nullable', [party, { ...patient, notNull: false }, code, seen]);
    await expectPgError(attach('nullable'), '42804', 'column "patient_id" in child table must be marked NOT NULL');
    await expectPgError(attach('visits_bmc', ['zz']), '42809', '"visits_bmc" is already a partition');
    await expectPgError(attach('nosuch'), '42P01', 'relation "nosuch" does not exist');

    // Column order may differ: columns match by name.
    await table('visits_mgh', [seen, code, patient, party]);
    await expectPgError(attach('visits_mgh', ['bmc']), '42P17', 'partition "visits_mgh" would overlap partition "visits_bmc"');
    await attach('visits_mgh', ['mgh']);
    let snap = await store.snapshot();
    expect(snap.relation({ name: 'visits_mgh' })!.partitionOf).toEqual({ parentOid: snap.relation({ name: 'visits' })!.oid, values: ['mgh'] });

    await expectPgError(
      store.alterRelation({ relation: { name: 'visits_mgh' }, statement: 'foreign table', actions: [{ action: 'attachPartition', partition: { name: 'missing' }, values: ['x'] }] }),
      '42809', 'ALTER action ATTACH PARTITION cannot be performed on relation "visits_mgh"');
    await expectPgError(
      store.alterRelation({ relation: { name: 'visits' }, statement: 'table', actions: [{ action: 'detachPartition', partition: { name: 'missing' } }] }),
      '42P01', 'relation "missing" is not a partition of relation "visits"');
    await store.alterRelation({ relation: { name: 'visits' }, statement: 'table', actions: [{ action: 'detachPartition', partition: { name: 'visits_bmc' } }] });
    // A detached partition's values are free again.
    await partition('visits_bmc_new', 'bwh', ['bmc']);
    snap = await store.snapshot();
    expect(snap.relation({ name: 'visits_bmc' })!.partitionOf).toBeNull();
    expect(snap.partitionsOf(snap.relation({ name: 'visits' })!.oid).map((p) => p.name)).toEqual(['visits_bmc', 'visits_mgh', 'visits_bmc_new'].filter((n) => n !== 'visits_bmc'));
  });

  it('alters a federated table: column changes reach every partition', async () => {
    await federated();
    await partition('visits_bmc', 'bmc', ['bmc']);
    await partition('visits_mgh', 'mgh', ['mgh']);
    const alter = (actions: Parameters<CatalogStore['alterRelation']>[0]['actions'], name = 'visits', statement: 'table' | 'foreign table' = 'table') =>
      store.alterRelation({ relation: { name }, statement, actions });

    await alter([
      { action: 'addColumn', column: { name: 'severity', typeOid: T.int4 } },
      { action: 'renameColumn', column: 'code', to: 'icd10' },
      { action: 'alterColumnType', column: 'icd10', typeOid: T.text },
      { action: 'setNotNull', column: 'seen_on' },
      { action: 'dropColumn', column: 'patient_id' },
    ]);
    let snap = await store.snapshot();
    const shape = (name: string) => snap.relation({ name })!.columns.map((c) => [c.attnum, c.name, c.typeOid, c.typmod, c.notNull]);
    const expected = [[1, 'party', T.text, -1, false], [3, 'icd10', T.text, -1, false], [4, 'seen_on', T.date, -1, true], [5, 'severity', T.int4, -1, false]];
    expect(shape('visits')).toEqual(expected);
    expect(shape('visits_bmc')).toEqual(expected);
    expect(shape('visits_mgh')).toEqual(expected);

    await expectPgError(alter([{ action: 'dropColumn', column: 'party' }]), '42P16', 'cannot drop column "party" because it is part of the partition key of relation "visits"');
    await expectPgError(alter([{ action: 'alterColumnType', column: 'party', typeOid: T.varchar }]), '42P16', 'cannot alter column "party" because it is part of the partition key of relation "visits"');
    await expectPgError(alter([{ action: 'dropColumn', column: 'icd10' }], 'visits_bmc', 'foreign table'), '42P16', 'cannot drop inherited column "icd10"');
    await expectPgError(alter([{ action: 'renameColumn', column: 'icd10', to: 'x' }], 'visits_bmc', 'foreign table'), '42P16', 'cannot rename inherited column "icd10"');
    await expectPgError(alter([{ action: 'alterColumnType', column: 'icd10', typeOid: T.int8 }], 'visits_bmc', 'foreign table'), '42P16', 'cannot alter inherited column "icd10"');
    await expectPgError(alter([{ action: 'addColumn', column: { name: 'x', typeOid: T.int4 } }], 'visits_bmc', 'foreign table'), '42809', 'cannot add column to a partition');
    await expectPgError(alter([{ action: 'dropNotNull', column: 'seen_on' }], 'visits_bmc', 'foreign table'), '42P16', 'column "seen_on" is marked NOT NULL in parent table');
    await expectPgError(alter([{ action: 'addColumn', column: { name: 'icd10', typeOid: T.int4 } }]), '42701', 'column "icd10" of relation "visits" already exists');
    await expectPgError(alter([{ action: 'renameColumn', column: 'icd10', to: 'party' }]), '42701', 'column "party" of relation "visits" already exists');
    await expectPgError(alter([{ action: 'dropColumn', column: 'nope' }]), '42703', 'column "nope" of relation "visits" does not exist');
    await expectPgError(alter([{ action: 'options', changes: [{ action: 'add', key: 'x', value: 'y' }] }]), '42809', '"visits" is not a foreign table');
    await expectPgError(alter([{ action: 'rename', to: 'x' }], 'visits', 'foreign table'), '42809', '"visits" is not a foreign table');
    const skipped = await alter([
      { action: 'addColumn', column: { name: 'icd10', typeOid: T.int4 }, ifNotExists: true },
      { action: 'dropColumn', column: 'nope', ifExists: true },
    ]);
    expect(skipped.notices.map((n) => [n.code, n.message])).toEqual([
      ['42701', 'column "icd10" of relation "visits" already exists, skipping'],
      ['00000', 'column "nope" of relation "visits" does not exist, skipping'],
    ]);

    // A failing subcommand undoes the ones before it in the same statement.
    await expectPgError(alter([{ action: 'addColumn', column: { name: 'later', typeOid: T.int4 } }, { action: 'dropColumn', column: 'nope' }]), '42703');
    snap = await store.snapshot();
    expect(snap.relation({ name: 'visits_mgh' })!.columns.map((c) => c.name)).toEqual(['party', 'icd10', 'seen_on', 'severity']);

    await alter([{ action: 'dropNotNull', column: 'seen_on' }]);
    await alter([{ action: 'options', changes: [{ action: 'set', key: 'table', value: 'visits_v2' }] }], 'visits_mgh', 'foreign table');
    await alter([{ action: 'rename', to: 'mgh_visits' }], 'visits_mgh', 'foreign table');
    await store.createSchema({ name: 'archive', owner: 'c2d' });
    await alter([{ action: 'setSchema', schema: 'archive' }], 'mgh_visits', 'foreign table');
    snap = await store.snapshot();
    const moved = snap.relation({ schema: 'archive', name: 'mgh_visits' })!;
    expect(moved).toMatchObject({ options: [['table', 'visits_v2']] });
    expect(moved.partitionOf!.parentOid).toBe(snap.relation({ name: 'visits' })!.oid);
    expect(moved.columns.find((c) => c.name === 'seen_on')!.notNull).toBe(false);

    const missing = await store.alterRelation({ relation: { name: 'nosuch' }, statement: 'table', ifExists: true, actions: [{ action: 'rename', to: 'x' }] });
    expect(missing.notices.map((n) => n.message)).toEqual(['relation "nosuch" does not exist, skipping']);
    await expectPgError(alter([{ action: 'rename', to: 'x' }], 'nosuch'), '42P01', 'relation "nosuch" does not exist');
    await expectPgError(alter([{ action: 'rename', to: 'visits_bmc' }]), '42P07', 'relation "visits_bmc" already exists');
    await store.createForeignTable({ table: { schema: 'archive', name: 'visits_bmc' }, owner: 'c2d', server: 'bmc', columns: [] });
    await expectPgError(alter([{ action: 'setSchema', schema: 'archive' }], 'visits_bmc', 'foreign table'), '42P07', 'relation "visits_bmc" already exists in schema "archive"');
  });

  it('drops tables: partitions go with their parent, wrong kinds and missing names fail', async () => {
    await federated();
    await partition('visits_bmc', 'bmc', ['bmc']);
    await partition('visits_mgh', 'mgh', ['mgh']);
    await store.createForeignTable({ table: { name: 'meds' }, owner: 'c2d', server: 'bmc', columns: [] });
    const drop = (names: string[], statement: 'table' | 'foreign table', ifExists = false) =>
      store.dropRelations({ relations: names.map((name) => ({ name })), statement, ifExists });

    const notTable = await expectPgError(drop(['meds'], 'table'), '42809', '"meds" is not a table');
    expect(notTable.hint).toBe('Use DROP FOREIGN TABLE to remove a foreign table.');
    const notForeign = await expectPgError(drop(['visits'], 'foreign table'), '42809', '"visits" is not a foreign table');
    expect(notForeign.hint).toBe('Use DROP TABLE to remove a table.');
    await expectPgError(drop(['nosuch'], 'table'), '42P01', 'table "nosuch" does not exist');
    await expectPgError(drop(['meds', 'nosuch'], 'foreign table'), '42704', 'foreign table "nosuch" does not exist');
    expect((await store.snapshot()).relation({ name: 'meds' })).toBeDefined();
    const { notices } = await drop(['meds', 'nosuch'], 'foreign table', true);
    expect(notices.map((n) => [n.code, n.message])).toEqual([['00000', 'foreign table "nosuch" does not exist, skipping']]);

    await drop(['visits_mgh'], 'foreign table');
    let snap = await store.snapshot();
    expect(snap.partitionsOf(snap.relation({ name: 'visits' })!.oid).map((p) => p.name)).toEqual(['visits_bmc']);
    await partition('visits_mgh2', 'mgh', ['mgh']);
    await drop(['visits'], 'table');
    snap = await store.snapshot();
    expect(snap.relations).toEqual([]);
  });

  it('imports a foreign schema all or nothing', async () => {
    await store.createSchema({ name: 'bmc_data', owner: 'c2d' });
    const tables = [
      { name: 'patients', columns: [{ name: 'id', typeOid: T.int8, notNull: true }, { name: 'name', typeOid: T.text }] },
      { name: 'diagnoses', columns: [{ name: 'patient_id', typeOid: T.int8 }, { name: 'icd10', typeOid: T.varchar, typmod: 12 }] },
    ];
    await store.importForeignSchema({ server: 'bmc', remoteSchema: 'main', into: 'bmc_data', owner: 'c2d', tables });
    let snap = await store.snapshot();
    const imported = snap.relationsIn(snap.schema('bmc_data')!.oid);
    expect(imported.map((r) => [r.name, r.options, r.columns.length])).toEqual([
      ['patients', [['schema', 'main'], ['table', 'patients']], 2],
      ['diagnoses', [['schema', 'main'], ['table', 'diagnoses']], 2],
    ]);

    await store.createSchema({ name: 'mgh_data', owner: 'c2d' });
    await store.createForeignTable({ table: { schema: 'mgh_data', name: 'diagnoses' }, owner: 'c2d', server: 'mgh', columns: [] });
    await expectPgError(
      store.importForeignSchema({ server: 'mgh', remoteSchema: 'public', into: 'mgh_data', owner: 'c2d', tables }),
      '42P07', 'relation "diagnoses" already exists');
    snap = await store.snapshot();
    expect(snap.relationsIn(snap.schema('mgh_data')!.oid).map((r) => r.name)).toEqual(['diagnoses']);
    await expectPgError(store.importForeignSchema({ server: 'nosuch', remoteSchema: 'x', into: 'mgh_data', owner: 'c2d', tables }), '42704');
    await expectPgError(store.importForeignSchema({ server: 'mgh', remoteSchema: 'x', into: 'nowhere', owner: 'c2d', tables }), '3F000');
  });
});
