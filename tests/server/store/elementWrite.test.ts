import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box3 } from '../../../models/BimModel.js';
import type { DbTx } from '../../../server/store/Db.js';
import type { ElementInput } from '../../../models/BimModel.js';
import type { ElementWriteMode } from '../../../server/store/ElementRepo.js';
import { loadMigrations } from '../../../server/store/migrate.js';
import {
  elementRow,
  openTestStore,
  storeKinds,
  type StoreKind,
  type TestStore,
  storeProject,
} from '../../helpers/store.js';

// Both write paths of the element index (COPY + staging table, multi-row INSERT) on both drivers must store the same
// thing, keep the first row of a GlobalId seen twice, and return how many rows were new.
const cases = storeKinds().flatMap((kind) =>
  (['copy', 'insert'] as ElementWriteMode[]).map((mode) => [kind, mode] as const),
);

/** A fresh store with one project to hang models on; `newModel` adds a model row and returns its id. */
function storeWithProject(kind: StoreKind) {
  const t = { ts: null as unknown as TestStore, projectId: '' };
  beforeAll(async () => {
    t.ts = await openTestStore(kind);
    const e = await t.ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    t.projectId = await storeProject(t.ts.store, e.id);
  });
  afterAll(() => t.ts?.cleanup());
  const newModel = async () => {
    const id = randomUUID();
    await t.ts.store.models.create({ id, projectId: t.projectId, fileName: 'm.ifc', fileBytes: 1, sourceKind: 'ifc' });
    return id;
  };
  return { t, newModel };
}

describe.each(cases)('element index write (%s store, %s path)', (kind, mode) => {
  const { t, newModel } = storeWithProject(kind);
  let ts: TestStore;
  beforeAll(() => {
    ts = t.ts;
    ts.store.elements.writeMode = mode;
  });
  const el = (globalId: string, over: Partial<ElementInput> = {}): ElementInput => ({
    globalId,
    expressId: 1,
    ifcClass: 'IFCWALL',
    name: `wall ${globalId}`,
    predefinedType: null,
    storeyId: 's1',
    storeyName: 'Level 1',
    psets: { Pset_WallCommon: { IsExternal: true } },
    bbox: { min: [0, 0, 0], max: [1, 2, 3] },
    hasGeometry: true,
    ...over,
  });

  it('stores text COPY and JSON escape (backslash, tab, newline, \\N, quotes, CJK), null fields, no box, and box corners unchanged', async () => {
    const m = await newModel();
    const tricky = el('g\\1', {
      expressId: 42,
      ifcClass: 'IFCDOOR',
      name: 'Door\t"A"\nline 2 \\N C:\\x',
      predefinedType: 'GATE',
      storeyName: '楼层 3\r',
      psets: { 'Pset\\X': { note: 'tab\there\nnl \\N', n: -0.001, big: 1e21, list: [1, null, 'x'] } },
      bbox: { min: [-1.5, 2.25, -0.125], max: [1e-7, 3.5, 1234567.875] },
    });
    const bare = el('g2', { name: null, storeyId: null, storeyName: null, psets: {}, bbox: null, hasGeometry: false });
    expect(await ts.store.elements.insertBatch(m, [tricky, bare])).toBe(2);
    const got = await ts.store.elements.get(m, 'g\\1');
    expect(got).toEqual({ ...tricky, expressId: 42 });
    expect(await ts.store.elements.get(m, 'g2')).toEqual(bare);
  });

  it('keeps the first row of a GlobalId seen twice, within a batch and across batches, and counts only new rows', async () => {
    const m = await newModel();
    expect(
      await ts.store.elements.insertBatch(m, [el('a', { name: 'first' }), el('b'), el('a', { name: 'second' })]),
    ).toBe(2);
    expect(await ts.store.elements.insertBatch(m, [el('a', { name: 'third' }), el('c')])).toBe(1);
    expect(await ts.store.elements.insertBatch(m, [el('b'), el('c')])).toBe(0);
    expect((await ts.store.elements.get(m, 'a'))!.name).toBe('first');
    expect(await ts.store.elements.count(m)).toBe(3);
    // Another model may hold the same GlobalIds.
    const other = await newModel();
    expect(await ts.store.elements.insertBatch(other, [el('a', { name: 'other' })])).toBe(1);
    expect((await ts.store.elements.get(other, 'a'))!.name).toBe('other');
    expect((await ts.store.elements.list(m, { class: 'IFCWALL', limit: 10, offset: 0 } as never)).total).toBe(3);
  });

  it('writes batches in parallel on the same store without mixing them up, and a bad row fails its batch only', async () => {
    const [m1, m2] = [await newModel(), await newModel()];
    const batch = (p: string) => Array.from({ length: 300 }, (_, i) => el(`${p}${i}`, { expressId: i }));
    const n = await Promise.all([
      ts.store.elements.insertBatch(m1, batch('x')),
      ts.store.elements.insertBatch(m2, batch('y')),
      ts.store.elements.insertBatch(m1, batch('z')),
    ]);
    expect(n).toEqual([300, 300, 300]);
    expect(await ts.store.elements.count(m1)).toBe(600);
    expect(await ts.store.elements.count(m2)).toBe(300);
    // A model id that does not exist breaks the foreign key: nothing of that batch stays, the next batch goes in.
    await expect(ts.store.elements.insertBatch(randomUUID(), [el('q')])).rejects.toThrow();
    expect(await ts.store.elements.insertBatch(m2, [el('y0'), el('q')])).toBe(1);
  });
});

