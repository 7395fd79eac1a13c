import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FloatVector,
  Meshes,
  Representation,
  RepresentationClass,
  Sample,
  Shell,
  ShellProfile,
  ShellType,
  SingleThreadedFragmentsModel,
  type SpatialTreeItem,
  Transform,
} from '@thatopen/fragments';
import { Builder } from 'flatbuffers';
import { unzlibSync } from 'fflate';
import * as THREE from 'three';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ElementInput } from '../../../models/BimModel.js';
import { convertIfc } from '../../../server/ifc/pipeline/convert.js';
import {
  offsetsVector,
  pointsVector,
  putTransform,
  smallProfiles,
  smallShell,
  structVector,
  vtableOf,
  zerosInt16Vector,
} from '../../../server/ifc/pipeline/flatbufferWrites.js';
import { ifcToFragments } from '../../../server/ifc/pipeline/fragments.js';
import { TwinSession } from '../../../server/ifc/pipeline/twinSession.js';
import { WebIFC } from '../../../server/ifc/pipeline/webIfc.js';

// Our own Fragments geometry writer (fragWriter.ts, IFC_FRAGMENTS_WRITER=own): the Fragments file made from the map
// job's meshes, without the importer's mesh pass, opened by the Fragments library itself (its single-threaded model,
// headless) must give what the importer's file gives: the same items, GlobalIds, classes and spatial tree, and for
// every item the same number of samples and triangles in the same place.
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const present = existsSync(SHARED);
if (!present) console.warn(`fragWriter: ${SHARED} is absent; skipped`);
const FILES = ['example.ifc', 'AC20-FZK-Haus.ifc', 'duplex.ifc', 'schependomlaan/WILLEMSEN-Laagbouw.ifc'];

