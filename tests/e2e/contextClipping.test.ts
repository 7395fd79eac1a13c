import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Document, NodeIO } from '@gltf-transform/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECTS, seedDemoCity } from '../../server/seed/demoCity.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openBrowser, SLOW_MS, waitForReady, type BrowserSession } from './browser.js';

// Issue 20, city context in 3D: CONTEXT_TILESET_URL with a real (if tiny) 3D Tiles 1.1 tileset generated here: one
// 400 x 400 x 300 m box "building" (a glTF content) standing over the first demo project. The project must never be
// buried in it: the map clips the context around every footprint, so a click on the project hits the project.
const SITE = DEMO_PROJECTS[0]!;
const HALF_M = 200;
const HEIGHT_M = 300;

/** East-north-up frame at a WGS84 point, column-major (the tileset root transform). */
function enu(lonDeg: number, latDeg: number): number[] {
  const a = 6378137;
  const e2 = 6.69437999014e-3;
  const lon = (lonDeg * Math.PI) / 180;
  const lat = (latDeg * Math.PI) / 180;
  const n = a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  const p = [n * Math.cos(lat) * Math.cos(lon), n * Math.cos(lat) * Math.sin(lon), n * (1 - e2) * Math.sin(lat)];
  const east = [-Math.sin(lon), Math.cos(lon), 0];
  const north = [-Math.sin(lat) * Math.cos(lon), -Math.sin(lat) * Math.sin(lon), Math.cos(lat)];
  const up = [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
  return [...east, 0, ...north, 0, ...up, 0, ...p, 1];
}

/** A closed box as a glTF (y up, as 3D Tiles glTF content is): x east, y up, z south. */
async function boxGlb(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const h = HALF_M;
  const corners = [
    [-h, 0, -h], [h, 0, -h], [h, 0, h], [-h, 0, h],
    [-h, HEIGHT_M, -h], [h, HEIGHT_M, -h], [h, HEIGHT_M, h], [-h, HEIGHT_M, h],
  ];
  const faces = [[0, 1, 2, 3], [7, 6, 5, 4], [0, 4, 5, 1], [1, 5, 6, 2], [2, 6, 7, 3], [3, 7, 4, 0]];
  const pos: number[] = [];
  const idx: number[] = [];
  for (const f of faces) {
    const base = pos.length / 3;
    for (const v of f) pos.push(...corners[v]!);
    idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  const material = doc.createMaterial('context').setBaseColorFactor([0.6, 0.6, 0.62, 1]).setDoubleSided(true);
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(pos)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(idx)).setBuffer(buffer))
    .setMaterial(material);
  const mesh = doc.createMesh('building').addPrimitive(prim);
  doc.createScene().addChild(doc.createNode('building').setMesh(mesh));
  return new NodeIO().writeBinary(doc);
}

let tiles: Server;
let t: TestServer;
let b: BrowserSession;

beforeAll(async () => {
  const glb = await boxGlb();
  const tileset = {
    asset: { version: '1.1' },
    geometricError: 500,
    root: {
      transform: enu(SITE.lon, SITE.lat),
      boundingVolume: { box: [0, 0, HEIGHT_M / 2, HALF_M, 0, 0, 0, HALF_M, 0, 0, 0, HEIGHT_M / 2] },
      geometricError: 0,
      refine: 'ADD',
      content: { uri: 'building.glb' },
    },
  };
  tiles = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.url?.startsWith('/tileset.json')) res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(tileset));
    else if (req.url?.startsWith('/building.glb')) res.writeHead(200, { 'Content-Type': 'model/gltf-binary' }).end(Buffer.from(glb));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => tiles.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}/tileset.json`;
  t = await startTestServer({ env: { CONTEXT_TILESET_URL: url } });
  expect(await seedDemoCity(t.store)).toBe(DEMO_PROJECTS.length);
  b = await openBrowser({ viewport: { width: 1280, height: 720 } });
}, 120_000);
afterAll(async () => {
  await b?.close();
  await t?.close();
  await new Promise((r) => tiles?.close(r));
});

describe('CONTEXT_TILESET_URL: the city context around the projects', () => {
  it('clips a real 3D Tiles context around every footprint: the project is picked where the context stood', async () => {
    const page = b.page;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await waitForReady(page, 2 * SLOW_MS);
    await page.waitForFunction((n) => window.__siteTwinCity?.contextClipPolygons() === n, DEMO_PROJECTS.length, { timeout: 2 * SLOW_MS, polling: 500 });
    // From above and a little aside, at the footprint's centre just under the project's roof.
    await page.evaluate(({ lon, lat }) => window.__siteTwin.lookAt(lon, lat, 1_500), SITE);
    await page.waitForFunction(() => window.__siteTwin.idle && window.__siteTwinCity.contextLoaded(), undefined, { timeout: 2 * SLOW_MS, polling: 500 });
    const pickAt = async (clip: boolean) =>
      page.evaluate(
        async ({ clip, lon, lat, h }) => {
          const p = window.__siteTwin;
          const f = p.frames;
          window.__siteTwinCity.clipContext(clip);
          await new Promise<void>((r) => {
            const check = () => (p.frames > f + 1 ? r() : requestAnimationFrame(check));
            check();
          });
          return window.__siteTwinCity.pickAt(lon, lat, h);
        },
        { clip, lon: SITE.lon, lat: SITE.lat, h: SITE.heightM - 2 },
      );
    // Without the clipping the box (300 m) buries the project (180 m): a click hits the context.
    expect(await pickAt(false)).toBe('context');
    expect(await pickAt(true)).toMatch(/^project:/);
    expect(b.consoleErrors).toEqual([]);
  }, 6 * SLOW_MS);
});
