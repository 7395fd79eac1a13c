import { randomUUID } from 'node:crypto';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraParams } from '../../../../models/Camera.js';
import { seedDemoCity } from '../../../../server/demo/demoCity.js';
import { startInAppSimulation, type InAppSimulation } from '../../../../server/demo/simulator/inApp.js';
import { MJPEG_HEIGHT, MJPEG_WIDTH } from '../../../../server/demo/simulator/mjpeg.js';
import { loadConfig } from '../../../../server/config.js';
import { createLogger } from '../../../../server/log.js';
import { startServer } from '../../../../server/Server.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

let t: TestServer;
let sim: InAppSimulation | undefined;

beforeAll(async () => {
  // SIMULATE=1 mounts the camera streams (startServer does not start a simulation: the test does, below).
  t = await startTestServer({ env: { SIMULATE: '1' } });
  await seedDemoCity(t.store);
  sim = await startInAppSimulation(t.server.ctx, { tickMs: 1000, streamBaseUrl: t.url });
});
afterAll(async () => {
  await sim?.stop();
  await t?.close();
});

/** Reads `n` JPEG parts of a multipart/x-mixed-replace stream (by their Content-Length headers). */
async function readParts(url: string, n: number): Promise<{ contentType: string; parts: Buffer[] }> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  const reader = res.body!.getReader();
  let buf = Buffer.alloc(0);
  const parts: Buffer[] = [];
  while (parts.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf = Buffer.concat([buf, Buffer.from(value)]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) break;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString('latin1'))?.[1]);
      if (buf.length < head + 4 + len + 2) break;
      parts.push(buf.subarray(head + 4, head + 4 + len));
      buf = buf.subarray(head + 4 + len + 2);
    }
  }
  ac.abort();
  // A loaded machine can deliver several frames in one read: the first n are the ones asked for.
  return { contentType: res.headers.get('content-type') ?? '', parts: parts.slice(0, n) };
}

describe('simulated MJPEG camera streams', () => {
  it('points each demo camera at its stream, which sends changing JPEG frames', async () => {
    const cams = (await t.store.devices.list()).filter((d) => d.kind === 'camera');
    expect(cams.length).toBe(4);
    const p = CameraParams.parse(cams[0]!.params);
    expect(p.streamKind).toBe('mjpeg');
    expect(p.streamUrl).toBe(`${t.url}/api/v1/sim/cameras/${cams[0]!.id}/mjpeg`);

    const { contentType, parts } = await readParts(p.streamUrl!, 2);
    expect(contentType).toMatch(/^multipart\/x-mixed-replace; boundary=/);
    expect(parts).toHaveLength(2);
    const [a, b] = parts.map((x) => jpeg.decode(x, { useTArray: true }));
    expect([a!.width, a!.height]).toEqual([MJPEG_WIDTH, MJPEG_HEIGHT]);
    let diff = 0;
    for (let i = 0; i < a!.data.length; i += 4) diff += Math.abs(a!.data[i]! - b!.data[i]!);
    expect(diff).toBeGreaterThan(1000); // the sweep bar and the jib moved between frames

    const snap = await fetch(p.streamUrl!.replace(/mjpeg$/, 'snapshot.jpg'));
    expect(snap.headers.get('content-type')).toBe('image/jpeg');
    expect(jpeg.decode(Buffer.from(await snap.arrayBuffer())).width).toBe(MJPEG_WIDTH);
  });

  it('is not mounted without the demo (SIMULATE=0): no route, even for a camera the simulation registered', async () => {
    const cam = (await t.store.devices.list()).find((d) => d.kind === 'camera')!;
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SEED: '0',
      SIMULATE: '0',
      AUTH: 'off',
      RATE_LIMIT_API_PER_MIN: '0',
    });
    const plain = await startServer({ config, store: t.store, log: createLogger('silent') });
    try {
      const on = await fetch(`${t.url}/api/v1/sim/cameras/${cam.id}/snapshot.jpg`);
      expect(on.status).toBe(200);
      await on.arrayBuffer();
      const off = await fetch(`${plain.url}/api/v1/sim/cameras/${cam.id}/snapshot.jpg`);
      expect(off.status).toBe(404);
      expect(((await off.json()) as { message: string }).message).toMatch(/^No route GET /);
    } finally {
      await plain.close();
    }
  });

  it('answers 404 with a stable code for other ids, and for every camera once the simulator stops', async () => {
    const other = await t.api('GET', `/api/v1/sim/cameras/${randomUUID()}/mjpeg`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
    const cam = (await t.store.devices.list()).find((d) => d.kind === 'camera')!;
    await sim!.stop();
    sim = undefined;
    const gone = await t.api('GET', `/api/v1/sim/cameras/${cam.id}/snapshot.jpg`);
    expect(gone.status).toBe(404);
  });
});
