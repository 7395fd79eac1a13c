import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Model, type SpatialStructure } from '@thatopen/fragments';
import { unzlibSync } from 'fflate';
import { ByteBuffer } from 'flatbuffers';
import { afterAll, describe, expect, it } from 'vitest';
import type { ElementInput, TreeNode } from '../../../models/BimModel.js';
import { convertIfc } from '../../../server/ifc/pipeline/convert.js';
import { ifcToFragments } from '../../../server/ifc/pipeline/fragments.js';

// The workspace's .frag carries what the workspace reads of it (data: 'workspace', the default): the items' GlobalIds
// and classes, the spatial structure and the geometry; properties come from the element index. What the workspace
// reads must be what the full file (data: 'full', the importer's default content) gives.
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const present = existsSync(SHARED);
if (!present) console.warn(`fragmentsData: ${SHARED} is absent; skipped`);
const FILES = ['example.ifc', 'AC20-FZK-Haus.ifc'];

const tmp = mkdtempSync(join(tmpdir(), 'sitetwin-fragdata-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The parts of a .frag the workspace reads (Viewer3D, ModelBrowser, selection by GlobalId). */
function workspaceView(frag: Uint8Array) {
  const m = Model.getRootAsModel(new ByteBuffer(unzlibSync(frag)));
  const localIds = Array.from(m.localIdsArray() ?? []);
  const category = new Map(localIds.map((id, i) => [id, m.categories(i)]));
  const guids = new Map<string, number>();
  for (let i = 0; i < m.guidsLength(); i++) guids.set(m.guids(i), m.guidsItems(i)!);
  const meshes = m.meshes()!;
  const withGeometry: [number, string | null][] = [];
  for (let i = 0; i < meshes.meshesItemsLength(); i++) {
    const id = m.localIds(meshes.meshesItems(i)!)!;
    withGeometry.push([id, category.get(id) ?? null]);
  }
  const tree = (s: SpatialStructure): unknown => ({
    localId: s.localId(),
    category: s.category(),
    children: Array.from({ length: s.childrenLength() }, (_, i) => tree(s.children(i)!)),
  });
  return { guids, withGeometry, spatial: tree(m.spatialStructure()!), samples: meshes.samplesLength() };
}

describe.skipIf(!present)('the workspace Fragments file', () => {
  it.each(FILES)('%s: gives the workspace what the full file gives, in a smaller file', async (name) => {
    const path = join(SHARED, name);
    const bytes = readFileSync(path);
    const full = await ifcToFragments(bytes, undefined, { id: 'm', data: 'full' });
    const lean = await ifcToFragments(bytes, undefined, { id: 'm' });
    expect(lean.byteLength).toBeLessThan(full.byteLength * 0.8);
    const [a, b] = [workspaceView(lean), workspaceView(full)];
    expect(a.withGeometry).toEqual(b.withGeometry);
    expect(a.samples).toBe(b.samples);
    expect(a.spatial).toEqual(b.spatial);
    // Selection by GlobalId: every element and spatial node of the index finds the same item both ways.
    const rows: ElementInput[] = [];
    const r = await convertIfc(
      { ifcPath: path, outDir: join(tmp, name), skipFragments: true },
      { progress() {}, elements: (batch) => void rows.push(...batch) },
    );
    const wanted = new Set(rows.map((e) => e.globalId));
    const walk = (n: TreeNode) => (n.globalId && wanted.add(n.globalId), n.children.forEach(walk));
    if (r.tree) walk(r.tree);
    expect(wanted.size).toBeGreaterThan(10);
    for (const gid of wanted) expect(a.guids.get(gid), gid).toBe(b.guids.get(gid));
    // What the lean file leaves out are the property, quantity, material and type entities' GlobalIds.
    for (const [gid, id] of a.guids) expect(b.guids.get(gid)).toBe(id);
    expect(a.guids.size).toBeLessThan(b.guids.size);
  });
});
