/**
 * The types a LIST partition key may have: those with a default btree operator class,
 * with that class's OID in PostgreSQL 15 (pg_partitioned_table.partclass). varchar keys
 * use text_ops, as in PostgreSQL.
 */
import { builtinTypeByOid } from '../sql/builtin-types.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

// prettier-ignore
const BTREE_OPCLASS_BY_TYPE: ReadonlyMap<number, number> = new Map([
  [16, 10003], [17, 10006], [18, 10007], [19, 10028], [20, 3124], [21, 1979], [23, 1978], [25, 3126], [26, 1981],
  [700, 10012], [701, 3123], [829, 10024], [869, 10015], [1042, 10004], [1043, 3126], [1082, 3122], [1083, 10038],
  [1114, 3128], [1184, 3127], [1186, 10022], [1266, 10041], [1560, 10002], [1562, 10043], [1700, 3125], [2950, 10065],
  [3614, 10071], [3802, 10088],
]);

export function partitionKeyOpclass(typeOid: number): number {
  const opclass = BTREE_OPCLASS_BY_TYPE.get(typeOid);
  if (opclass === undefined) {
    const type = builtinTypeByOid(typeOid)?.display ?? String(typeOid);
    throw new PgError(SqlState.undefinedObject, `data type ${type} has no default operator class for access method "btree"`, {
      hint: 'You must specify a btree operator class or define a default btree operator class for the data type.',
    });
  }
  return opclass;
}