const tmp = mkdtempSync(join(tmpdir(), 'sitetwin-fragw-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const sink = (rows: ElementInput[] = []) => ({ progress() {}, elements: (b: ElementInput[]) => void rows.push(...b) });

/** What the workspace reads of a model, and each drawn item's triangles and world box, from the library's loader. */
function view(frag: Uint8Array) {
  const m = new SingleThreadedFragmentsModel('m', unzlibSync(frag), true);
  try {
    const ids = m
      .getItemsIdsWithGeometry()
      .slice()
      .sort((a, b) => a - b);
    const all = m.getLocalIds();
    const guidOf = new Map<number, string | null>();
    const gids = m.getGuidsByLocalIds(all);
    all.forEach((id, i) => guidOf.set(id, gids[i] ?? null));
    const items = m.getItems(all);
    const categoryOf = new Map<number, string>();
    for (const [id, item] of items) categoryOf.set(id, (item as { category?: string }).category ?? '');
    const tree = (s: SpatialTreeItem): unknown => ({
      id: s.localId ?? null,
      category: s.category ?? null,
      children: (s.children ?? []).map(tree),
    });
    const geometry = m.getItemsGeometry(ids);
    const drawn = ids.map((id, k) => {
      const box = new THREE.Box3();
      const p = new THREE.Vector3();
      let triangles = 0;
      for (const mesh of geometry[k] ?? []) {
        const pos = mesh.positions!;
        triangles += (mesh.indices?.length ?? 0) / 3;
        for (let i = 0; i < pos.length; i += 3)
          box.expandByPoint(p.set(pos[i]!, pos[i + 1]!, pos[i + 2]!).applyMatrix4(mesh.transform));
      }
      return {
        id,
        guid: guidOf.get(id),
        category: categoryOf.get(id),
        samples: geometry[k]?.length ?? 0,
        triangles,
        box,
      };
    });
    return {
      drawn,
      guids: [...guidOf].filter(([, g]) => g).sort((a, b) => a[0] - b[0]),
      categories: m.getCategories().slice().sort(),
      spatial: tree(m.getSpatialStructure()),
      coordinates: m.getCoordinates(),
    };
  } finally {
    m.dispose();
  }
}

/** Our file of `name`, from a session whose map job ran first (as in the conversion worker). */
async function ours(name: string): Promise<Uint8Array> {
  const path = join(SHARED, name);
  const bytes = readFileSync(path);
  const session = await TwinSession.open(bytes);
  try {
    await convertIfc({ ifcPath: path, outDir: join(tmp, `b-${name}`), skipFragments: true, session }, sink());
    return await ifcToFragments(bytes, undefined, { id: 'm', writer: 'own' }, session);
  } finally {
    session.close();
  }
}

describe.skipIf(!present)('our Fragments writer', () => {
  it('over the keep budget, the products the map job did not keep are meshed for it: the same file', async () => {
    const all = await ours(FILES[0]!);
    vi.stubEnv('IFC_TWIN_KEEP_MB', String(40 / 1024));
    try {
      const some = await ours(FILES[0]!);
      expect(Buffer.compare(unzlibSync(some), unzlibSync(all))).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each(FILES)("%s: the library reads from our file what it reads from the importer's", async (name) => {
    const path = join(SHARED, name);
    const bytes = readFileSync(path);
    const theirs = view(await ifcToFragments(bytes, undefined, { id: 'm', writer: 'importer' }));

    // Our writer meshes nothing again: every product comes from the map job's pass or, for what the map does not
    // draw (spaces, openings), from one StreamMeshes of its own.
    const session = await TwinSession.open(bytes);
    let frag: Uint8Array;
    try {
      await convertIfc({ ifcPath: path, outDir: join(tmp, name), skipFragments: true, session }, sink());
      const meshed = new Map<number, number>();
      const real = WebIFC.IfcAPI.prototype.StreamMeshes;
      vi.spyOn(WebIFC.IfcAPI.prototype, 'StreamMeshes').mockImplementation(function (this: WebIFC.IfcAPI, id, ids, cb) {
        return real.call(this, id, ids, (mesh, i, n) => {
          meshed.set(mesh.expressID, (meshed.get(mesh.expressID) ?? 0) + 1);
          cb(mesh, i, n);
        });
      });
      frag = await ifcToFragments(bytes, undefined, { id: 'm', writer: 'own' }, session);
      expect(session.meshes.stats.replayed).toBeGreaterThan(0);
      expect(session.meshes.stats.replayed).toBe(session.meshes.stats.kept);
      expect([...meshed.values()].filter((n) => n > 1)).toEqual([]);
    } finally {
      session.close();
    }
    const ours = view(frag);

    expect(ours.guids).toEqual(theirs.guids);
    expect(ours.categories).toEqual(theirs.categories);
    expect(ours.spatial).toEqual(theirs.spatial);
    expect(ours.coordinates).toEqual(theirs.coordinates);
    expect(ours.drawn.length).toBeGreaterThan(10);
    expect(ours.drawn.map((d) => [d.id, d.guid, d.category, d.samples, d.triangles])).toEqual(
      theirs.drawn.map((d) => [d.id, d.guid, d.category, d.samples, d.triangles]),
    );
    // The same place to a millimetre (both round the items' x directions to 1e-3).
    ours.drawn.forEach((d, i) => {
      const t = theirs.drawn[i]!;
      for (const k of ['min', 'max'] as const)
        for (const c of ['x', 'y', 'z'] as const)
          expect(Math.abs(d.box[k][c] - t.box[k][c]), `${d.guid} ${k}.${c}`).toBeLessThan(1e-3);
    });
  });
});

describe('shell tables written in one loop', () => {
  // The generated code's way: what fragWriter wrote before, and what the Fragments loader reads.
  const generated = (b: Builder, tris: Uint32Array) => {
    const profiles: number[] = [];
    for (let t = 0; t < tris.length / 3; t++) {
      b.startVector(2, 3, 2);
      b.addInt16(tris[t * 3 + 2]!);
      b.addInt16(tris[t * 3 + 1]!);
      b.addInt16(tris[t * 3]!);
      profiles.push(ShellProfile.createShellProfile(b, b.endVector()));
    }
    const list = Shell.createProfilesVector(b, profiles);
    Shell.startProfilesFaceIdsVector(b, profiles.length);
    for (let t = 0; t < profiles.length; t++) b.addInt16(0);
    return [list, b.endVector()];
  };
  const ours = (b: Builder, tris: Uint32Array) => {
    const profiles: number[] = new Array(tris.length / 3);
    smallProfiles(b, tris, tris.length / 3, profiles);
    return [offsetsVector(b, profiles), zerosInt16Vector(b, profiles.length)];
  };
  /** Something written before (a string of odd length, so the profiles start unaligned; maybe a profile already). */
  const before = (b: Builder, profileFirst: boolean) => {
    b.createString('abcde');
    if (profileFirst) generated(b, new Uint32Array([7, 8, 9]));
    b.addInt8(1);
  };

  it('gives the bytes and offsets of the generated code, growing the buffer on the way', () => {
    for (const n of [0, 1, 2, 3, 5, 1000, 30_000])
      for (const profileFirst of [false, true])
        for (const initial of [16, 1 << 20]) {
          const tris = new Uint32Array(n * 3).map((_, i) => (i * 7919 + n) % 65_536);
          const a = new Builder(initial);
          const b = new Builder(initial);
          before(a, profileFirst);
          before(b, profileFirst);
          const offA = generated(a, tris);
          const offB = ours(b, tris);
          // A table after them reuses the same vtables the same way.
          offA.push(ShellProfile.createShellProfile(a, offA[0]!));
          offB.push(ShellProfile.createShellProfile(b, offB[0]!));
          a.finish(offA[2]!);
          b.finish(offB[2]!);
          expect(offB, `${n} ${profileFirst} ${initial}`).toEqual(offA);
          expect(Buffer.from(b.asUint8Array()).equals(Buffer.from(a.asUint8Array())), `${n} ${profileFirst}`).toBe(
            true,
          );
        }
  });
});

describe('shell points copied in one call', () => {
  it('gives the bytes and offset of the generated code, growing the buffer on the way', () => {
    for (const n of [0, 1, 2, 7, 30_000])
      for (const initial of [16, 1 << 20]) {
        // float32 values of every kind: negative, tiny, -0, large.
        const points = new Float32Array(n * 3).map((_, i) => ((i * 7919) % 1000) / 7 - 70 + (i % 5 === 0 ? -0 : 1e-7));
        const a = new Builder(initial);
        const b = new Builder(initial);
        // Something of odd length first, so the vector starts unaligned.
        for (const x of [a, b]) (x.createString('abcde'), x.addInt8(1));
        Shell.startPointsVector(a, n);
        for (let i = n - 1; i >= 0; i--)
          FloatVector.createFloatVector(a, points[i * 3]!, points[i * 3 + 1]!, points[i * 3 + 2]!);
        const offA = a.endVector();
        const offB = pointsVector(b, points);
        const tA = ShellProfile.createShellProfile(a, offA);
        const tB = ShellProfile.createShellProfile(b, offB);
        a.finish(tA);
        b.finish(tB);
        expect(offB, `${n} ${initial}`).toBe(offA);
        expect(Buffer.from(b.asUint8Array()).equals(Buffer.from(a.asUint8Array())), `${n} ${initial}`).toBe(true);
      }
  });
});

describe('small shells after the first written in byte loops', () => {
  // What writeMeshes wrote for each small shell before: its profiles, then the generated code for the rest.
  const generated = (b: Builder, tris: Uint32Array, points: number) => {
    const nt = tris.length / 3;
    const profiles: number[] = new Array(nt);
    const profile = smallProfiles(b, tris, nt, profiles);
    const bigProfiles = Shell.createBigProfilesVector(b, []);
    const list = offsetsVector(b, profiles);
    const bigHoles = Shell.createBigHolesVector(b, []);
    const holes = Shell.createHolesVector(b, []);
    const faceIds = zerosInt16Vector(b, nt);
    const shell = Shell.createShell(b, list, holes, points, bigProfiles, bigHoles, ShellType.NONE, faceIds);
    return { shell, vtables: { profile, shell: vtableOf(b, shell) } };
  };

  it('gives the bytes and offsets of the generated code, growing the buffer on the way', () => {
    const shells = [1, 2, 5, 1000, 1, 3, 30_000, 7].map((n) =>
      new Uint32Array(n * 3).map((_, i) => (i * 7919 + n) % 65_536),
    );
    for (const initial of [16, 1 << 20])
      for (const oddPoints of [false, true]) {
        const a = new Builder(initial);
        const b = new Builder(initial);
        // Something of odd length first, and a table with a one-offset vtable (as the importer's attributes are).
        for (const x of [a, b]) {
          x.createString('abcde');
          x.addInt8(1);
          ShellProfile.createShellProfile(x, x.createString('xy'));
        }
        const offA: number[] = [];
        const offB: number[] = [];
        let known: { profile: number; shell: number } | null = null;
        for (const [k, tris] of shells.entries()) {
          // 1 or 2 points (12 or 24 bytes), so that the shells' vectors start both aligned to 8 and not.
          const pts = new Float32Array(oddPoints ? 3 + 3 * (k % 2) : 6).fill(k);
          offA.push(generated(a, tris, pointsVector(a, pts)).shell);
          const pb = pointsVector(b, pts);
          if (!known) {
            const first = generated(b, tris, pb);
            known = first.vtables;
            offB.push(first.shell);
            continue;
          }
          const nt = tris.length / 3;
          const profiles: number[] = new Array(nt);
          smallProfiles(b, tris, nt, profiles, known.profile);
          offB.push(smallShell(b, profiles, nt, pb, known.shell));
        }
        a.finish(ShellProfile.createShellProfile(a, Meshes.createShellsVector(a, offA)));
        b.finish(ShellProfile.createShellProfile(b, Meshes.createShellsVector(b, offB)));
        expect(offB, `${initial} ${oddPoints}`).toEqual(offA);
        expect(Buffer.from(b.asUint8Array()).equals(Buffer.from(a.asUint8Array())), `${initial} ${oddPoints}`).toBe(
          true,
        );
      }
  });
});

describe('struct vectors written one call a struct', () => {
  it('gives the bytes and offsets of the generated code (Transform, Representation, Sample)', () => {
    for (const n of [0, 1, 3, 2000])
      for (const initial of [16, 1 << 20]) {
        // Doubles that float32 rounds, negatives and -0.
        const x = (i: number, k: number) => (((i * 7919 + k * 104_729) % 2001) - 1000) / 7 + (k === 4 ? -0 : 0.1);
        const tr = Array.from({ length: n }, (_, i) => Array.from({ length: 9 }, (_, k) => x(i, k)));
        const a = new Builder(initial);
        const b = new Builder(initial);
        for (const w of [a, b]) (w.createString('abcde'), w.addInt8(1));
        const offA: number[] = [];
        const offB: number[] = [];
        Meshes.startGlobalTransformsVector(a, n);
        for (let i = n - 1; i >= 0; i--)
          Transform.createTransform(
            a,
            ...(tr[i] as [number, number, number, number, number, number, number, number, number]),
          );
        offA.push(a.endVector());
        offB.push(structVector(b, n, 48, 8, (v, at, i) => putTransform(v, at, tr[i]!)));
        a.addInt8(2);
        b.addInt8(2);
        Meshes.startRepresentationsVector(a, n);
        for (let i = n - 1; i >= 0; i--)
          Representation.createRepresentation(
            a,
            i,
            x(i, 0),
            x(i, 1),
            x(i, 2),
            x(i, 3),
            x(i, 4),
            x(i, 5),
            RepresentationClass.SHELL,
          );
        offA.push(a.endVector());
        offB.push(
          structVector(b, n, 32, 4, (v, at, i) => {
            v.setUint32(at, i, true);
            for (let k = 0; k < 6; k++) v.setFloat32(at + 4 + 4 * k, x(i, k), true);
            v.setUint32(at + 28, RepresentationClass.SHELL, true);
          }),
        );
        a.addInt8(3);
        b.addInt8(3);
        Meshes.startSamplesVector(a, n);
        for (let i = n - 1; i >= 0; i--) Sample.createSample(a, i, i * 3, i * 5, i * 7);
        offA.push(a.endVector());
        offB.push(
          structVector(b, n, 16, 4, (v, at, i) =>
            [i, i * 3, i * 5, i * 7].forEach((y, k) => v.setInt32(at + 4 * k, y, true)),
          ),
        );
        a.finish(ShellProfile.createShellProfile(a, offA[0]!));
        b.finish(ShellProfile.createShellProfile(b, offB[0]!));
        expect(offB, `${n} ${initial}`).toEqual(offA);
        expect(Buffer.from(b.asUint8Array()).equals(Buffer.from(a.asUint8Array())), `${n} ${initial}`).toBe(true);
      }
  });
});