describe.each(storeKinds())('element write path: warm-up, COPY and the PostGIS box (%s store)', (kind) => {
  const { t, newModel } = storeWithProject(kind);
  let ts: TestStore;
  beforeAll(() => {
    ts = t.ts;
  });

  it('warm-up stores nothing, leaves no table behind, and the next real write works', async () => {
    const m = await newModel();
    const row: ElementInput = {
      globalId: 'real',
      expressId: 7,
      ifcClass: 'IFCSLAB',
      name: 'slab',
      predefinedType: null,
      storeyId: null,
      storeyName: null,
      psets: {},
      bbox: { min: [0, 0, 0], max: [1, 1, 1] },
      hasGeometry: true,
    };
    expect(await ts.store.elements.insertBatch(m, [row])).toBe(1);
    const all = async () =>
      Number((await ts.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM elements')).rows[0]!.n);
    const before = await all();
    // More than one chunk of synthetic rows, so every chunk's transaction is rolled back, not only the first.
    const ms = await ts.store.elements.warmUp(600);
    expect(ms).toBeGreaterThan(0);
    expect(await all()).toBe(before);
    const left = await ts.store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'elements_warm_up'",
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(await ts.store.elements.insertBatch(m, [{ ...row, globalId: 'after' }, row])).toBe(1);
    expect(await ts.store.elements.count(m)).toBe(2);
    expect((await ts.store.elements.get(m, 'real'))!.bbox).toEqual(row.bbox);
  });

  it('makes the PostGIS box from the six numbers a row is written with, for both write paths', async () => {
    const boxes: (Box3 | null)[] = [
      { min: [0, 0, 0], max: [1, 2, 3] },
      { min: [-1.5, 2.25, -0.125], max: [1e-7, 3.5, 1234567.875] },
      { min: [0, 0, 0], max: [1, 2, 0] },
      null,
    ];
    for (const mode of ['copy', 'insert'] as ElementWriteMode[]) {
      ts.store.elements.writeMode = mode;
      const m = await newModel();
      const rows = boxes.map((bbox, i): ElementInput => ({
        ...elementRow(`b${i}`, bbox),
        expressId: i,
        ifcClass: 'IFCSLAB',
        name: null,
      }));
      expect(await ts.store.elements.insertBatch(m, rows)).toBe(boxes.length);
      const r = await ts.store.db.query<{
        g: string;
        t: string | null;
        x0: number;
        y0: number;
        z0: number;
        x1: number;
        y1: number;
        z1: number;
      }>(
        `SELECT global_id AS g, GeometryType(bbox) AS t, ST_XMin(bbox::box3d) AS x0, ST_YMin(bbox::box3d) AS y0, ST_ZMin(bbox::box3d) AS z0,
                ST_XMax(bbox::box3d) AS x1, ST_YMax(bbox::box3d) AS y1, ST_ZMax(bbox::box3d) AS z1 FROM elements WHERE model_id = $1 ORDER BY global_id`,
        [m],
      );
      expect(
        r.rows.map((x) =>
          x.t === null ? null : { t: x.t, min: [x.x0, x.y0, x.z0].map(Number), max: [x.x1, x.y1, x.z1].map(Number) },
        ),
        mode,
      ).toEqual(boxes.map((b, i) => (b === null ? null : { t: i === 2 ? 'POLYGON' : 'POLYHEDRALSURFACE', ...b })));
    }
    ts.store.elements.writeMode = 'copy';
  });

  it('migration 012 moves the boxes of rows stored before it into the six numbers, and makes the same PostGIS box', async () => {
    // The elements table as migration 010 made it, in a schema of its own, with a row; then migration 012's own SQL.
    const m010 = loadMigrations().find((m) => m.version === 10)!.sql;
    const m012 = loadMigrations().find((m) => m.version === 12)!.sql;
    const table = /CREATE TABLE elements \([\s\S]*?\n\);/
      .exec(m010)![0]
      .replace(/REFERENCES models \(id\) ON DELETE CASCADE/, '');
    const indexes = m010
      .split('\n')
      .filter((l) => /^CREATE INDEX elements_/.test(l))
      .join('\n');
    const got = await ts.store.db.transaction(async (tx) => {
      await tx.exec(`CREATE SCHEMA m012_check; SET LOCAL search_path = m012_check, public; ${table} ${indexes}`);
      await tx.exec(`INSERT INTO elements (model_id, global_id, express_id, ifc_class, bbox) VALUES
        ('00000000-0000-0000-0000-000000000001', 'solid', 1, 'IFCWALL', ST_3DMakeBox(ST_MakePoint(-1.5, 2, 0), ST_MakePoint(3, 4.25, 9))::geometry),
        ('00000000-0000-0000-0000-000000000001', 'none', 2, 'IFCWALL', NULL)`);
      const before = (
        await tx.query<{ g: string; wkb: string | null }>(
          `SELECT global_id AS g, encode(ST_AsEWKB(bbox), 'hex') AS wkb FROM elements ORDER BY global_id`,
        )
      ).rows;
      await tx.exec(m012);
      const after = (
        await tx.query<{ g: string; wkb: string | null; b: number[] }>(
          `SELECT global_id AS g, encode(ST_AsEWKB(bbox), 'hex') AS wkb, ARRAY[min_x, min_y, min_z, max_x, max_y, max_z] AS b FROM elements ORDER BY global_id`,
        )
      ).rows;
      const gist = (
        await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'm012_check' AND indexdef LIKE '%gist%'`,
        )
      ).rows[0]!.n;
      await tx.exec('DROP SCHEMA m012_check CASCADE');
      return { before, after, gist: Number(gist) };
    });
    expect(got.after.map((r) => r.wkb)).toEqual(got.before.map((r) => r.wkb));
    expect(got.after.map((r) => r.b.map((v) => (v === null ? null : Number(v))))).toEqual([
      [null, null, null, null, null, null],
      [-1.5, 2, 0, 3, 4.25, 9],
    ]);
    expect(got.gist).toBe(1);
  });

  it('writes a batch with one COPY statement of its own (no transaction around it), and uses the staging table in a transaction only for a GlobalId already stored', async () => {
    const m = await newModel();
    const copies: string[] = [];
    const db = ts.store.db;
    const { transaction, copy } = db;
    db.copy = ((sql: string, data: string) => (
      copies.push(`db ${sql.split(' (')[0]!}`),
      copy.call(db, sql, data)
    )) as typeof db.copy;
    db.transaction = ((fn: (tx: DbTx) => Promise<unknown>) =>
      transaction.call(db, (tx: DbTx) =>
        fn({
          ...tx,
          query: tx.query,
          exec: tx.exec,
          copyFrom: (sql: string, data: string) => (copies.push(`tx ${sql.split(' (')[0]!}`), tx.copyFrom(sql, data)),
        }),
      )) as typeof db.transaction;
    try {
      const row = elementRow;
      expect(await ts.store.elements.insertBatch(m, [row('a'), row('b', null), row('a')])).toBe(2);
      expect(copies).toEqual(['db COPY elements']);
      expect(await ts.store.elements.insertBatch(m, [row('c'), row('a')])).toBe(1);
      expect(copies.slice(1)).toEqual(['db COPY elements', 'tx COPY elements_stage FROM STDIN']);
      expect(await ts.store.elements.count(m)).toBe(3);
      expect((await ts.store.elements.get(m, 'c'))!.bbox).toEqual({ min: [0, 0, 0], max: [1, 2, 3] });
    } finally {
      db.transaction = transaction;
      db.copy = copy;
    }
  });
});
