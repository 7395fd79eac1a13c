import { describe, expect, it } from 'vitest';
import type { KpiQuery, Kpis } from '../../../models/Kpis.js';
import { KpiCache } from '../../../server/ops/KpiCache.js';

// The cache with a hand-driven clock and computations that finish when the test says: which `now` each answer was
// computed at, and how many computations ran.
function harness(freshMs: number) {
  let clock = 0;
  const calls: { q: KpiQuery; now: number; finish: () => void; fail: (e: Error) => void }[] = [];
  const cache = new KpiCache(
    (q, now) =>
      new Promise<Kpis>((resolve, reject) =>
        calls.push({
          q,
          now,
          // Only the fields the cache reads (at) and echoes (tier, id) matter here.
          finish: () => resolve({ tier: q.tier, id: q.id ?? null, at: now } as Kpis),
          fail: reject,
        }),
      ),
    freshMs,
    () => clock,
  );
  return {
    cache,
    calls,
    set: (t: number) => (clock = t),
    /** Finishes every computation still running and lets their callbacks run. */
    async finishAll() {
      for (const c of calls.splice(0)) c.finish();
      await new Promise((r) => setImmediate(r));
    },
  };
}

const city: KpiQuery = { tier: 'city' };
const region: KpiQuery = { tier: 'city', id: '3702' };
const entA: KpiQuery = { tier: 'enterprise', id: '00000000-0000-4000-8000-00000000000a' };
const entB: KpiQuery = { tier: 'enterprise', id: '00000000-0000-4000-8000-00000000000b' };

describe('KpiCache', () => {
  it('answers figures computed at most freshMs before the call, refreshing in the background past half of it', async () => {
    const h = harness(5000);
    const first = h.cache.get(city);
    expect(h.calls.map((c) => c.now)).toEqual([0]);
    await h.finishAll();
    expect((await first).at).toBe(0);

    h.set(2000);
    expect((await h.cache.get(city)).at).toBe(0); // 2 s old: served, nothing computed
    expect(h.calls).toHaveLength(0);

    h.set(2600);
    expect((await h.cache.get(city)).at).toBe(0); // past half the window: served, and the next one starts
    expect(h.calls.map((c) => c.now)).toEqual([2600]);
    expect((await h.cache.get(city)).at).toBe(0); // one background computation at a time
    expect(h.calls).toHaveLength(1);
    await h.finishAll();
    h.set(4999);
    expect((await h.cache.get(city)).at).toBe(2600);

    // Nothing asked for a while: the kept figures are too old and are not answered.
    h.set(7600);
    const late = h.cache.get(city);
    expect(h.calls.map((c) => c.now)).toEqual([7600]);
    await h.finishAll();
    expect((await late).at).toBe(7600);
  });

  it('shares one computation between concurrent calls of a scope, never between scopes', async () => {
    const h = harness(5000);
    const answers = [city, city, region, entA, entB, entA, region].map((q) => h.cache.get(q));
    expect(h.calls.map((c) => [c.q.tier, c.q.id ?? null])).toEqual([
      ['city', null],
      ['city', '3702'],
      ['enterprise', entA.id],
      ['enterprise', entB.id],
    ]);
    await h.finishAll();
    const got = (await Promise.all(answers)).map((k) => [k.tier, k.id]);
    expect(got).toEqual([
      ['city', null],
      ['city', null],
      ['city', '3702'],
      ['enterprise', entA.id],
      ['enterprise', entB.id],
      ['enterprise', entA.id],
      ['city', '3702'],
    ]);
    // Kept per scope too: each later call gets its own scope's figures.
    h.set(1000);
    for (const q of [entB, region, city, entA]) expect(await h.cache.get(q)).toMatchObject({ id: q.id ?? null });
    expect(h.calls).toHaveLength(0);
  });

  it('does not join a computation that started freshMs or more before the call', async () => {
    const h = harness(1000);
    void h.cache.get(city);
    h.set(1000);
    void h.cache.get(city);
    expect(h.calls.map((c) => c.now)).toEqual([0, 1000]);
  });

  it('keeps nothing from a failed computation: the next call computes again', async () => {
    const h = harness(5000);
    const a = h.cache.get(city);
    const b = h.cache.get(city);
    h.calls.splice(0)[0]!.fail(new Error('store down'));
    await expect(a).rejects.toThrow('store down');
    await expect(b).rejects.toThrow('store down');
    const c = h.cache.get(city);
    expect(h.calls).toHaveLength(1);
    await h.finishAll();
    expect((await c).at).toBe(0);
  });

  it('refresh always computes (the live push) and its figures serve the next calls', async () => {
    const h = harness(5000);
    void h.cache.get(city);
    await h.finishAll();
    h.set(1000);
    const pushed = h.cache.refresh(city);
    expect(h.calls.map((c) => c.now)).toEqual([1000]);
    await h.finishAll();
    expect((await pushed).at).toBe(1000);
    h.set(1500);
    expect((await h.cache.get(city)).at).toBe(1000);
  });

  it('computes on every call with freshMs 0', async () => {
    const h = harness(0);
    void h.cache.get(city);
    void h.cache.get(city);
    expect(h.calls).toHaveLength(2);
    expect(h.cache.size).toBe(0);
  });

  it('refreshMany computes several scopes in one computation (the push) and keeps each for the next calls', async () => {
    let clock = 100;
    const many: { qs: KpiQuery[]; now: number }[] = [];
    const one: KpiQuery[] = [];
    const cache = new KpiCache(
      (q, now) => {
        one.push(q);
        return Promise.resolve({ tier: q.tier, id: q.id ?? null, at: now } as Kpis);
      },
      5000,
      () => clock,
      undefined,
      (qs, now) => {
        many.push({ qs: [...qs], now });
        return Promise.resolve(qs.map((q) => ({ tier: q.tier, id: q.id ?? null, at: now }) as Kpis));
      },
    );
    const got = await cache.refreshMany([city, region, entA, entB]);
    expect(got.map((k) => [k.tier, k.id, k.at])).toEqual([
      ['city', null, 100],
      ['city', '3702', 100],
      ['enterprise', entA.id, 100],
      ['enterprise', entB.id, 100],
    ]);
    expect(many).toEqual([{ qs: [city, region, entA, entB], now: 100 }]);
    clock = 1000;
    // The figures serve GET /kpis and new subscribers: nothing computed again.
    expect((await cache.get(entB)).at).toBe(100);
    expect((await cache.get(city)).at).toBe(100);
    expect(one).toEqual([]);
    expect(many).toHaveLength(1);
  });
});
