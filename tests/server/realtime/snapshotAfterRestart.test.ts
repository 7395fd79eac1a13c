import { afterAll, describe, expect, it } from 'vitest';
import { DeviceStore } from '../../../client/devices/DeviceStore.js';
import type { LiveServerMessage } from '../../../models/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';
import { collect, crane, makeDevice, makeProject, postIngest } from '../../helpers/telemetry.js';

// Issue 6: after a server restart a new viewer sees the cranes posed from the latest-state table: the first message
// of its subscription is the scope's snapshot, holding each device's merged latest values, which the client's
// DeviceStore turns into the state the crane overlay poses from (slew, radius, hook height).
const stores: TestStore[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  for (const s of stores) await s.cleanup();
});

describe.each(storeKinds())('snapshot after a restart (%s store)', (kind) => {
  it('a new viewer of the restarted server first gets the latest merged state of its scope, and the crane is posed from it', async () => {
    const ts = await openTestStore(kind);
    stores.push(ts);
    const shared: TestStore = { store: ts.store, cleanup: async () => {} };
    const a = await startTestServer({ store: shared });
    servers.push(a);
    const projectId = await makeProject(a);
    const other = await makeProject(a);
    const c1 = await makeDevice(a, projectId, crane('重启塔吊'));
    const c2 = await makeDevice(a, other, crane('别的工地塔吊'));
    const t0 = Date.now() - 60_000;
    // A full pose, then readings carrying only what changed, and one late reading older than what is held.
    const rows = [
      {
        deviceId: c1.device.id,
        time: t0,
        values: { loadT: 2, ratedLoadT: 8, momentPct: 30, slewDeg: 10, radiusM: 20, hookHeightM: 40 },
      },
      { deviceId: c1.device.id, time: t0 + 5000, values: { slewDeg: 137.5 } },
      { deviceId: c1.device.id, time: t0 + 9000, values: { radiusM: 31.2, hookHeightM: 35 } },
      { deviceId: c1.device.id, time: t0 + 2000, values: { slewDeg: 50 } },
    ];
    for (const r of rows) expect((await postIngest(a, [r], c1.apiKey)).status).toBe(200);
    expect(
      (
        await postIngest(
          a,
          [{ deviceId: c2.device.id, time: t0, values: { slewDeg: 271, radiusM: 12, hookHeightM: 20 } }],
          c2.apiKey,
        )
      ).status,
    ).toBe(200);
    await a.close();

    const b = await startTestServer({ store: shared });
    servers.push(b);
    const want = { ratedLoadT: 8, momentPct: 30, loadT: 2, slewDeg: 137.5, radiusM: 31.2, hookHeightM: 35 };
    for (const scope of [{ kind: 'project' as const, projectId }, { kind: 'city' as const }]) {
      const s = b.live();
      const got: LiveServerMessage[] = collect(s);
      expect(await s.emitWithAck('msg', { type: 'subscribe', scope })).toEqual({ ok: true });
      await expect.poll(() => got.length).toBeGreaterThan(0);
      const first = got[0]!;
      expect(first.type).toBe('snapshot');
      if (first.type !== 'snapshot') return;
      expect(first.scope).toEqual(scope);
      const mine = first.latest.find((r) => r.deviceId === c1.device.id)!;
      expect(mine).toMatchObject({ projectId, kind: 'tower_crane', time: t0 + 9000 });
      expect(mine.values).toEqual(want);
      const theirs = first.latest.find((r) => r.deviceId === c2.device.id);
      if (scope.kind === 'project') {
        expect(first.devices.map((d) => d.id)).toEqual([c1.device.id]);
        expect(theirs).toBeUndefined();
      } else expect(theirs?.values).toMatchObject({ slewDeg: 271 });

      // What the site view does with it: the crane's state, as the overlay reads it to pose the crane.
      const view = new DeviceStore();
      view.reset(projectId);
      expect(view.apply(first)).toBe(scope.kind === 'project');
      if (scope.kind === 'project') {
        const st = view.get(c1.device.id)!;
        expect(st.time).toBe(t0 + 9000);
        expect(st.values).toMatchObject({ slewDeg: 137.5, radiusM: 31.2, hookHeightM: 35 });
      }
      s.close();
    }
  });
});
