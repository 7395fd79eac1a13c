/**
 * Hashes of everything the whole twin makes of an IFC file, to prove that a change to the pipeline or the element
 * write path leaves its outputs the same: run it on two checkouts and compare the lines.
 *
 *   rows      the element rows as the map job hands them to the store (JSON, in order)
 *   stored    the same rows written into the embedded store by ElementRepo.insertBatch in the server's write size and
 *             read back (every column, psets as jsonb text, the PostGIS box as EWKT), ordered by GlobalId
 *   tree      the spatial tree
 *   report    the conversion report without its timings (durationMs, stagesMs)
 *   tiles     every tile file, by name
 *   tileset   tileset.json
 *   frag      the inflated .frag (model id fixed: the importer draws a random one otherwise)
 *
 * As the conversion worker does it: one TwinSession, the map job with skipFragments, then the Fragments job from the
 * same session.
 *
 *   npx tsx bench/twinOutputs.ts [--root <checkout>] [--no-store] files...
 * `--root` runs another checkout's pipeline (its server/ and tests/helpers/) with this script.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { inflateSync } from 'node:zlib';

const args = process.argv.slice(2);
let root = join(import.meta.dirname, '..');
const ri = args.indexOf('--root');
if (ri >= 0) root = args.splice(ri, 2)[1]!;
const si = args.indexOf('--no-store');
const withStore = si < 0;
if (si >= 0) args.splice(si, 1);

const h = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 16);
const mod = (p: string) => import(join(root, p));

const { convertIfc } = await mod('server/ifc/pipeline/convert.ts');
const { TwinSession } = await mod('server/ifc/pipeline/twinSession.ts');
const { ifcToFragments } = await mod('server/ifc/pipeline/fragments.ts');

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))
    .sort();
}

let store: any = null;
let tmpStore: string | null = null;
if (withStore) {
  const { preparePgliteTemplate, copyTemplate } = await mod('tests/helpers/pgliteTemplate.ts');
  const { openStore } = await mod('server/store/Store.ts');
  tmpStore = mkdtempSync(join(tmpdir(), 'twin-outputs-pg-'));
  copyTemplate(await preparePgliteTemplate(), join(tmpStore, 'pg'));
  store = await openStore({ dataDir: join(tmpStore, 'pg') });
}

for (const file of args) {
  const bytes = readFileSync(file);
  const out = mkdtempSync(join(tmpdir(), 'twin-outputs-'));
  const rows: unknown[] = [];
  const session = await TwinSession.open(bytes);
  const r = await convertIfc(
    { ifcPath: file, outDir: out, session, skipFragments: true, fallback: { lon: 120.4, lat: 36.07, height: 0 } },
    { progress() {}, elements: (b: unknown[]) => void rows.push(...b) },
  );
  const frag = inflateSync(await ifcToFragments(bytes, undefined, { id: 'twin-outputs' }, session));
  session.close();
  const { durationMs: _d, stagesMs: _s, ...report } = r.report;
  const tilesDir = join(out, 'tiles');
  const tiles = createHash('sha256');
  for (const f of files(tilesDir).filter((f) => !f.endsWith('tileset.json')))
    tiles.update(`${relative(tilesDir, f)}\0`).update(readFileSync(f));
  const line: Record<string, string | number> = {
    rows: h(JSON.stringify(rows)),
    n: rows.length,
    tree: h(JSON.stringify(r.tree)),
    report: h(JSON.stringify({ ...report, schema: r.schema, georeference: r.georeference })),
    tiles: tiles.digest('hex').slice(0, 16),
    tileset: h(readFileSync(join(tilesDir, 'tileset.json'))),
    frag: h(frag),
  };
  if (store) {
    const { rectangleAround } = await mod('models/geo.ts');
    const { EnterpriseCreate } = await mod('models/Enterprise.ts');
    const { ProjectCreate } = await mod('models/Project.ts');
    const { randomUUID } = await import('node:crypto');
    const ent = await store.enterprises.create(EnterpriseCreate.parse({ name: `Hash ${basename(file)}` }));
    const proj = await store.projects.create(
      ProjectCreate.parse({
        name: `Hash ${basename(file)}`,
        enterpriseId: ent.id,
        regionCode: '370202',
        location: { lon: 120.4, lat: 36.07, height: 0 },
        footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
      }),
    );
    const id = randomUUID();
    await store.models.create({ id, projectId: proj.id, fileName: basename(file), fileBytes: 1, sourceKind: 'ifc' });
    // As ModelService writes them with the embedded store: the worker's 500-row batches in writes of 250.
    for (let i = 0; i < rows.length; i += 250) await store.elements.insertBatch(id, rows.slice(i, i + 250));
    const got = await store.db.query(
      `SELECT global_id, express_id, ifc_class, name, predefined_type, storey_id, storey_name, psets::text AS psets,
              has_geometry, min_x, min_y, min_z, max_x, max_y, max_z, ST_AsEWKT(bbox) AS bbox
       FROM elements WHERE model_id = $1 ORDER BY global_id`,
      [id],
    );
    line.stored = h(JSON.stringify(got.rows));
    line.storedN = got.rows.length;
  }
  rmSync(out, { recursive: true, force: true });
  console.log(
    `${basename(file)} ${Object.entries(line)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}
if (store) await store.close();
if (tmpStore) rmSync(tmpStore, { recursive: true, force: true });
