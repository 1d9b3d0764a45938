import type { Permission, Role } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import type { UserRecord } from './state.js';

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  owner: ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'],
  admin: ['users:read', 'users:manage'],
  member: [],
};

export function can(viewer: UserRecord, permission: Permission): boolean {
  return ROLE_PERMISSIONS[viewer.role].includes(permission);
}

/** Refuses with 403 unless the viewer's role grants `permission` (docs/rules.md, permissions). */
export function requirePermission(viewer: UserRecord, permission: Permission): void {
  if (!can(viewer, permission)) throw new ApiError('forbidden', `Your role (${viewer.role}) may not do this.`);
}
