import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Ingest } from '../../../server/ingest/Ingest.js';
import { createLogger } from '../../../server/log.js';
import * as secrets from '../../../server/security/deviceSecrets.js';
import { openTestStore, storeProject, type TestStore } from '../../helpers/store.js';

// Counts the key checks the ingest makes (the real check still decides).
vi.mock('../../../server/security/deviceSecrets.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/security/deviceSecrets.js')>();
  return { ...real, verifyApiKey: vi.fn(real.verifyApiKey) };
});
const verifyApiKey = vi.mocked(secrets.verifyApiKey);

/**
 * The ingest caches device records for a few seconds (Ingest DEVICE_TTL_MS) with the keys that verified against
 * them. When a record is re-read after that, a key already verified against the same key hash is not hashed again
 * (a city re-read every device every 5 s: ~2 000 sha256 a second), but a key hash changed behind the cache's back
 * (a rotation on another node: no change event here) refuses the old key from the re-read on.
 */
describe('Ingest device key cache', () => {
  let ts: TestStore;
  let ingest: Ingest;
  let deviceId: string;
  const oldKey = secrets.newApiKey();
  let seq = 0;
  const send = (key: string) =>
    ingest.submit([{ deviceId, seq: seq++, values: { pm10Ugm3: 40 } }], { transport: 'http', deviceKey: key });

  beforeAll(async () => {
    ts = await openTestStore('embedded');
    ingest = new Ingest(ts.store, createLogger('silent'));
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const projectId = await storeProject(ts.store, e.id);
    const d = await ts.store.devices.create({
      projectId,
      kind: 'env_monitor',
      name: 'dust',
      params: {},
      location: { lon: 120.4, lat: 36.1, height: 1 },
      apiKeyHash: secrets.hashApiKey(oldKey),
    });
    deviceId = d.id;
  }, 300_000);
  afterAll(async () => {
    vi.useRealTimers();
    ingest?.dispose();
    await ts?.cleanup();
  }, 300_000);

  it('does not re-verify a known key when the record is re-read unchanged; refuses it once the hash changed', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    expect((await send(oldKey)).accepted).toBe(1);
    expect(verifyApiKey).toHaveBeenCalledTimes(1);
    expect((await send(oldKey)).accepted).toBe(1);
    expect(verifyApiKey).toHaveBeenCalledTimes(1);

    // Past the cache's TTL the record is read again; its key hash is the same.
    vi.setSystemTime(Date.now() + 6_000);
    expect((await send(oldKey)).accepted).toBe(1);
    expect(verifyApiKey).toHaveBeenCalledTimes(1);

    // The key rotated on another node: the row changes, this node gets no change event.
    const newKey = secrets.newApiKey();
    await ts.store.db.query('UPDATE devices SET api_key_hash = $1 WHERE id = $2', [
      secrets.hashApiKey(newKey),
      deviceId,
    ]);
    // Once the record is re-read, the old key is refused and the new one opens.
    vi.setSystemTime(Date.now() + 6_000);
    const refused = await send(oldKey);
    expect(refused.accepted).toBe(0);
    expect(refused.rejected.map((r) => r.code)).toEqual(['forbidden']);
    expect((await send(newKey)).accepted).toBe(1);
  });
});
