import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzlibSync } from 'fflate';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ElementInput } from '../../../models/BimModel.js';
import { convertIfc } from '../../../server/ifc/pipeline/convert.js';
import { fragmentsFile } from '../../../server/ifc/pipeline/files.js';
import { ifcToFragments } from '../../../server/ifc/pipeline/fragments.js';
import { ONE_PARSE_FAILED, TwinSession } from '../../../server/ifc/pipeline/twinSession.js';
import { WebIFC } from '../../../server/ifc/pipeline/webIfc.js';

// One parse for the whole twin (issue 18): the element index, the tiles and the Fragments come from one web-ifc
// OpenModel, and the Fragments are the ones the importer makes from its own parses.
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ifc');
const present = existsSync(SHARED);
if (!present) console.warn(`twinSession: ${SHARED} is absent; the one-parse tests are skipped`);
// A small file and one over 1 MB whose coordination moves the model (a translation of ~7 m).
const FILES = ['example.ifc', 'AC20-FZK-Haus.ifc'];

const tmp = mkdtempSync(join(tmpdir(), 'sitetwin-twin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Every number of a JSON value, in order. */
function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbersOf(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => numbersOf(x, out));
  return out;
}
/** A JSON value with its numbers left out: the rest must match exactly. */
const shapeOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'number' ? 0 : x));

const sink = (rows: ElementInput[] = []) => ({ progress() {}, elements: (b: ElementInput[]) => void rows.push(...b) });

