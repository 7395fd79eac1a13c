import { roomOf, type LiveScope } from '../../models/protocol.js';
import type { ProjectOwner } from '../auth/ProjectOwners.js';

/** The room of the viewers of `room` that also asked for KPIs. */
export const kpiRoomOf = (room: string): string => `kpis:${room}`;

/** The room every `/live` socket of a user is in, so a revocation reaches them all, on every node. */
export const userRoomOf = (userId: string): string => `user:${userId}`;

/** Region prefixes a project's 6-digit code belongs to (GB/T 2260: 2 to 6 digits, as RegionPrefix allows). */
const PREFIX_LENGTHS = [2, 3, 4, 5, 6];

/**
 * Every room a push about a project goes to: the city, its own room, its enterprise's wall and each region prefix of
 * its code. Without the owner (a project this node has not loaded yet) only the city and its own room: both are
 * always right, whatever the project's enterprise and region.
 */
export function roomsOfProject(projectId: string, owner: ProjectOwner | undefined): string[] {
  const rooms = ['city', roomOf({ kind: 'project', projectId })];
  if (!owner) return rooms;
  rooms.push(roomOf({ kind: 'enterprise', enterpriseId: owner.enterpriseId }));
  for (const n of PREFIX_LENGTHS)
    if (owner.regionCode.length >= n)
      rooms.push(roomOf({ kind: 'region', regionPrefix: owner.regionCode.slice(0, n) }));
  return rooms;
}

/** Does a scope contain a project? */
export function scopeContains(scope: LiveScope, p: ProjectOwner): boolean {
  switch (scope.kind) {
    case 'city':
      return true;
    case 'enterprise':
      return p.enterpriseId === scope.enterpriseId;
    case 'region':
      return p.regionCode.startsWith(scope.regionPrefix);
    case 'project':
      return p.id === scope.projectId;
  }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ROOM = new RegExp(`^(?:(project|enterprise):(${UUID})|region:(\\d{2,6}))$`, 'i');

/** The scope of a scope room, or null for any other room (a socket's own id, a user room, a KPI room). */
export function scopeOfRoom(room: string): LiveScope | null {
  if (room === 'city') return { kind: 'city' };
  const m = ROOM.exec(room);
  if (!m) return null;
  if (m[3]) return { kind: 'region', regionPrefix: m[3] };
  return m[1] === 'project' ? { kind: 'project', projectId: m[2]! } : { kind: 'enterprise', enterpriseId: m[2]! };
}
