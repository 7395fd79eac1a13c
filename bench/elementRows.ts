/**
 * Element index rows: how fast each write mode of ElementRepo.insertBatch stores a model's rows, on the embedded store
 * (PGlite + PostGIS) and, when BENCH_DATABASE_URL is set, on PostgreSQL (a scratch database, dropped after). The rows
 * are the real ones of a generated demo tower (4,440 elements with property sets and boxes), written in the chunks
 * ModelService uses (EMBEDDED_INSERT_ROWS, or ELEMENT_CHUNK, rows on embedded, the worker's 200-row batch on PostgreSQL). Each mode writes the
 * model into a fresh model id, modes alternate, 3 rounds; prints wall and CPU per row (median) and checks both modes
 * stored the same rows.
 *
 *   npx tsx bench/elementRows.ts          BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/elementRows.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rectangleAround } from '../models/geo.js';
import { EnterpriseCreate } from '../models/Enterprise.js';
import { ProjectCreate } from '../models/Project.js';
import { convertIfc } from '../server/ifc/pipeline/convert.js';
import { generateDemoBuilding } from '../server/ifc/pipeline/demoBuilding.js';
import { EMBEDDED_INSERT_ROWS } from '../server/ifc/ModelService.js';
import { createIfcApi } from '../server/ifc/pipeline/webIfc.js';
import type { ElementInput } from '../models/BimModel.js';
import type { ElementWriteMode } from '../server/store/ElementRepo.js';
import { openStore, type Store } from '../server/store/Store.js';
import { createTestDatabase } from '../tests/helpers/childServer.js';
import { copyTemplate, preparePgliteTemplate } from '../tests/helpers/pgliteTemplate.js';

const tmp = mkdtempSync(join(tmpdir(), 'bench-rows-'));
const ifc = join(tmp, 'tower.ifc');
writeFileSync(
  ifc,
  generateDemoBuilding({ name: 'Bench tower', lon: 120.4, lat: 36.07, storeys: 40, widthM: 60, depthM: 40 }),
);
const rows: ElementInput[] = [];
await convertIfc(
  { ifcPath: ifc, outDir: join(tmp, 'out'), api: await createIfcApi(), skipFragments: true },
  { progress() {}, elements: (b) => void rows.push(...b) },
);

async function measure(store: Store, chunk: number): Promise<void> {
  const ent = await store.enterprises.create(EnterpriseCreate.parse({ name: 'Bench' }));
  const proj = await store.projects.create(
    ProjectCreate.parse({
      name: 'Bench',
      enterpriseId: ent.id,
      regionCode: '370202',
      location: { lon: 120.4, lat: 36.07, height: 0 },
      footprint: rectangleAround({ lon: 120.4, lat: 36.07 }, 80, 60),
    }),
  );
  const res: Record<ElementWriteMode, { ms: number[]; cpu: number[]; ids: string[] }> = {
    insert: { ms: [], cpu: [], ids: [] },
    copy: { ms: [], cpu: [], ids: [] },
  };
  for (let round = 0; round < 4; round++) {
    for (const mode of (round % 2 ? ['copy', 'insert'] : ['insert', 'copy']) as ElementWriteMode[]) {
      const id = randomUUID();
      await store.models.create({ id, projectId: proj.id, fileName: 'tower.ifc', fileBytes: 1, sourceKind: 'ifc' });
      store.elements.writeMode = mode;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let n = 0;
      for (let i = 0; i < rows.length; i += chunk) n += await store.elements.insertBatch(id, rows.slice(i, i + chunk));
      const ms = performance.now() - t0;
      const cu = process.cpuUsage(c0);
      if (n !== (await store.elements.count(id)))
        throw new Error(`${mode}: returned ${n}, stored ${await store.elements.count(id)}`);
      if (round === 0) {
        // Warm-up round (a fresh process: PGlite's wasm and the catalog caches are cold), printed apart.
        console.log(
          `  ${mode.padEnd(6)} first write in this process (cold): wall ${ms.toFixed(0)} ms, CPU ${((cu.user + cu.system) / 1000).toFixed(0)} ms`,
        );
        continue;
      }
      res[mode].ms.push(ms);
      res[mode].cpu.push((cu.user + cu.system) / 1000);
      res[mode].ids.push(id);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  for (const mode of ['insert', 'copy'] as const) {
    const r = res[mode];
    console.log(
      `  ${mode.padEnd(6)} ${rows.length} rows in ${chunk}-row chunks: wall ${med(r.ms).toFixed(0)} ms (${((med(r.ms) * 1000) / rows.length).toFixed(0)} us/row), ` +
        `this process's CPU ${med(r.cpu).toFixed(0)} ms (${((med(r.cpu) * 1000) / rows.length).toFixed(0)} us/row)`,
    );
  }
  console.log(
    `  copy / insert: wall ${(med(res.copy.ms) / med(res.insert.ms)).toFixed(2)}, cpu ${(med(res.copy.cpu) / med(res.insert.cpu)).toFixed(2)}`,
  );
  // Same rows either way (the list without psets, and one element's psets).
  const a = await store.elements.list(res.insert.ids[0]!, { limit: 100000, offset: 0 } as never);
  const b = await store.elements.list(res.copy.ids[0]!, { limit: 100000, offset: 0 } as never);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('insert and copy stored different rows');
  const g = rows.find((r) => Object.keys(r.psets).length)!.globalId;
  if (
    JSON.stringify(await store.elements.get(res.insert.ids[0]!, g)) !==
    JSON.stringify(await store.elements.get(res.copy.ids[0]!, g))
  )
    throw new Error('psets differ');
}

const chunk = Number(process.env.ELEMENT_CHUNK) || EMBEDDED_INSERT_ROWS;
console.log(`embedded (PGlite + PostGIS):`);
copyTemplate(await preparePgliteTemplate(), join(tmp, 'pg'));
const emb = await openStore({ dataDir: join(tmp, 'pg') });
await measure(emb, chunk);
await emb.close();
const url = process.env.BENCH_DATABASE_URL;
if (url) {
  const scratch = await createTestDatabase(url);
  console.log(`PostgreSQL (${new URL(scratch.url).host}, scratch database):`);
  const srv = await openStore({ databaseUrl: scratch.url });
  try {
    await measure(srv, 200);
  } finally {
    await srv.close();
    await scratch.drop();
  }
}
rmSync(tmp, { recursive: true, force: true });
