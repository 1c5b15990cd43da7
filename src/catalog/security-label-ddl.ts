/**
 * SECURITY LABEL FOR c2d ON COLUMN t.c IS 'protected': the gateway's copy of a column
 * policy, visible in pg_seclabel. The party node that owns the column keeps the
 * authoritative policy; this one lets the planner refuse early and users see it.
 */
import { C2D_LABEL_PROVIDER } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import { requireRelation } from './catalog-lookups.js';
import type { SecurityLabelRequest } from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';

/** The labels the c2d provider accepts. Append as policies grow. */
export const C2D_LABELS = ['public', 'protected'] as const;
export type C2dLabel = (typeof C2D_LABELS)[number];

export function isC2dLabel(label: string): label is C2dLabel {
  return (C2D_LABELS as readonly string[]).includes(label);
}

export async function setSecurityLabel(w: CatalogWriter, request: SecurityLabelRequest): Promise<void> {
  const provider = request.provider ?? C2D_LABEL_PROVIDER;
  if (provider !== C2D_LABEL_PROVIDER) throw catalogError.labelProvider(provider);
  const relation = requireRelation(w.snapshot, request.relation);
  let attnum = 0;
  if (request.column !== undefined) {
    const column = relation.columns.find((c) => c.name === request.column);
    if (!column) throw catalogError.undefinedColumn(request.column, relation.name);
    attnum = column.attnum;
  }
  if (request.label === null) {
    await w.deleteLabel(relation.oid, attnum, provider);
    return;
  }
  if (!isC2dLabel(request.label)) throw catalogError.invalidLabel(request.label, C2D_LABELS);
  await w.putLabel({ relationOid: relation.oid, attnum, provider, label: request.label });
}