describe.skipIf(!present)('the whole twin from one parse', () => {
  it.each(FILES)('%s: index, tiles and Fragments open the file once', async (name) => {
    const proto = WebIFC.IfcAPI.prototype;
    const opens = [vi.spyOn(proto, 'OpenModel'), vi.spyOn(proto, 'OpenModelFromCallback')];
    // Every line's id, asked of web-ifc to check the scan of the file's text: once for the whole twin.
    const allLines = vi.spyOn(proto, 'GetAllLines');
    const out = join(tmp, `once-${name}`);
    const r = await convertIfc({ ifcPath: join(SHARED, name), outDir: out }, sink());
    expect(opens.reduce((n, s) => n + s.mock.calls.length, 0)).toBe(1);
    expect(allLines).toHaveBeenCalledTimes(1);
    expect(r.report.warnings.filter((w) => /Fragments|parse|share/.test(w))).toEqual([]);
    expect(r.report.fragmentsBytes).toBeGreaterThan(0);
    expect(readFileSync(fragmentsFile(out)).byteLength).toBe(r.report.fragmentsBytes);
    // The IfcAPI class is left as it was: a new instance parses for itself again.
    expect(proto.OpenModel).toBe(opens[0]);
  });

  it.each(FILES)('%s: web-ifc meshes each product once for the whole twin', async (name) => {
    // Every mesh web-ifc makes (StreamMeshes is how the map job and the importer mesh), counted per product. Products
    // without geometry are asked for and give nothing: they cost nothing and are not counted.
    const meshed = new Map<number, number>();
    const real = WebIFC.IfcAPI.prototype.StreamMeshes;
    vi.spyOn(WebIFC.IfcAPI.prototype, 'StreamMeshes').mockImplementation(function (this: WebIFC.IfcAPI, id, ids, cb) {
      return real.call(this, id, ids, (mesh, i, n) => {
        if (mesh.geometries.size() > 0) meshed.set(mesh.expressID, (meshed.get(mesh.expressID) ?? 0) + 1);
        cb(mesh, i, n);
      });
    });
    const out = join(tmp, `pass-${name}`);
    const r = await convertIfc({ ifcPath: join(SHARED, name), outDir: out }, sink());
    expect(r.report.fragmentsBytes).toBeGreaterThan(0);
    expect(r.report.elementCount).toBeGreaterThan(0);
    // The one exception: the product the session meshes first to fix web-ifc's coordination (TwinSession.open).
    const again = [...meshed].filter(([, n]) => n > 1);
    expect(again.length).toBeLessThanOrEqual(1);
    expect(meshed.size).toBeGreaterThan(r.report.elementCount / 2);
  });

  it('a map job over its keep budget leaves the rest to web-ifc: the same Fragments', async () => {
    const path = join(SHARED, FILES[0]!);
    const bytes = readFileSync(path);
    const oldFrag = unzlibSync(await ifcToFragments(bytes, undefined, { id: 'm' }));
    // 40 kB of kept vertices and indices: a few products kept, most meshed again in the importer's pass.
    vi.stubEnv('IFC_TWIN_KEEP_MB', String(40 / 1024));
    const session = await TwinSession.open(bytes);
    try {
      await convertIfc({ ifcPath: path, outDir: join(tmp, 'budget'), skipFragments: true, session }, sink());
      const frag = unzlibSync(await ifcToFragments(bytes, undefined, { id: 'm', writer: 'importer' }, session));
      const { kept, overBudget, replayed, meshedAgain } = session.meshes.stats;
      expect(kept).toBeGreaterThan(0);
      expect(overBudget).toBeGreaterThan(0);
      expect(replayed).toBe(kept);
      expect(meshedAgain).toBeGreaterThanOrEqual(overBudget);
      expect(Buffer.compare(frag, oldFrag)).toBe(0);
    } finally {
      session.close();
      vi.unstubAllEnvs();
    }
  });

  it.each(FILES)(
    "%s: the importer's lines are read from the file's text, not one by one through web-ifc",
    async (name) => {
      const path = join(SHARED, name);
      const bytes = readFileSync(path);
      const session = await TwinSession.open(bytes);
      try {
        await convertIfc({ ifcPath: path, outDir: join(tmp, `text-${name}`), skipFragments: true, session }, sink());
        // Lines the importer asks for (GetLine goes through GetLines), and those web-ifc's wasm reads for it.
        let asked = 0;
        let wasm = 0;
        const proto = WebIFC.IfcAPI.prototype;
        const getLines = proto.GetLines;
        vi.spyOn(proto, 'GetLines').mockImplementation(function (this: WebIFC.IfcAPI, ...args) {
          asked += args[1].length;
          return getLines.apply(this, args);
        });
        const module = (session.api as unknown as { wasmModule: { GetLines: (m: number, ids: number[]) => unknown } })
          .wasmModule;
        const wasmGetLines = module.GetLines;
        module.GetLines = (m, ids) => ((wasm += ids.length), wasmGetLines.call(module, m, ids));
        try {
          // The full content: every property, quantity, material and type line the importer can ask for.
          await ifcToFragments(bytes, undefined, { id: 'm', data: 'full' }, session);
        } finally {
          module.GetLines = wasmGetLines;
        }
        expect(asked).toBeGreaterThan(500);
        expect(wasm).toBeLessThan(asked / 20);
      } finally {
        session.close();
      }
    },
  );

  it.each(FILES)("%s: the importer makes each drawn product's line once for its two passes", async (name) => {
    // Its geometry pass asks every meshed product's line (for its class and GlobalId), and its attribute pass asks the
    // same line again: the second gets the object the first made (which reads it and changes nothing).
    const path = join(SHARED, name);
    const bytes = readFileSync(path);
    const session = await TwinSession.open(bytes);
    try {
      const rows: ElementInput[] = [];
      await convertIfc({ ifcPath: path, outDir: join(tmp, `lines-${name}`), skipFragments: true, session }, sink(rows));
      const drawn = new Set(rows.filter((e) => e.hasGeometry).map((e) => e.expressId));
      const made = new Map<number, number>();
      const proto = WebIFC.IfcAPI.prototype;
      const getLines = proto.GetLines;
      vi.spyOn(proto, 'GetLines').mockImplementation(function (this: WebIFC.IfcAPI, ...args) {
        for (const id of args[1]) if (drawn.has(id)) made.set(id, (made.get(id) ?? 0) + 1);
        return getLines.apply(this, args);
      });
      const frag = unzlibSync(await ifcToFragments(bytes, undefined, { id: 'm' }, session));
      expect(frag.byteLength).toBeGreaterThan(0);
      expect(made.size).toBeGreaterThan(drawn.size / 2);
      expect([...made].filter(([, n]) => n > 1)).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('a session opened on a prepared web-ifc (a worker between jobs) reads model 0 in an IfcAPI of its own', async () => {
    const path = join(SHARED, FILES[0]!);
    const bytes = readFileSync(path);
    const rowsOf = async (session: TwinSession) => {
      const rows: ElementInput[] = [];
      await convertIfc({ ifcPath: path, outDir: join(tmp, 'prepared'), skipFragments: true, session }, sink(rows));
      return rows;
    };
    TwinSession.prepare();
    const a = await TwinSession.open(bytes);
    let first: ElementInput[];
    try {
      first = await rowsOf(a);
    } finally {
      a.close();
    }
    // Prepared twice: one is kept; the closed session's IfcAPI is never handed out again.
    TwinSession.prepare();
    TwinSession.prepare();
    const b = await TwinSession.open(bytes);
    try {
      expect(b.modelID).toBe(0);
      expect(b.api).not.toBe(a.api);
      expect(await rowsOf(b)).toEqual(first);
    } finally {
      b.close();
    }
  });

  it("falls back to the importer's own parses, with a warning, when sharing the model fails", async () => {
    vi.spyOn(TwinSession.prototype, 'adopt').mockRejectedValue(new Error('no luck'));
    const out = join(tmp, 'fallback');
    const r = await convertIfc({ ifcPath: join(SHARED, FILES[0]!), outDir: out }, sink());
    expect(r.report.warnings.filter((w) => w.startsWith(ONE_PARSE_FAILED))).toEqual([`${ONE_PARSE_FAILED}: no luck`]);
    expect(r.report.fragmentsBytes).toBeGreaterThan(0);
    expect(readFileSync(fragmentsFile(out)).byteLength).toBe(r.report.fragmentsBytes);
  });

  it.each(FILES)('%s: the shared parse gives the same element rows and the same Fragments', async (name) => {
    const path = join(SHARED, name);
    const bytes = readFileSync(path);
    const oldRows: ElementInput[] = [];
    const old = await convertIfc(
      { ifcPath: path, outDir: join(tmp, `old-${name}`), skipFragments: true },
      sink(oldRows),
    );
    const oldFrag = unzlibSync(await ifcToFragments(bytes, undefined, { id: 'm' }));

    const session = await TwinSession.open(bytes);
    try {
      const rows: ElementInput[] = [];
      const r = await convertIfc(
        { ifcPath: path, outDir: join(tmp, `new-${name}`), skipFragments: true, session },
        sink(rows),
      );
      const frag = unzlibSync(await ifcToFragments(bytes, undefined, { id: 'm', writer: 'importer' }, session));
      // The Fragments, byte for byte: same GlobalIds, items, geometry and frame as the importer's own parses give (the
      // importer's geometry pass, IFC_FRAGMENTS_WRITER=importer; our own writer is checked in fragWriter.test.ts).
      expect(frag.byteLength).toBe(oldFrag.byteLength);
      expect(Buffer.compare(frag, oldFrag)).toBe(0);
      // The index and the tiles' frame: the file's coordinates (web-ifc's coordination taken off), within 1e-6 m.
      expect(r.report.elementCount).toBe(old.report.elementCount);
      expect(rows.map((e) => e.globalId)).toEqual(oldRows.map((e) => e.globalId));
      const byId = new Map(oldRows.map((e) => [e.globalId, e]));
      for (const e of rows) {
        const o = byId.get(e.globalId)!;
        expect(e.hasGeometry).toBe(o.hasGeometry);
        if (!e.bbox || !o.bbox) continue;
        for (const k of [0, 1, 2]) {
          expect(e.bbox.min[k]).toBeCloseTo(o.bbox.min[k]!, 6);
          expect(e.bbox.max[k]).toBeCloseTo(o.bbox.max[k]!, 6);
        }
      }
      for (const k of [0, 1, 2]) expect(r.report.bbox!.min[k]).toBeCloseTo(old.report.bbox!.min[k]!, 6);
      expect([r.report.tileCount, r.report.triangleCount]).toEqual([old.report.tileCount, old.report.triangleCount]);
      const tileset = (dir: string) => JSON.parse(readFileSync(join(tmp, dir, 'tiles', 'tileset.json'), 'utf8'));
      // The same tileset but for the last bit of a float64 here and there (the translation taken off, then added).
      const [tsNew, tsOld] = [tileset(`new-${name}`), tileset(`old-${name}`)];
      expect(shapeOf(tsNew)).toBe(shapeOf(tsOld));
      const [a, b] = [numbersOf(tsNew), numbersOf(tsOld)];
      expect(a.length).toBe(b.length);
      a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-9));
    } finally {
      session.close();
    }
  });
});
