import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey } from '../../../server/security/deviceSecrets.js';
import type { Db } from '../../../server/store/Db.js';
import {
  copyInput,
  plainArray,
  TelemetryRepo,
  type StoredReading,
  type WriteMode,
} from '../../../server/store/TelemetryRepo.js';
import { openTestStore, storeKinds, type TestStore, storeProject } from '../../helpers/store.js';

// Both write paths (one-statement unnest, COPY + staging table) on both drivers must store the same thing.
const cases = storeKinds().flatMap((kind) => (['unnest', 'copy'] as WriteMode[]).map((mode) => [kind, mode] as const));

describe.each(cases)('telemetry write (%s store, %s path)', (kind, mode) => {
  let ts: TestStore;
  let a: string;
  let b: string;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    ts.store.telemetry.writeMode = mode;
    const e = await ts.store.enterprises.create({ name: 'E', role: 'contractor' });
    const loc = { lon: 120.4, lat: 36.1 };
    const p = { id: await storeProject(ts.store, e.id, { loc }) };
    const dev = (name: string) =>
      ts.store.devices.create({
        projectId: p.id,
        kind: 'sensor',
        name,
        params: {},
        location: { ...loc, height: 1 },
        apiKeyHash: hashApiKey(newApiKey()),
      });
    a = (await dev('a')).id;
    b = (await dev('b')).id;
  });
  afterAll(() => ts?.cleanup());

  const r = (deviceId: string, time: number, values: Record<string, unknown>, seq?: number): StoredReading => ({
    deviceId,
    time,
    values,
    receivedAt: 1,
    ...(seq !== undefined ? { seq } : {}),
  });

  it('stores values with characters COPY and JSON escape (backslash, tab, newline, quotes, CJK, nested) unchanged', async () => {
    const t0 = Date.UTC(2026, 4, 1);
    const tricky = {
      path: 'C:\\data\\n\\t',
      text: 'line1\nline2\ttab "quoted" \\N',
      cjk: '塔吊 1 号',
      nested: { list: [1, 2.5, null, true], empty: {} },
      big: 1e21,
      neg: -0.001,
    };
    expect(await ts.store.telemetry.write([r(a, t0, tricky, 1), r(b, t0, { x: 1 })])).toHaveLength(2);
    expect((await ts.store.telemetry.readings(a, t0, t0 + 1, 10))[0]!.values).toEqual(tricky);
    // The latest state gets the same values by another way (one JSON array split in SQL on the COPY path).
    expect((await ts.store.telemetry.latest({ deviceIds: [a] }))[0]!.values).toEqual(tricky);
    expect((await ts.store.telemetry.readings(b, t0, t0 + 1, 10))[0]).toMatchObject({ values: { x: 1 } });
    expect((await ts.store.telemetry.readings(b, t0, t0 + 1, 10))[0]!.seq).toBeUndefined();
  });

  it('returns only the new rows (repeats by seq and by time), and merges the latest state of a batch in time order', async () => {
    const t0 = Date.UTC(2026, 4, 2);
    const first = [
      r(a, t0 + 2000, { p: 3, q: 1 }, 12),
      r(a, t0, { p: 1, r: 7 }, 10),
      r(a, t0 + 1000, { p: 2 }, 11),
      r(b, t0, { x: 5 }),
    ];
    expect((await ts.store.telemetry.write(first)).map((x) => x.seq ?? x.time)).toEqual([12, 10, 11, t0]);
    const [la] = await ts.store.telemetry.latest({ deviceIds: [a] });
    // Newest reading's fields win; older fields that it lacks stay (r from the oldest, q from the newest).
    expect(la).toMatchObject({ time: t0 + 2000, seq: 12, values: { p: 3, q: 1, r: 7 } });
    const again = [r(a, t0 + 5, { p: 9 }, 11), r(b, t0, { x: 9 }), r(b, t0 + 1, { x: 6 })];
    const fresh = await ts.store.telemetry.write(again);
    expect(fresh).toEqual([again[2]]);
    expect((await ts.store.telemetry.latest({ deviceIds: [b] }))[0]).toMatchObject({ time: t0 + 1, values: { x: 6 } });
    // A batch of repeats only: nothing new, the latest state untouched.
    expect(await ts.store.telemetry.write(first)).toEqual([]);
    expect((await ts.store.telemetry.latest({ deviceIds: [a] }))[0]).toMatchObject({ seq: 12, values: { p: 3 } });
  });

  it('catches a seq repeated across a month boundary (each month is its own partition), both ways', async () => {
    const seqRows = async (seq: number) =>
      (
        await ts.store.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1 AND seq = $2',
          [a, seq],
        )
      ).rows[0]!.n;
    // A reading without a device clock is stamped on arrival: its retry lands after midnight, in the next month.
    const june = Date.UTC(2026, 5, 30, 23, 59, 59, 900);
    const july = Date.UTC(2026, 6, 1, 0, 0, 0, 300);
    expect(await ts.store.telemetry.write([r(a, june, { v: 1 }, 500)])).toHaveLength(1);
    const retry = [r(a, july, { v: 1 }, 500), r(a, july + 1, { v: 2 }, 501)];
    expect(await ts.store.telemetry.write(retry)).toEqual([retry[1]]);
    expect(await seqRows(500)).toBe(1);
    // The other way round: the later month holds the seq, a copy stamped in the month before is a repeat too.
    const early = [r(a, june - 1000, { v: 3 }, 501), r(a, june - 999, { v: 4 }, 502)];
    expect(await ts.store.telemetry.write(early)).toEqual([early[1]]);
    expect(await seqRows(501)).toBe(1);
    // The latest state was not moved by the repeats.
    expect((await ts.store.telemetry.latest({ deviceIds: [a] }))[0]).toMatchObject({ seq: 501, time: july + 1 });
  });

  it('a batch goes to the store in one call (COPY path: one COPY-then-statement, no BEGIN / COMMIT round trips; unnest: one statement), rows and latest both stored', async () => {
    const calls: string[] = [];
    const db = ts.store.db;
    const counted: Db = {
      ...db,
      kind: db.kind,
      query: (sql, params) => (calls.push('query'), db.query(sql, params)),
      transaction: (fn, o) => (calls.push('transaction'), db.transaction(fn, o)),
      copyThen: (c, data, sql, params) => (calls.push('copyThen'), db.copyThen(c, data, sql, params)),
    };
    const repo = new TelemetryRepo(counted);
    repo.writeMode = mode;
    const t0 = Date.UTC(2027, 2, 10); // after every other test's readings: the latest state moves to it
    await repo.ensurePartitions([t0]);
    calls.length = 0;
    const worker = { who: 'O\'Brien \\ "x" 工人', n: 1 };
    expect(await repo.write([r(a, t0, worker, 901), r(b, t0 + 1, { y: 2 }, 902)])).toHaveLength(2);
    expect(calls).toEqual([mode === 'copy' ? 'copyThen' : 'query']);
    expect((await ts.store.telemetry.latest({ deviceIds: [a] }))[0]!.values).toMatchObject(worker); // merged into earlier fields
    expect((await ts.store.telemetry.readings(b, t0, t0 + 2, 10))[0]!.values).toEqual({ y: 2 });
  });

  it('a batch the store refuses stores nothing, and the next batch on the same connection is clean', async () => {
    const t0 = Date.UTC(2026, 4, 3);
    // jsonb refuses \u0000: the whole batch is refused, the good row with it.
    await expect(
      ts.store.telemetry.write([r(a, t0, { ok: 1 }, 100), r(a, t0 + 1, { bad: 'x\u0000y' }, 101)]),
    ).rejects.toThrow();
    expect(await ts.store.telemetry.readings(a, t0, t0 + 10, 10)).toEqual([]);
    const fresh = await ts.store.telemetry.write([r(a, t0 + 2, { ok: 2 }, 102)]);
    expect(fresh).toHaveLength(1);
    // Only that row: nothing of the refused batch was left in a staging table to ride along.
    expect((await ts.store.telemetry.readings(a, t0, t0 + 10, 10)).map((x) => x.seq)).toEqual([102]);
  });
});

