import type { DeviceKind } from '../../../models/Device.js';
import type { AppContext } from '../../context.js';
import { hashApiKey, newApiKey } from '../../security/deviceSecrets.js';
import { DEMO_PROJECTS } from '../demoCity.js';
import { StoreUnavailableError } from '../../store/errors.js';
import { offset, planSite, simFor } from './fleet.js';
import { simCameras } from './mjpeg.js';
import { seedOf } from './rng.js';
import type { Sim } from './siteDevices.js';

/** Names of the demo's simulated devices start with this; a restart finds them by name instead of adding more. */
export const DEMO_DEVICE_PREFIX = '演示 ';

/**
 * Seconds between readings per kind: machines at 1 Hz as their monitors send, slow quantities less often (a pit
 * gauge that reports every second would only fill the store). Gates report events, on average this often.
 */
export const IN_APP_PERIOD_S: Record<DeviceKind, number> = {
  tower_crane: 1,
  hoist: 1,
  env_monitor: 5,
  pit_gauge: 30,
  camera: 10,
  gate: 20,
  sensor: 5,
};

export interface InAppSimulation {
  /** Devices being fed. */
  devices: number;
  /** Ticks that wrote a batch, and readings accepted in all. */
  stats: { ticks: number; accepted: number; rejected: number; skipped: number };
  stop(): Promise<void>;
}

interface Fed {
  id: string;
  kind: DeviceKind;
  key: string;
  sim: Sim<Record<string, unknown>>;
  nextAt: number;
}

/**
 * The light simulation `npm start` runs so the demo city is alive from the first second: a few devices per demo
 * project under construction, registered once (found by name on later starts), fed through `ctx.ingest` like any
 * transport. A key is shown only once, so each start gives the demo devices fresh keys and keeps them in memory.
 */
export async function startInAppSimulation(
  ctx: Pick<AppContext, 'store' | 'ingest' | 'log'>,
  opts: {
    tickMs?: number;
    /**
     * The server's URL as browsers reach it: the demo cameras then stream generated MJPEG from
     * `<url>/api/v1/sim/cameras/:id/mjpeg` (a camera's stream URL must be absolute).
     */
    streamBaseUrl?: string;
  } = {},
): Promise<InAppSimulation> {
  const log = ctx.log.child({ component: 'simulator' });
  const demoNames = new Set(DEMO_PROJECTS.filter((p) => p.status === 'under_construction').map((p) => p.name));
  const projects = (await ctx.store.projects.list()).filter((p) => demoNames.has(p.name));
  const fed: Fed[] = [];
  const cameraIds: string[] = [];
  const now = Date.now();
  for (const [i, p] of projects.entries()) {
    const existing = await ctx.store.devices.list(p.id);
    // Bigger sites get two cranes; every site gets one of each other kind.
    for (const spec of planSite(i % 2 === 0 ? 2 : 1, 6)) {
      const name = `${DEMO_DEVICE_PREFIX}${spec.name}`;
      const key = newApiKey();
      const found = existing.find((d) => d.name === name && d.kind === spec.kind);
      const stream =
        spec.kind === 'camera' && opts.streamBaseUrl && found ? cameraStream(opts.streamBaseUrl, found.id) : {};
      let device = found
        ? await ctx.store.devices.update(found.id, {
            apiKeyHash: hashApiKey(key),
            params: { ...found.params, ...stream },
          })
        : await ctx.store.devices.create({
            projectId: p.id,
            kind: spec.kind,
            name,
            params: spec.params,
            apiKeyHash: hashApiKey(key),
            location: offset(p.location, spec.eastM, spec.northM, spec.heightM),
          });
      if (!device) continue;
      if (device.kind === 'camera' && opts.streamBaseUrl && !found) {
        // A new camera's id (and so its stream URL) is known only once it is created.
        device =
          (await ctx.store.devices.update(device.id, {
            params: { ...device.params, ...cameraStream(opts.streamBaseUrl, device.id) },
          })) ?? device;
      }
      if (device.kind === 'camera' && opts.streamBaseUrl) {
        simCameras.set(device.id, { seed: seedOf(device.id) });
        cameraIds.push(device.id);
      }
      ctx.ingest.forgetDevice(device.id);
      // Every device reports at once, so a viewer sees the whole site from the first second; then on its period.
      fed.push({
        id: device.id,
        kind: spec.kind,
        key,
        sim: simFor(spec.kind, seedOf(device.id), device.params, now),
        nextAt: now,
      });
    }
  }
  log.info({ projects: projects.length, devices: fed.length }, 'simulator: feeding the demo devices');

  const stats = { ticks: 0, accepted: 0, rejected: 0, skipped: 0 };
  let inFlight: Promise<void> | undefined;
  const tick = () => {
    // A slow store must not pile up batches: skip the tick and let the next one carry the current state.
    if (inFlight) return void stats.skipped++;
    const t = Date.now();
    const batch: Array<{ deviceId: string; time: number; values: Record<string, unknown>; key: string }> = [];
    for (const f of fed) {
      if (t < f.nextAt) continue;
      const period = IN_APP_PERIOD_S[f.kind] * 1000;
      // Gate events come at random moments, on average once a period; everything else on its period.
      f.nextAt =
        f.kind === 'gate'
          ? t + period * (0.2 + 1.6 * ((seedOf(`${f.id}${t}`) % 1000) / 1000))
          : Math.max(f.nextAt + period, t + 1);
      batch.push({ deviceId: f.id, time: t, values: f.sim.next(t), key: f.key });
    }
    if (!batch.length) return;
    inFlight = ctx.ingest
      .submit(batch, { transport: 'http' })
      .then((r) => {
        stats.ticks++;
        stats.accepted += r.accepted;
        stats.rejected += r.rejected.length;
      })
      .catch((err) => {
        if (err instanceof StoreUnavailableError) log.warn('simulator: store unavailable, tick dropped');
        else log.error({ err }, 'simulator: tick failed');
      })
      .finally(() => (inFlight = undefined));
  };
  const timer = fed.length ? setInterval(tick, opts.tickMs ?? 250) : undefined;
  return {
    devices: fed.length,
    stats,
    async stop() {
      if (timer) clearInterval(timer);
      for (const id of cameraIds) simCameras.delete(id);
      await inFlight;
    },
  };
}

/** Camera params pointing at the simulator's generated MJPEG stream of `id`. */
function cameraStream(baseUrl: string, id: string): { streamUrl: string; streamKind: 'mjpeg' } {
  return { streamUrl: `${baseUrl.replace(/\/$/, '')}/api/v1/sim/cameras/${id}/mjpeg`, streamKind: 'mjpeg' };
}
