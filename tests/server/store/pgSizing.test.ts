import { describe, expect, it } from 'vitest';
import { readSharedBuffersBytes, sharedBuffersAdvice } from '../../../server/store/pgSizing.js';
import { openTestStore, storeKinds } from '../../helpers/store.js';

const MB = 2 ** 20;

describe('PostgreSQL settings: shared_buffers advice (the ingest indexes of a city) and JIT', () => {
  it('asks for two index pages a device, with room to spare, over a base', () => {
    // 10,250 devices (bench/city.ts): two per-device telemetry indexes of ~10,300 hot leaves each are ~161 MB,
    // more than PostgreSQL's default 128 MB.
    const city = sharedBuffersAdvice(128 * MB, 10_250);
    expect(city.ok).toBe(false);
    expect(city.neededBytes).toBeGreaterThan(2 * 8192 * 10_250);
    expect(city.neededBytes).toBeLessThanOrEqual(512 * MB);
    expect(sharedBuffersAdvice(512 * MB, 10_250).ok).toBe(true);
    // A site office (a few dozen devices) is fine with the default.
    expect(sharedBuffersAdvice(128 * MB, 50).ok).toBe(true);
  });

  it.each(storeKinds().filter((k) => k === 'server'))('reads shared_buffers in bytes (%s store)', async (kind) => {
    const ts = await openTestStore(kind);
    try {
      const bytes = await readSharedBuffersBytes(ts.store.db);
      const shown = (
        await ts.store.db.query<{ b: string }>('SELECT pg_size_bytes(current_setting($1)) AS b', ['shared_buffers'])
      ).rows[0]!.b;
      expect(bytes).toBe(Number(shown));
    } finally {
      await ts.cleanup();
    }
  });

  // Once a table is analyzed (autovacuum does it), the city KPI query's estimated cost crosses jit_above_cost and
  // PostgreSQL spent ~1.8 s of a 1.9 s query compiling it (auto_explain, bench/city.ts): the store's connections run
  // without JIT. (In this describe, not a file of its own: without TEST_DATABASE_URL there is no server case, and a
  // file without tests fails.)
  it.each(storeKinds().filter((k) => k === 'server'))('connections run without JIT (%s store)', async (kind) => {
    const ts = await openTestStore(kind);
    try {
      expect((await ts.store.db.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
      const tx = await ts.store.db.transaction((t) => t.query<{ jit: string }>('SHOW jit'));
      expect(tx.rows[0]!.jit).toBe('off');
    } finally {
      await ts.cleanup();
    }
  });
});
