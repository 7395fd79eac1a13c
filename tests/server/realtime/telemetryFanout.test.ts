import { describe, expect, it } from 'vitest';
import type { Device } from '../../../models/Device.js';
import type { LiveReading } from '../../../models/Reading.js';
import type { CommittedListener, Ingest } from '../../../server/ingest/Ingest.js';
import type { Logger } from '../../../server/log.js';
import type { LivePublisher } from '../../../server/realtime/LiveHub.js';
import { TelemetryFanout } from '../../../server/realtime/TelemetryFanout.js';
import type { Store } from '../../../server/store/Store.js';

/** A fan-out over a fake hub that records each publishReadings call, fed by a fake ingest. */
function harness(maxPerEmit: number) {
  const published: LiveReading[][] = [];
  let listener: CommittedListener = () => {};
  const live = {
    publishReadings: (rs: LiveReading[]) => published.push(rs),
    onSubscribe: () => {},
  } as unknown as LivePublisher;
  const ingest = { onCommitted: (fn: CommittedListener) => ((listener = fn), () => {}) } as unknown as Ingest;
  const fanout = new TelemetryFanout(live, ingest, {} as Store, { maxHz: 1, tickMs: 60_000, maxPerEmit }, {
    debug: () => {},
  } as unknown as Logger);
  const commit = (n: number) =>
    listener(
      Array.from({ length: n }, (_, i) => ({
        reading: { deviceId: `d${i}`, time: 1000, values: { v: i }, receivedAt: 1000 },
        device: { id: `d${i}`, projectId: `p${i % 3}`, kind: 'env_monitor' } as Device,
      })),
    );
  return { fanout, published, commit };
}

describe('TelemetryFanout', () => {
  it('sends a large backlog in slices of maxPerEmit, one per turn of the event loop, every reading once', async () => {
    const h = harness(4);
    h.commit(10);
    expect(h.fanout.flush(5000)).toBe(10);
    // The first slice at once; the others each after the loop had a turn for other work.
    expect(h.published.map((p) => p.length)).toEqual([4]);
    const order: string[] = [];
    setImmediate(() => order.push(`other work (${h.published.length} slices out)`));
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(h.published.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(order).toEqual(['other work (2 slices out)']);
    expect(h.published.flat().map((r) => r.deviceId)).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`));
    h.fanout.dispose();
  });

  it('sends a tick within maxPerEmit in one go, and nothing after dispose', async () => {
    const h = harness(100);
    h.commit(10);
    h.fanout.flush(5000);
    expect(h.published.map((p) => p.length)).toEqual([10]);
    const d = harness(4);
    d.commit(10);
    d.fanout.flush(5000);
    d.fanout.dispose();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(d.published.map((p) => p.length)).toEqual([4]);
    h.fanout.dispose();
  });

  it("sends a commit's readings on the next turn of the event loop, not at the next tick, each device at most maxHz", async () => {
    const h = harness(100); // ticks a minute apart
    h.commit(3);
    expect(h.published).toEqual([]); // not inside the committed listener (the group's acks go first)
    await new Promise((r) => setImmediate(r));
    expect(h.published.map((p) => p.map((r) => r.deviceId))).toEqual([['d0', 'd1', 'd2']]);
    // Within 1 s (maxHz 1) the same devices are not due again: kept for a later flush, merged.
    h.commit(2);
    await new Promise((r) => setImmediate(r));
    expect(h.published).toHaveLength(1);
    expect(h.fanout.flush(Date.now() + 1000)).toBe(2);
    expect(h.published.map((p) => p.length)).toEqual([3, 2]);
    h.fanout.dispose();
  });
});
