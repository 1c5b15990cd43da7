/**
 * CREATE / ALTER / DROP USER MAPPING: per-role (or PUBLIC) options for reaching a server.
 * The party node holds the engine credentials; a mapping carries only what the gateway
 * presents to the party for that role.
 */
import { PUBLIC_ROLE_OID } from './catalog-entries.js';
import { catalogError, catalogNotice } from './catalog-errors.js';
import { requireRole, requireServer } from './catalog-lookups.js';
import type {
  AlterUserMappingRequest,
  CreateUserMappingRequest,
  DropUserMappingRequest,
  MappingRole,
} from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { applyOptionChanges, checkOptions } from './option-list.js';

const roleOidOf = (w: CatalogWriter, role: MappingRole): number =>
  role === null ? PUBLIC_ROLE_OID : requireRole(w.snapshot, role).oid;
const roleLabel = (role: MappingRole): string => role ?? 'public';

export async function createUserMapping(w: CatalogWriter, request: CreateUserMappingRequest): Promise<void> {
  const roleOid = roleOidOf(w, request.role);
  const server = requireServer(w.snapshot, request.server);
  if (w.snapshot.userMapping(server.oid, roleOid)) {
    const error = catalogError.duplicateUserMapping(roleLabel(request.role), server.name);
    if (!request.ifNotExists) throw error;
    w.notice(catalogNotice.skippedCreate(error));
    return;
  }
  await w.putUserMapping({ oid: w.allocateOid(), serverOid: server.oid, roleOid, options: checkOptions(request.options) });
}

export async function alterUserMapping(w: CatalogWriter, request: AlterUserMappingRequest): Promise<void> {
  const roleOid = roleOidOf(w, request.role);
  const server = requireServer(w.snapshot, request.server);
  const mapping = w.snapshot.userMapping(server.oid, roleOid);
  if (!mapping) throw catalogError.undefinedUserMapping(roleLabel(request.role), server.name);
  await w.putUserMapping({ ...mapping, options: applyOptionChanges(mapping.options, request.options) });
}

export async function dropUserMapping(w: CatalogWriter, request: DropUserMappingRequest): Promise<void> {
  const skip = (error: ReturnType<typeof catalogError.undefinedRole>): void => {
    if (!request.ifExists) throw error;
    w.notice(catalogNotice.skippedMissing(error));
  };
  const role = request.role === null ? null : w.snapshot.role(request.role);
  if (role === undefined) return skip(catalogError.undefinedRole(request.role!));
  const server = w.snapshot.server(request.server);
  if (!server) return skip(catalogError.undefinedServer(request.server));
  const mapping = w.snapshot.userMapping(server.oid, role?.oid ?? PUBLIC_ROLE_OID);
  if (!mapping) return skip(catalogError.undefinedUserMapping(roleLabel(request.role), server.name));
  await w.deleteUserMapping(mapping.oid);
}
