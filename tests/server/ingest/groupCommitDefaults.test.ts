import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../server/ingest/GroupCommit.js';
import { ingestOptionsFor } from '../../../server/ingest/Ingest.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';

const rows = (from: number, n: number): StoredReading[] =>
  Array.from({ length: n }, (_, i) => ({ deviceId: `d${from + i}`, seq: 1, time: 1000, values: {}, receivedAt: 0 }));

/**
 * Submits `subs` submissions of `size` rows while every write is held; returns the sizes of the writes started while
 * held, and of all writes once released.
 */
async function heldWrites(
  kind: 'server' | 'embedded',
  subs: number,
  size: number,
): Promise<{ held: number[]; all: number[] }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const started: number[] = [];
  const gc = new GroupCommit<string>(
    async (r) => {
      started.push(r.length);
      await held;
      return r;
    },
    ingestOptionsFor(kind),
    () => {},
  );
  const done = Array.from({ length: subs }, (_, i) =>
    gc.submit(
      rows(i * size, size),
      rows(0, size).map(() => 't'),
    ),
  );
  await new Promise((r) => setTimeout(r, 20));
  const snapshot = [...started];
  release();
  await Promise.all(done);
  return { held: snapshot, all: started };
}

describe('group commit defaults per store', () => {
  it('PostgreSQL server: two transactions in flight, each of up to 5 000 readings', async () => {
    // Each free slot starts at once; what queued behind the two goes in one group.
    expect(await heldWrites('server', 12, 250)).toEqual({ held: [250, 250], all: [250, 250, 2500] });
  });

  it('embedded: one transaction at a time, up to 5 000 readings (its one connection would only queue a second)', async () => {
    expect(await heldWrites('embedded', 12, 250)).toEqual({ held: [250], all: [250, 2750] });
  });
});
