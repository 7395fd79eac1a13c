import type { Db } from './Db.js';

/** Key/value facts about the store itself. */
export class MetaRepo {
  constructor(private readonly db: Db) {}

  async get<T>(key: string): Promise<T | undefined> {
    const r = await this.db.query<{ value: T }>('SELECT value FROM app_meta WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  /** Sets `key` only if unset; true when this call set it (so two processes cannot both seed). */
  async setOnce(key: string, value: unknown): Promise<boolean> {
    const r = await this.db.query(
      'INSERT INTO app_meta (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING key',
      [key, JSON.stringify(value), Date.now()],
    );
    return r.rows.length > 0;
  }
}
