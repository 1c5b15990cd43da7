export { installPgCatalog, refreshPgCatalog, type PgCatalogOptions } from './install-pg-catalog.js';
export { catalogRefreshingRunner, PgCatalogSync } from './catalog-sync.js';
