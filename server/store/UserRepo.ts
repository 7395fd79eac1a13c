import { randomUUID } from 'node:crypto';
import { UserGrant, type AuditEntry, type AuditQuery, type User } from '../../models/User.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  grant_json: unknown;
  disabled: boolean;
  token_version: number;
  created_at: number;
  updated_at: number;
}

/** A user as stored: the public record plus what only the auth code reads. */
export interface StoredUser extends User {
  passwordHash: string;
  tokenVersion: number;
}

const toUser = (r: Row): StoredUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  // Parsed on the way out, so a hand-edited row with a bad grant fails loudly instead of widening access.
  grant: UserGrant.parse(typeof r.grant_json === 'string' ? JSON.parse(r.grant_json) : r.grant_json),
  disabled: r.disabled,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  passwordHash: r.password_hash,
  tokenVersion: Number(r.token_version),
});

/** Strips the secrets. */
export function publicUser(u: StoredUser): User {
  const { passwordHash: _h, tokenVersion: _v, ...pub } = u;
  return pub;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  grant: UserGrant;
}

export interface UserUpdate {
  displayName?: string;
  passwordHash?: string;
  grant?: UserGrant;
  disabled?: boolean;
}

/** Accounts. Usernames are stored lower case (models/User.ts Username). */
export class UserRepo {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);
  }

  async list(): Promise<StoredUser[]> {
    return (await this.db.query<Row>('SELECT * FROM users ORDER BY username')).rows.map(toUser);
  }

  async get(id: string): Promise<StoredUser | null> {
    const r = await this.db.query<Row>('SELECT * FROM users WHERE id = $1', [id]);
    return r.rows[0] ? toUser(r.rows[0]) : null;
  }

  async findByUsername(username: string): Promise<StoredUser | null> {
    const r = await this.db.query<Row>('SELECT * FROM users WHERE username = $1', [username.toLowerCase()]);
    return r.rows[0] ? toUser(r.rows[0]) : null;
  }

  async create(u: NewUser, id: string = randomUUID()): Promise<StoredUser> {
    const now = Date.now();
    try {
      const r = await this.db.query<Row>(
        `INSERT INTO users (id, username, display_name, password_hash, grant_json, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING *`,
        [id, u.username.toLowerCase(), u.displayName, u.passwordHash, JSON.stringify(u.grant), now],
      );
      return toUser(r.rows[0]!);
    } catch (err) {
      throw mapConstraintError(err);
    }
  }

  /** Applies `u`; a new password or a disable bumps the token version (ends the user's sessions). */
  async update(id: string, u: UserUpdate): Promise<StoredUser | null> {
    const r = await this.db.query<Row>(
      `UPDATE users SET
         display_name = COALESCE($2, display_name),
         password_hash = COALESCE($3, password_hash),
         grant_json = COALESCE($4::jsonb, grant_json),
         disabled = COALESCE($5, disabled),
         token_version = token_version + (CASE WHEN $3::text IS NOT NULL OR $5::boolean IS TRUE OR $4::jsonb IS NOT NULL THEN 1 ELSE 0 END),
         updated_at = $6
       WHERE id = $1 RETURNING *`,
      [
        id,
        u.displayName ?? null,
        u.passwordHash ?? null,
        u.grant ? JSON.stringify(u.grant) : null,
        u.disabled ?? null,
        Date.now(),
      ],
    );
    return r.rows[0] ? toUser(r.rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM users WHERE id = $1 RETURNING id', [id])).rows.length > 0;
  }

  /** Every project's owner and region: what scope checks need, without the geometry (server/auth/ProjectOwners). */
  async projectOwners(): Promise<Array<{ id: string; enterpriseId: string; regionCode: string }>> {
    const r = await this.db.query<{ id: string; enterprise_id: string; region_code: string }>(
      'SELECT id, enterprise_id, region_code FROM projects',
    );
    return r.rows.map((x) => ({ id: x.id, enterpriseId: x.enterprise_id, regionCode: x.region_code.trim() }));
  }
}

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: unknown;
}

/** One entry to append. */
export type AuditRecord = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

/** The audit log: appended by the auth code and the audit middleware, read by admins. */
export class AuditRepo {
  constructor(private readonly db: Db) {}

  async append(e: AuditRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO audit_log (at, actor, action, target, ip, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
      [e.at ?? Date.now(), e.actor, e.action, e.target, e.ip, JSON.stringify(e.details ?? {})],
    );
  }

  /** Newest first. */
  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.action) add(q.action.endsWith('.') ? "action LIKE ? || '%'" : 'action = ?', q.action);
    if (q.actor) add('actor = ?', q.actor);
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at < ?', q.to);
    params.push(q.limit);
    const r = await this.db.query<AuditRow>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      at: Number(x.at),
      actor: x.actor,
      action: x.action,
      target: x.target,
      ip: x.ip,
      details: (typeof x.details === 'string' ? JSON.parse(x.details) : x.details) as Record<string, unknown>,
    }));
  }
}
