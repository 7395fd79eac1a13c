import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Document, NodeIO } from '@gltf-transform/core';
import { Cartesian3, Matrix4, Transforms } from 'cesium';

/** A box building of the context: centre offset east/north of the tileset's origin (m), size (m), on the ground. */
export interface ContextBox {
  eastM: number;
  northM: number;
  widthM: number;
  depthM: number;
  heightM: number;
}

/**
 * A real 3D Tiles 1.1 tileset of box buildings, as a city's context would come (photogrammetry or a buildings
 * layer): tileset.json whose root tile carries an east-north-up transform at `origin` and one glb of all the boxes
 * (glTF is y-up: east = x, up = y, north = -z; 3D Tiles turns it z-up).
 */
export async function contextTileset(
  origin: { lon: number; lat: number },
  boxes: ContextBox[],
): Promise<{ tileset: object; glb: Uint8Array }> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const scene = doc.createScene('context');
  const material = doc.createMaterial('concrete').setBaseColorFactor([0.72, 0.7, 0.66, 1]).setMetallicFactor(0);
  // The six faces of a unit box (x, y, z in -0.5..0.5) with their outward normals, corners counter-clockwise.
  const faces: [number[], number[][]][] = [
    [
      [1, 0, 0],
      [
        [0.5, -0.5, 0.5],
        [0.5, -0.5, -0.5],
        [0.5, 0.5, -0.5],
        [0.5, 0.5, 0.5],
      ],
    ],
    [
      [-1, 0, 0],
      [
        [-0.5, -0.5, -0.5],
        [-0.5, -0.5, 0.5],
        [-0.5, 0.5, 0.5],
        [-0.5, 0.5, -0.5],
      ],
    ],
    [
      [0, 1, 0],
      [
        [-0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5],
        [0.5, 0.5, -0.5],
        [-0.5, 0.5, -0.5],
      ],
    ],
    [
      [0, -1, 0],
      [
        [-0.5, -0.5, -0.5],
        [0.5, -0.5, -0.5],
        [0.5, -0.5, 0.5],
        [-0.5, -0.5, 0.5],
      ],
    ],
    [
      [0, 0, 1],
      [
        [-0.5, -0.5, 0.5],
        [0.5, -0.5, 0.5],
        [0.5, 0.5, 0.5],
        [-0.5, 0.5, 0.5],
      ],
    ],
    [
      [0, 0, -1],
      [
        [0.5, -0.5, -0.5],
        [-0.5, -0.5, -0.5],
        [-0.5, 0.5, -0.5],
        [0.5, 0.5, -0.5],
      ],
    ],
  ];
  let halfE = 0;
  let halfN = 0;
  let top = 0;
  boxes.forEach((b, i) => {
    const pos: number[] = [];
    const nor: number[] = [];
    const idx: number[] = [];
    for (const [n, corners] of faces) {
      const base = pos.length / 3;
      for (const [x, y, z] of corners) {
        pos.push(b.eastM + x! * b.widthM, (y! + 0.5) * b.heightM, -b.northM + z! * b.depthM);
        nor.push(...n);
      }
      idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
    }
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(pos)).setBuffer(buffer))
      .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(nor)).setBuffer(buffer))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(idx)).setBuffer(buffer))
      .setMaterial(material);
    scene.addChild(doc.createNode(`building-${i}`).setMesh(doc.createMesh(`building-${i}`).addPrimitive(prim)));
    halfE = Math.max(halfE, Math.abs(b.eastM) + b.widthM / 2);
    halfN = Math.max(halfN, Math.abs(b.northM) + b.depthM / 2);
    top = Math.max(top, b.heightM);
  });
  doc.getRoot().setDefaultScene(scene);
  const glb = await new NodeIO().writeBinary(doc);
  const enu = Transforms.eastNorthUpToFixedFrame(Cartesian3.fromDegrees(origin.lon, origin.lat, 0));
  const tileset = {
    asset: { version: '1.1', generator: 'site-twin tests' },
    geometricError: 200,
    root: {
      transform: Matrix4.toArray(enu),
      // Tile frame (z-up, east-north-up): centre then the three half-axes.
      boundingVolume: { box: [0, 0, top / 2, halfE, 0, 0, 0, halfN, 0, 0, 0, top / 2] },
      geometricError: 0,
      refine: 'ADD',
      content: { uri: 'buildings.glb' },
    },
  };
  return { tileset, glb };
}

/** Serves a tileset on 127.0.0.1 (another origin than the app's, with CORS, as a tileset host would). */
export async function serveTileset(files: { tileset: object; glb: Uint8Array }): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('access-control-allow-origin', '*');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/tileset.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(files.tileset));
    } else if (path === '/buildings.glb') {
      res.setHeader('content-type', 'model/gltf-binary');
      res.end(Buffer.from(files.glb));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tileset.json`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
