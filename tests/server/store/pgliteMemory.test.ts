import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DEFAULT_PGLITE_SHARED_BUFFERS_MB } from '../../../server/store/PgliteDb.js';
import { openStore, type Store } from '../../../server/store/Store.js';
import { copyTemplate } from '../../helpers/pgliteTemplate.js';

// The embedded store's memory settings (issue 18): shared_buffers from the options, and the PostGIS bundle's files
// that nothing uses at run time (raster, topology, tiger, upgrade scripts) taken out of PGlite's in-memory filesystem,
// with PostGIS itself (including PROJ transforms and geography) still working.
describe('embedded store memory settings', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'sitetwin-test-')), 'pgdata');
    copyTemplate(inject('pgliteTemplate'), dir);
    store = await openStore({ dataDir: dir }, { pgliteSharedBuffersMb: 24 });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with the shared_buffers it was given (server default below PGlite 128 MB)', async () => {
    const r = await store.db.query<{ shared_buffers: string }>('SHOW shared_buffers');
    expect(r.rows[0]!.shared_buffers).toBe('24MB');
    expect(DEFAULT_PGLITE_SHARED_BUFFERS_MB).toBeLessThan(128);
  });

  it('has dropped the unused PostGIS libraries from memory and kept PostGIS working', async () => {
    const lib = (await store.db.query<{ setting: string }>("SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'"))
      .rows[0]!.setting;
    const exists = async (f: string) =>
      (await store.db.query<{ e: boolean }>('SELECT (pg_stat_file($1, true)).size IS NOT NULL AS e', [`${lib}/${f}`]))
        .rows[0]!.e;
    expect(await exists('postgis-3.so')).toBe(true);
    expect(await exists('postgis_raster-3.so')).toBe(false);
    expect(await exists('postgis_topology-3.so')).toBe(false);
    const r = await store.db.query<{ x: number; area: number }>(
      'SELECT ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(120, 36), 4326), 3857)) AS x, ST_Area(ST_Buffer(ST_MakePoint(120, 36)::geography, 100)) AS area',
    );
    expect(r.rows[0]!.x).toBeCloseTo(13358338.895, 2);
    expect(r.rows[0]!.area).toBeGreaterThan(31_000);
    expect(r.rows[0]!.area).toBeLessThan(31_500);
  });
});
