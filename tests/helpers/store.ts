import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Box3, ElementInput } from '../../models/BimModel.js';
import { rectangleAround } from '../../models/geo.js';
import { openStore, type Store } from '../../server/store/Store.js';
import { createTestDatabase } from './childServer.js';
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
  const db = await createTestDatabase(base);
  const store = await openStore({ databaseUrl: db.url });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}

/** A project under construction (50 x 50 m at `loc`) straight into a store; returns its id. */
export async function storeProject(
  store: Store,
  enterpriseId: string,
  opts: { name?: string; regionCode?: string; loc?: { lon: number; lat: number } } = {},
): Promise<string> {
  const loc = opts.loc ?? { lon: 120.4, lat: 36.1 };
  const p = await store.projects.create({
    name: opts.name ?? 'P',
    enterpriseId,
    address: '',
    regionCode: opts.regionCode ?? '370202',
    status: 'under_construction',
    heightM: 30,
    location: { ...loc, height: 0 },
    footprint: rectangleAround(loc, 50, 50),
  });
  return p.id;
}

/** An element row named by its GlobalId: a wall with the box given (`null`: no geometry). */
export function elementRow(globalId: string, bbox: Box3 | null = { min: [0, 0, 0], max: [1, 2, 3] }): ElementInput {
  return {
    globalId,
    expressId: 1,
    ifcClass: 'IFCWALL',
    name: globalId,
    predefinedType: null,
    storeyId: null,
    storeyName: null,
    psets: {},
    bbox,
    hasGeometry: bbox !== null,
  };
}
