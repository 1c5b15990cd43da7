/**
 * Casts and collations. PostgreSQL's object-identifier types (regclass, regtype …) have
 * no DuckDB counterpart: a literal becomes the OID looked up in the emulation, any other
 * expression becomes the object's name, which is what a client reads from such a column.
 * Catalog-only types map to DuckDB types; COLLATE "default"/"C"/"POSIX" are dropped.
 */
import type { Node } from 'libpg-query';
import { emulationCatalog, pgCatalogSchema } from './emulation.js';
import { funcCall, intConst, nameList, operator, str, stringConst, stringLiteral, typeCast, type Fields } from './nodes.js';

/** Catalog and PostgreSQL-only types → DuckDB type names. Others keep their name. */
const typeNames: Readonly<Record<string, string>> = {
  name: 'varchar',
  char: 'varchar',
  bpchar: 'varchar',
  text: 'varchar',
  pg_node_tree: 'varchar',
  aclitem: 'varchar',
  regproc: 'varchar',
  regprocedure: 'varchar',
  regoper: 'varchar',
  oid: 'integer',
  cid: 'integer',
  xid: 'bigint',
  xid8: 'bigint',
  jsonb: 'json',
  int2vector: 'smallint[]',
  oidvector: 'integer[]',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double',
  bool: 'boolean',
};

function helper(name: string, args: Node[]): Node {
  return funcCall([emulationCatalog, pgCatalogSchema, name], args);
}

/** Object-identifier casts: [helper for a name literal, helper for an OID expression]. */
const oidTypes: Readonly<Record<string, readonly [string, string]>> = {
  regclass: ['c2d_regclass_oid', 'c2d_regclass_name'],
  regtype: ['c2d_regtype_oid', 'format_type'],
  regnamespace: ['c2d_regnamespace_oid', 'c2d_regnamespace_name'],
  regrole: ['c2d_regrole_oid', 'c2d_regrole_name'],
};

export function rewriteTypeCast(fields: Fields): Node | undefined {
  const typeName = fields['typeName'] as Fields | undefined;
  const arg = fields['arg'] as Node | undefined;
  if (!typeName || !arg) return undefined;
  const names = nameList(typeName['names']);
  if (names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) return undefined;
  const base = names[names.length - 1]!;
  const isArray = Array.isArray(typeName['arrayBounds']) && (typeName['arrayBounds'] as unknown[]).length > 0;
  if (!isArray) {
    const oidType = oidTypes[base];
    if (oidType) {
      const literal = stringLiteral(arg);
      if (literal !== undefined) {
        if (/^\s*\d+\s*$/.test(literal)) return intConst(Number(literal));
        return helper(oidType[0], [stringConst(literal)]);
      }
      return base === 'regtype' ? helper('format_type', [arg, { A_Const: { isnull: true } } as Node]) : helper(oidType[1], [arg]);
    }
    if (base === 'regproc' || base === 'regprocedure') {
      // The emulation stores functions by name, as PostgreSQL prints a regproc.
      const literal = stringLiteral(arg);
      if (literal !== undefined) return stringConst(literal.replace(/^pg_catalog\./, ''));
      // OID columns holding no function (fdwhandler = 0) print as '-'.
      const text = typeCast(arg, 'varchar');
      const isZero = operator('=', structuredClone(text), stringConst('0'));
      return { CaseExpr: { args: [{ CaseWhen: { expr: isZero, result: stringConst('-') } }], defresult: text } } as Node;
    }
  }
  const mapped = typeNames[base];
  if (mapped !== undefined) {
    const elementArray = mapped.endsWith('[]');
    typeName['names'] = [str(elementArray ? mapped.slice(0, -2) : mapped)];
    if (elementArray && !isArray) typeName['arrayBounds'] = [{ Integer: { ival: -1 } }];
    if (mapped !== 'varchar' || base !== 'bpchar') delete typeName['typmods'];
  } else if (names.length === 2) {
    typeName['names'] = [str(base)];
  }
  return undefined;
}

const droppedCollations: ReadonlySet<string> = new Set(['default', 'C', 'POSIX', 'ucs_basic']);

export function rewriteCollateClause(fields: Fields): Node | undefined {
  const names = nameList(fields['collname']);
  const base = names[names.length - 1] ?? '';
  if (names[0] === 'pg_catalog' || droppedCollations.has(base)) return fields['arg'] as Node;
  return undefined;
}
