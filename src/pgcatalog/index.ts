export { installPgCatalog, refreshPgCatalog, type PgCatalogOptions } from './install-pg-catalog.js';
