export { CatalogStore } from './catalog-store.js';
export { CatalogSnapshot } from './catalog-snapshot.js';
export type { DdlOutcome } from './ddl-transaction.js';
export { catalogBackend, type CatalogBackend } from './catalog-location.js';
export { C2D_LABELS, isC2dLabel, type C2dLabel } from './security-label-ddl.js';
export * from './catalog-entries.js';
export type * from './catalog-requests.js';
export { pgCatalogRows, partitionBoundText, type PgCatalogRows, type PgCatalogRow, type PgCatalogValue } from './pg-catalog-rows.js';
