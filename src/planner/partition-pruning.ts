/**
 * Partition pruning: a WHERE conjunct that reads only a federated table's partition key
 * (`party = 'bmc'`, `party IN ('bmc', 'mgh')`, `party <> $1`) is decided per partition,
 * since every row of a partition has the partition's value. Parties whose partitions fail
 * it are not asked at all. The decision is exact, so such a conjunct needs no re-check.
 */
import { integerTypeOids, textTypeOids } from '../sql/types/index.js';

type Node = Record<string, any>;

/** Whether a partition with this key value (as text; null for NULL) can satisfy the conjunct. */
export type PartitionTest = (value: string | null, params: readonly unknown[]) => boolean;

export interface KeyTarget {
  /** The range variable's alias, or its name. */
  readonly reference: string;
  readonly key: string;
  readonly keyType: number;
  /** Whether an unqualified column name can only mean this table's. */
  readonly soleTable: boolean;
}


/** The conjunct as a test of a partition's key value, or null when it is not one this can decide. */
export function partitionTest(node: Node, target: KeyTarget): PartitionTest | null {
  const e = node['A_Expr'] as Node | undefined;
  if (!e) return null;
  const op = ((e.name ?? []) as Node[]).map((n) => n['String']?.sval).at(-1);
  if (e.kind === 'AEXPR_OP' && (op === '=' || op === '<>' || op === '!=')) {
    const [keySide, other] = isKey(e.lexpr, target) ? [e.lexpr, e.rexpr] : isKey(e.rexpr, target) ? [e.rexpr, e.lexpr] : [null, null];
    if (!keySide) return null;
    const operand = value(other, target);
    if (!operand) return null;
    const equal = op === '=';
    return (v, params) => {
      const o = operand(params);
      return v !== null && o !== null && (v === o) === equal;
    };
  }
  if (e.kind === 'AEXPR_IN' && isKey(e.lexpr, target)) {
    const operands = ((e.rexpr?.['List']?.items ?? []) as Node[]).map((item) => value(item, target));
    if (operands.length === 0 || operands.some((o) => o === null)) return null;
    const negated = op === '<>';
    return (v, params) => {
      if (v === null) return false;
      const values = operands.map((o) => o!(params));
      if (values.includes(v)) return !negated;
      // x NOT IN (…, NULL) is never true; x IN (…, NULL) without a match is not true either.
      return negated && !values.includes(null);
    };
  }
  return null;
}

function isKey(node: Node | undefined, target: KeyTarget): boolean {
  const fields = node?.['ColumnRef']?.fields as Node[] | undefined;
  if (!fields) return false;
  const parts = fields.map((f) => f['String']?.sval as string | undefined);
  if (parts.length === 1) return target.soleTable && parts[0] === target.key;
  return parts.length === 2 && parts[0] === target.reference && parts[1] === target.key;
}

/** A constant or parameter as the key's text form, or null when it cannot be compared as text. */
function value(node: Node | undefined, target: KeyTarget): ((params: readonly unknown[]) => string | null) | null {
  const c = node?.['A_Const'] as Node | undefined;
  if (c) {
    if (c.isnull) return () => null;
    if (c.sval && textTypeOids.has(target.keyType)) {
      const text = String(c.sval.sval ?? '');
      return () => text;
    }
    if (integerTypeOids.has(target.keyType) && (c.ival || Object.keys(c).every((k) => k === 'location'))) {
      const text = String(c.ival?.ival ?? 0);
      return () => text;
    }
    return null;
  }
  const p = node?.['ParamRef'] as Node | undefined;
  if (p && textTypeOids.has(target.keyType)) {
    const index = Number(p.number) - 1;
    return (params) => {
      const v = params[index];
      return typeof v === 'string' ? v : null;
    };
  }
  return null;
}
