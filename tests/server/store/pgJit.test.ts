import { describe, expect, it } from 'vitest';
import { openTestStore, storeKinds } from '../../helpers/store.js';

// Once a table is analyzed (autovacuum does it), the city KPI query's estimated cost crosses jit_above_cost and
// PostgreSQL spent ~1.8 s of a 1.9 s query compiling it (auto_explain, bench/city.ts): the store's connections run
// without JIT.
describe('PostgreSQL server store connections', () => {
  it.each(storeKinds().filter((k) => k === 'server'))('run without JIT (%s store)', async (kind) => {
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
