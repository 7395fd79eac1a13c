import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { DEFAULT_READINESS } from '../../../models/Readiness.js';
import { usccCheckChar, VendorCreate } from '../../../models/Vendor.js';
import { readinessOf } from '../../../server/ops/opsFigures.js';
import { DuplicateError, ReferenceError_ } from '../../../server/store/errors.js';
import { openTestStore, storeKinds, type TestStore } from '../../helpers/store.js';

/** A valid unified social credit code from 17 characters (the check character computed). */
const uscc = (first17: string) => first17 + usccCheckChar(first17);

// Vendors, their blacklist, devices naming a vendor, readiness and alarms without a device (issue 16), on both drivers.
describe.each(storeKinds())('vendors and project alarms (%s)', (kind) => {
  let t: TestStore;
  let projectId: string;
  beforeAll(async () => {
    t = await openTestStore(kind);
    const e = await t.store.enterprises.create({ name: `E-${kind}`, role: 'contractor' });
    projectId = (
      await t.store.projects.create({
        name: '供应商工地',
        enterpriseId: e.id,
        address: '香港中路',
        regionCode: '370202',
        location: { lon: 120.4, lat: 36.07, height: 0 },
        footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 100, 100),
        status: 'under_construction',
        heightM: 40,
      })
    ).id;
  });
  afterAll(() => t?.cleanup());

  it('checks the GB 32100 check character of a credit code', () => {
    expect(VendorCreate.safeParse({ name: 'x', uscc: '91350100M000100Y43' }).success).toBe(true);
    expect(VendorCreate.safeParse({ name: 'x', uscc: '91350100m000100y43' }).data?.uscc).toBe('91350100M000100Y43');
    expect(VendorCreate.safeParse({ name: 'x', uscc: '91350100M000100Y44' }).success).toBe(false);
    expect(VendorCreate.safeParse({ name: 'x', uscc: '91350100M000100Y4' }).success).toBe(false);
    expect(VendorCreate.safeParse({ name: 'x', uscc: '91350100M000100I43' }).success).toBe(false);
  });

  it('registers vendors with models, refuses a second vendor with the same code, and blacklists with reason', async () => {
    const code = uscc('91370200MA3C5EXL2');
    const v = await t.store.vendors.create({ name: '青岛某监测设备公司', uscc: code });
    expect(v).toMatchObject({ blacklisted: false, blacklistReason: null, blacklistedAt: null, models: [] });
    await expect(t.store.vendors.create({ name: 'copy', uscc: code })).rejects.toBeInstanceOf(DuplicateError);
    const withModel = await t.store.vendors.addModel(v.id, { model: 'JX-300', kind: 'tower_crane' });
    expect(withModel!.models).toEqual([{ vendorId: v.id, model: 'JX-300', kind: 'tower_crane' }]);
    expect(await t.store.vendors.addModel(randomUUID(), { model: 'x', kind: 'hoist' })).toBeNull();
    const b = await t.store.vendors.setBlacklist(v.id, { blacklisted: true, reason: '数据造假' }, 'u-1', 1000);
    expect(b).toMatchObject({
      blacklisted: true,
      blacklistReason: '数据造假',
      blacklistedAt: 1000,
      blacklistedBy: 'u-1',
    });
    const off = await t.store.vendors.setBlacklist(v.id, { blacklisted: false }, 'u-1', 2000);
    expect(off).toMatchObject({ blacklisted: false, blacklistReason: null, blacklistedBy: null, updatedAt: 2000 });
    expect(await t.store.vendors.setBlacklist(randomUUID(), { blacklisted: false }, 'u', 1)).toBeNull();
    expect((await t.store.vendors.list()).map((x) => x.id)).toContain(v.id);
  });

  it('flags a device of a blacklisted vendor and counts it against the readiness of its project', async () => {
    const v = await t.store.vendors.create({ name: '黑名单厂商', uscc: uscc('91370200MA3C5EXL3') });
    const now = Date.now();
    const mk = (name: string, vendorId?: string) =>
      t.store.devices.create({
        projectId,
        kind: 'tower_crane',
        name,
        location: { lon: 120.4, lat: 36.07, height: 0 },
        params: { mastHeightM: 60, jibLengthM: 55, maxLoadT: 8, maxRadiusM: 55 },
        apiKeyHash: 'x',
        ...(vendorId ? { vendorId, model: 'JX-300' } : {}),
      });
    const good = await mk('1号塔吊');
    const bad = await mk('2号塔吊', v.id);
    await expect(mk('3号塔吊', randomUUID())).rejects.toBeInstanceOf(ReferenceError_);
    for (const [i, d] of [good, bad].entries())
      await t.store.telemetry.write([
        { deviceId: d.id, seq: i + 1, time: now - 1000, values: { loadT: 1 }, receivedAt: now },
      ]);
    expect(await t.store.devices.get(bad.id)).toMatchObject({
      vendorId: v.id,
      model: 'JX-300',
      vendorBlacklisted: false,
    });
    expect((await readinessOf(t.store, DEFAULT_READINESS, { projectId }, now))[0]!.items[0]).toMatchObject({
      id: 'crane',
      status: 'met',
    });

    await t.store.vendors.setBlacklist(v.id, { blacklisted: true, reason: '数据造假' }, 'u-1');
    const flagged = await t.store.devices.get(bad.id);
    expect(flagged).toMatchObject({ vendorBlacklisted: true, vendorBlacklistReason: '数据造假' });
    expect((await t.store.devices.list(projectId)).find((d) => d.id === good.id)).not.toHaveProperty(
      'vendorBlacklisted',
    );
    const [r] = await readinessOf(t.store, DEFAULT_READINESS, { projectId }, now);
    const crane = r!.items.find((i) => i.id === 'crane')!;
    expect(crane).toMatchObject({ status: 'partial', earned: 0 });
    expect(crane.detail).toContain('blacklisted');
    expect(r!.vetoFailed).toContain('crane');
    expect(r!.blacklistedDevices).toEqual([
      {
        deviceId: bad.id,
        deviceName: '2号塔吊',
        kind: 'tower_crane',
        vendorId: v.id,
        vendorName: '黑名单厂商',
        reason: '数据造假',
      },
    ]);
    // a vendor named by a device stays (its flag would vanish with it)
    await expect(t.store.db.query('DELETE FROM vendors WHERE id = $1', [v.id])).rejects.toThrow();
  });

  it('keeps one open alarm per (project, rule) for an alarm about no device', async () => {
    const raise = (time: number) =>
      t.store.alarms.raise({
        projectId,
        deviceId: null,
        rule: 'notice.overdue:x',
        quantity: 'noticeOverdueH',
        level: 'alarm',
        value: 1,
        threshold: 0,
        message: 'overdue',
        time,
      });
    const [a, b] = await Promise.all([raise(1), raise(2)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.alarm.id).toBe(b.alarm.id);
    expect(a.alarm.deviceId).toBeNull();
    expect(
      (await t.store.alarms.list({ projectId, limit: 10 })).filter((x) => x.rule === 'notice.overdue:x'),
    ).toHaveLength(1);
    await t.store.alarms.clear(a.alarm.id, 3);
    expect((await raise(4)).created).toBe(true);
  });
});
