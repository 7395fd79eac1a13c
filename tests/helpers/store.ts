import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../../server/store/Store.js';
import { copyTemplate } from './pgliteTemplate.js';

export type StoreKind = 'embedded' | 'server';

export interface TestStore {
  store: Store;
  /** Closes the store and deletes its data (folder or database). */
  cleanup(): Promise<void>;
}

/** The drivers to run a store suite against: always embedded, plus server when TEST_DATABASE_URL is set. */
export function storeKinds(): StoreKind[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'server'] : ['embedded'];
}

/**
 * Opens a fresh, migrated, empty store. Embedded: a copy of the PGlite template. Server: a new database on the
 * TEST_DATABASE_URL server with PostGIS, dropped by `cleanup`.
 */
export async function openTestStore(kind: StoreKind = 'embedded'): Promise<TestStore> {
  if (kind === 'embedded') {
    const dir = join(mkdtempSync(join(tmpdir(), 'sitetwin-test-')), 'pgdata');
    copyTemplate(inject('pgliteTemplate'), dir);
    const store = await openStore({ dataDir: dir });
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const name = `sitetwin_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return {
    store,
    async cleanup() {
      await store.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
