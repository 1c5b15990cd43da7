/**
 * CREATE ROLE / CREATE USER, ALTER ROLE, DROP ROLE. Only SCRAM-SHA-256 verifiers are
 * stored: a password given in the clear is turned into one here, and one given as a
 * verifier (what pg_dumpall writes) is kept as is, as PostgreSQL does.
 */
import { createScramVerifier, parseScramVerifier } from '../server/auth/scram.js';
import { BOOTSTRAP_ROLE_OID, RelationKind } from './catalog-entries.js';
import { catalogError, catalogNotice } from './catalog-errors.js';
import { requireRole } from './catalog-lookups.js';
import type { AlterRoleRequest, CreateRoleRequest, DropRolesRequest } from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { checkName, checkText, describeUserMapping, relationDisplayName } from './object-names.js';

function checkRoleName(name: string): string {
  checkName(name);
  if (name === 'public' || name === 'none' || name.startsWith('pg_')) throw catalogError.reservedRoleName(name);
  return name;
}

function verifierOf(w: CatalogWriter, password: string | null): string | null {
  if (password === null) return null;
  checkText(password);
  if (password === '') {
    w.notice(catalogNotice.emptyPassword());
    return null;
  }
  return parseScramVerifier(password) ? password : createScramVerifier(password);
}

export async function createRole(w: CatalogWriter, request: CreateRoleRequest): Promise<void> {
  const name = checkRoleName(request.name);
  if (w.snapshot.role(name)) throw catalogError.duplicateRole(name);
  await w.putRole({
    oid: w.allocateOid(),
    name,
    verifier: verifierOf(w, request.password ?? null),
    canLogin: request.canLogin === true,
    superuser: request.superuser === true,
  });
}

export async function alterRole(w: CatalogWriter, request: AlterRoleRequest): Promise<void> {
  let role = requireRole(w.snapshot, request.name);
  if (request.password !== undefined) role = { ...role, verifier: verifierOf(w, request.password) };
  if (request.canLogin !== undefined) role = { ...role, canLogin: request.canLogin };
  if (request.superuser !== undefined) role = { ...role, superuser: request.superuser };
  if (request.renameTo !== undefined && request.renameTo !== role.name) {
    const to = checkRoleName(request.renameTo);
    if (w.snapshot.role(to)) throw catalogError.duplicateRole(to);
    role = { ...role, name: to };
  }
  await w.putRole(role);
}

/** A role that owns objects or has user mappings cannot be dropped (there is no CASCADE). */
export async function dropRoles(w: CatalogWriter, request: DropRolesRequest): Promise<void> {
  const roles = [];
  for (const name of request.names) {
    const role = w.snapshot.role(name);
    if (!role) {
      const error = catalogError.undefinedRole(name);
      if (!request.ifExists) throw error;
      w.notice(catalogNotice.skippedMissing(error));
      continue;
    }
    if (name === request.currentUser) throw catalogError.currentUser();
    if (role.oid === BOOTSTRAP_ROLE_OID) throw catalogError.bootstrapRole(name);
    roles.push(role);
  }
  const s = w.snapshot;
  for (const role of roles) {
    const owned = [
      ...s.servers.filter((x) => x.ownerOid === role.oid).map((x) => `owner of server ${x.name}`),
      ...s.schemas.filter((x) => x.ownerOid === role.oid).map((x) => `owner of schema ${x.name}`),
      ...s.relations.filter((x) => x.ownerOid === role.oid).map((x) =>
        `owner of ${x.kind === RelationKind.foreignTable ? 'foreign table' : 'table'} ${relationDisplayName(s, x)}`),
      ...s.userMappings.filter((x) => x.roleOid === role.oid).map((x) => `owner of ${describeUserMapping(s, x)}`),
    ];
    if (owned.length > 0) throw catalogError.roleHasDependents(role.name, owned);
  }
  for (const role of roles) await w.deleteRole(role.oid);
}