describe('plainArray (array parameters of the COPY path)', () => {
  it('writes uuids, integers and nulls as an array literal, and refuses an element that would need quoting', () => {
    expect(plainArray(['0f8fad5b-d9cb-469f-a165-70867728950e', null, 12, -3])).toBe(
      '{0f8fad5b-d9cb-469f-a165-70867728950e,NULL,12,-3}',
    );
    expect(plainArray([])).toBe('{}');
    expect(() => plainArray(['a,b'])).toThrow(/not a plain array element/);
    expect(() => plainArray(['"x"'])).toThrow(/not a plain array element/);
  });
});

describe('copyInput (the COPY text of a batch)', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const row = (i: number, values: Record<string, unknown>, seq?: number): StoredReading => ({
    deviceId: id,
    time: 1000 + i,
    receivedAt: 2000 + i,
    values,
    ...(seq !== undefined ? { seq } : {}),
  });

  it('writes a COPY text line per row (backslashes doubled, no seq as \\N) and each row values JSON', () => {
    const rows = [row(0, { a: 1, s: 'x\\y\t"z"\n' }, 7), row(1, { b: null })];
    const input = copyInput(rows);
    // The values' JSON with each backslash doubled (COPY's escape character); tabs and newlines are JSON-escaped.
    const vals = String.raw`{"a":1,"s":"x\\\\y\\t\\"z\\"\\n"}`;
    expect(input.text).toBe(
      [id, '1000', '7', '2000', vals].join('\t') +
        '\n' +
        [id, '1001', String.raw`\N`, '2001', '{"b":null}'].join('\t') +
        '\n',
    );
    expect(rows.map((r) => input.json.get(r))).toEqual(rows.map((r) => JSON.stringify(r.values)));
  });
});
