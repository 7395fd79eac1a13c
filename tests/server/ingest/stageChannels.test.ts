import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../server/ingest/GroupCommit.js';
import type { GroupStages } from '../../../server/ops/stageChannels.js';
import type { StoredReading } from '../../../server/store/TelemetryRepo.js';

const row = (seq: number): StoredReading => ({
  deviceId: 'd1',
  seq,
  time: Date.now() - 5,
  values: { noiseDb: 50 },
  receivedAt: Date.now(),
});

describe('ingest stage channels (bench/stageProbe.cjs)', () => {
  const seen: GroupStages[] = [];
  const onGroup = (m: unknown) => seen.push(m as GroupStages);
  afterEach(() => {
    diagnostics_channel.unsubscribe('sitetwin:ingest.group', onGroup);
    seen.length = 0;
  });

  it('publishes each committed group with its new rows and its stamps in order, after its listener ran', async () => {
    diagnostics_channel.subscribe('sitetwin:ingest.group', onGroup);
    const listened: number[] = [];
    const gc = new GroupCommit<string>(
      async (rows) => rows.slice(1), // the first row was a repeat
      { maxRows: 100, maxWaitMs: 0, maxQueuedRows: 1000 },
      () => listened.push(seen.length),
    );
    await gc.submit([row(1), row(2), row(3)], ['a', 'b', 'c']);
    expect(listened).toEqual([0]); // the listener ran before the publish
    expect(seen).toHaveLength(1);
    const g = seen[0]!;
    expect(g.rows.map((r) => r.seq)).toEqual([2, 3]);
    expect(g.start).toBeGreaterThan(0);
    expect(g.start).toBeLessThanOrEqual(g.written);
    expect(g.written).toBeLessThanOrEqual(g.announced);
    expect(g.announced).toBeLessThanOrEqual(g.notified);
  });
});
