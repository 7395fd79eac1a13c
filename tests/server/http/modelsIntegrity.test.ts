import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { storeKinds } from '../../helpers/store.js';
import { syntheticIfc } from '../ifc/syntheticIfc.js';
import { syntheticWithExtras } from '../ifc/syntheticExtras.js';
import { waitForModel } from '../ifc/waitForModel.js';

/**
 * Issue 15, BIM half: every IfcProduct of a file reachable through the element API with its property sets (also
 * IfcPropertySetDefinition subtypes such as window lining properties), the tree's counts equal to what the API lists,
 * and doubtful files said to be doubtful (no IfcProject or dangling references fail; a wrong schema line, a model far
 * from its project and an unusable map conversion are warned about, once).
 */

const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const QINGDAO_SITE = '(36,4,12,0),(120,24,0,0)';

interface Node {
  globalId: string | null;
  elementCount: number;
  children: Node[];
}
const nodesOf = (n: Node): Node[] => [n, ...n.children.flatMap(nodesOf)];

describe.each(storeKinds())('element index integrity (%s store)', (kind) => {
  let t: TestServer;
  let projectId: string;

  beforeAll(async () => {
    t = await startTestServer({ kind, env: { IFC_FAR_FROM_PROJECT_KM: '5' } });
    const e = await t.api('POST', '/api/v1/enterprises', { name: '索引测试集团' });
    const p = await t.api('POST', '/api/v1/projects', {
      name: '索引测试项目',
      enterpriseId: e.body.id,
      regionCode: '370202',
      location: { lon: 120.4, lat: 36.07, height: 0 },
      footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
    });
    projectId = p.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const convert = async (name: string, body: string | Uint8Array) => {
    const res = await fetch(`${t.url}/api/v1/projects/${projectId}/models?filename=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(body),
    });
    const r = await res.json();
    expect(res.status, JSON.stringify(r)).toBe(202);
    return waitForModel(t, r.id);
  };

  it('lists and reads every product (assemblies, spaces, openings, coverings, grids, annotations) with its sets; tree counts = API counts', async () => {
    const { text, extras } = syntheticWithExtras({ walls: 3 });
    const m = await convert('extras.ifc', text);
    expect(m.status, JSON.stringify(m.error)).toBe('ready');
    for (const [what, gid] of Object.entries(extras)) {
      const r = await t.api('GET', `/api/v1/models/${m.id}/elements/${gid}`);
      expect(r.status, `${what} ${gid}`).toBe(200);
      expect(r.body.hasGeometry, what).toBe(false);
    }
    const asm = await t.api('GET', `/api/v1/models/${m.id}/elements/${extras.assembly}`);
    expect(asm.body.ifcClass).toBe('IfcElementAssembly');
    expect(asm.body.psets['Tekla Assembly']).toEqual({ AssemblyMark: 'A1-01', Weight: 412.5, Checked: 'UNKNOWN' });
    expect(asm.body.storeyName).toBe('Level 1');
    const space = await t.api('GET', `/api/v1/models/${m.id}/elements/${extras.space}`);
    expect(space.body.psets.Qto_SpaceBaseQuantities).toEqual({ NetFloorArea: 24.5 });
    // Parts of the assembly and the wall's opening sit on the storey of their whole / host.
    for (const k of ['plateA', 'opening'] as const)
      expect((await t.api('GET', `/api/v1/models/${m.id}/elements/${extras[k]}`)).body.storeyName, k).toBe('Level 1');
    const walls = await t.api('GET', `/api/v1/models/${m.id}/elements?class=IfcWall`);
    expect(walls.body.items.every((w: any) => w.hasGeometry)).toBe(true);
    expect(
      (await t.api('GET', `/api/v1/models/${m.id}/elements?q=Truss`)).body.items.map((e: any) => e.globalId),
    ).toEqual([extras.assembly]);

    const all = await t.api('GET', `/api/v1/models/${m.id}/elements?limit=1000`);
    expect(all.body.total).toBe(m.report.indexedCount);
    const tree = (await t.api('GET', `/api/v1/models/${m.id}/tree`)).body as Node;
    const nodes = nodesOf(tree);
    expect(nodes.reduce((s, n) => s + n.elementCount, 0)).toBe(all.body.total);
    for (const n of nodes) {
      const r = await t.api('GET', `/api/v1/models/${m.id}/elements?storey=${n.globalId}&limit=1`);
      expect(r.body.total, `${n.globalId}`).toBe(n.elementCount);
    }
  });

  it('reads window lining and panel properties (IfcPropertySetDefinition subtypes) by their attribute names', async () => {
    const { text, extras } = syntheticWithExtras({ walls: 1 });
    const m = await convert('window.ifc', text);
    expect(m.status).toBe('ready');
    const win = await t.api('GET', `/api/v1/models/${m.id}/elements/${extras.window}`);
    expect(win.body.psets.IfcWindowLiningProperties).toMatchObject({ LiningDepth: 0.12, LiningThickness: 0.05 });
    expect(win.body.psets.IfcWindowPanelProperties).toMatchObject({
      OperationType: 'SIDEHUNGLEFTHAND',
      PanelPosition: 'MIDDLE',
      FrameDepth: 0.06,
      FrameThickness: 0.04,
    });
  });

  it('fails a file without IfcProject, and one with many dangling references, with a stable reason', async () => {
    const noProject = syntheticIfc({ walls: 2 }).replace(/^#\d+=IFCPROJECT\(.*$\n/m, '');
    const a = await convert('no-project.ifc', noProject);
    expect(a.status).toBe('failed');
    expect(a.error).toMatchObject({ code: 'unprocessable', problem: 'no_project' });
    expect(a.error.message).toMatch(/IfcProject/);

    // Every property value line removed: each property set points at entities the file does not hold.
    const dangling = syntheticIfc({ walls: 30 }).replace(/^#\d+=IFCPROPERTYSINGLEVALUE\(.*$\n/gm, '');
    const b = await convert('dangling.ifc', dangling);
    expect(b.status).toBe('failed');
    expect(b.error).toMatchObject({ code: 'unprocessable', problem: 'dangling_references' });
    expect(b.error.message).toMatch(/30 references/);
  });

  it.skipIf(!existsSync(join(SHARED, 'duplex.ifc')))(
    'fails the first half of a real file with an END-ISO line appended',
    async () => {
      const text = readFileSync(join(SHARED, 'duplex.ifc'), 'latin1');
      const half = text.slice(0, text.lastIndexOf('\n', text.length / 2) + 1) + 'ENDSEC;\nEND-ISO-10303-21;\n';
      const m = await convert('duplex-half.ifc', Buffer.from(half, 'latin1'));
      expect(m.status).toBe('failed');
      expect(['no_project', 'dangling_references']).toContain(m.error.problem);
    },
  );

  it('warns when the file holds entities its declared schema does not have (IFC4 content under an IFC2X3 header)', async () => {
    const base = syntheticIfc({ walls: 1 });
    const ctx = /#(\d+)=IFCGEOMETRICREPRESENTATIONCONTEXT/.exec(base)![1];
    const geo = `#9001=IFCPROJECTEDCRS('EPSG:4547',$,'CGCS2000',$,$,$,$);\n#9002=IFCMAPCONVERSION(#${ctx},#9001,500000.,4000000.,0.,1.,0.,1.);\n`;
    const ifc4 = base.replace(/ENDSEC;\nEND-ISO/, `${geo}ENDSEC;\nEND-ISO`);
    const m = await convert('wrong-schema.ifc', ifc4.replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC2X3'))"));
    expect(m.status).toBe('ready');
    const w = m.report.warnings.find((x: string) => /IFC2X3/.test(x) && /IfcMapConversion/.test(x));
    expect(w, JSON.stringify(m.report.warnings)).toBeDefined();
    expect(w).toMatch(/IfcProjectedCRS/);
    // The same file with the right header says nothing of the kind.
    const ok = await convert('right-schema.ifc', ifc4);
    expect(ok.report.warnings.some((x: string) => /schema/i.test(x))).toBe(false);
  });

  it('warns when the model stands far from its project, and says how far', async () => {
    const europe = syntheticIfc({ walls: 1 }).replace(QINGDAO_SITE, '(49,5,43,0),(8,26,1,0)');
    const m = await convert('far.ifc', europe);
    expect(m.status).toBe('ready');
    expect(m.report.farFromProject.distanceM).toBeGreaterThan(7_000_000);
    expect(m.report.farFromProject.limitM).toBe(5000);
    expect(m.report.warnings.some((x: string) => /km from its project/.test(x))).toBe(true);
    const near = await convert('near.ifc', syntheticIfc({ walls: 1 }));
    expect(near.report.farFromProject).toBeUndefined();
    expect(near.report.warnings.some((x: string) => /from its project/.test(x))).toBe(false);
  });

  it('an unusable map conversion is reported once, not contradicted by "no IfcMapConversion"', async () => {
    const base = syntheticIfc({ walls: 1 }).replace(QINGDAO_SITE, '$,$');
    const ctx = /#(\d+)=IFCGEOMETRICREPRESENTATIONCONTEXT/.exec(base)![1];
    const geo = `#9001=IFCPROJECTEDCRS('Local grid 7',$,$,$,$,$,$);\n#9002=IFCMAPCONVERSION(#${ctx},#9001,1000.,2000.,0.,1.,0.,1.);\n`;
    const m = await convert('local-crs.ifc', base.replace(/ENDSEC;\nEND-ISO/, `${geo}ENDSEC;\nEND-ISO`));
    expect(m.status).toBe('ready');
    const w: string[] = m.report.warnings;
    expect(w.some((x) => /cannot convert/.test(x))).toBe(true);
    expect(
      w.some((x) => /no IfcMapConversion/.test(x)),
      JSON.stringify(w),
    ).toBe(false);
    expect(m.georeference.source).toBe('project');
  });
});
