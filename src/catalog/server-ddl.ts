/**
 * CREATE / ALTER / DROP SERVER: a server is a party node, reached through the c2d
 * foreign-data wrapper with the options it was registered with (host, port, …).
 */
import { catalogError, catalogNotice } from './catalog-errors.js';
import { requireRole, requireServer } from './catalog-lookups.js';
import type { AlterServerRequest, CreateServerRequest, DropServersRequest } from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { checkName, checkText, describeRelation, describeUserMapping } from './object-names.js';
import { applyOptionChanges, checkOptions } from './option-list.js';
import { dropRelationTree, relationDependencyLines } from './relation-ddl.js';

const optionalText = (value: string | null | undefined): string | null => (value == null ? null : checkText(value));

export async function createServer(w: CatalogWriter, request: CreateServerRequest): Promise<void> {
  const name = checkName(request.name);
  const wrapper = w.snapshot.wrapper(request.wrapper);
  if (!wrapper) throw catalogError.undefinedWrapper(request.wrapper);
  const owner = requireRole(w.snapshot, request.owner);
  if (w.snapshot.server(name)) {
    const error = catalogError.duplicateServer(name);
    if (!request.ifNotExists) throw error;
    w.notice(catalogNotice.skippedCreate(error));
    return;
  }
  await w.putServer({
    oid: w.allocateOid(),
    name,
    wrapperOid: wrapper.oid,
    ownerOid: owner.oid,
    type: optionalText(request.type),
    version: optionalText(request.version),
    options: checkOptions(request.options),
  });
}

export async function alterServer(w: CatalogWriter, request: AlterServerRequest): Promise<void> {
  let server = requireServer(w.snapshot, request.name);
  if (request.version !== undefined) server = { ...server, version: optionalText(request.version) };
  if (request.options) server = { ...server, options: applyOptionChanges(server.options, request.options) };
  if (request.owner !== undefined) server = { ...server, ownerOid: requireRole(w.snapshot, request.owner).oid };
  if (request.renameTo !== undefined) {
    const to = checkName(request.renameTo);
    if (to !== server.name && w.snapshot.server(to)) throw catalogError.duplicateServer(to);
    server = { ...server, name: to };
  }
  await w.putServer(server);
}

/** Foreign tables and user mappings depend on a server: CASCADE drops them, else 2BP01. */
export async function dropServers(w: CatalogWriter, request: DropServersRequest): Promise<void> {
  const cascaded: string[] = [];
  const servers = [];
  for (const name of request.names) {
    const server = w.snapshot.server(name);
    if (!server) {
      const error = catalogError.undefinedServer(name);
      if (!request.ifExists) throw error;
      w.notice(catalogNotice.skippedMissing(error));
      continue;
    }
    servers.push(server);
  }
  for (const server of servers) {
    const tables = w.snapshot.foreignTablesOf(server.oid);
    const mappings = w.snapshot.userMappingsOf(server.oid);
    if (tables.length + mappings.length === 0) continue;
    if (!request.cascade) {
      throw catalogError.dependents(`server ${server.name}`, [
        ...relationDependencyLines(w, tables, `server ${server.name}`),
        ...mappings.map((m) => `${describeUserMapping(w.snapshot, m)} depends on server ${server.name}`),
      ]);
    }
    cascaded.push(...tables.map((t) => describeRelation(w.snapshot, t)));
    cascaded.push(...mappings.map((m) => describeUserMapping(w.snapshot, m)));
  }
  if (cascaded.length > 0) w.notice(catalogNotice.cascades(cascaded));
  for (const server of servers) {
    for (const table of w.snapshot.foreignTablesOf(server.oid)) await dropRelationTree(w, table.oid);
    for (const mapping of w.snapshot.userMappingsOf(server.oid)) await w.deleteUserMapping(mapping.oid);
    await w.deleteServer(server.oid);
  }
}
