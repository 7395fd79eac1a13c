import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStore } from '../../../client/devices/DeviceStore.js';
import { ReplayController } from '../../../client/replay/ReplayController.js';
import type { ProjectReplay } from '../../../models/Replay.js';
import { makeAlarm, makeDevice } from '../overlays/fixtures.js';

const pid = randomUUID();
const crane = makeDevice(pid);
/** The recorded history the test "server" answers from: the slew stored at each whole second (held in between). */
const slewAt = (t: number) => Math.floor(t / 1000) % 360;

interface Request {
  from: number;
  to: number;
  stepMs: number;
  answer(): void;
  fail(msg: string): void;
}

/** A window as `/replay` builds it: samples from `from` every `stepMs` up to the first at or after `to`. */
function replayOf(
  from: number,
  to: number,
  stepMs: number,
  alarms = [makeAlarm({ projectId: pid, deviceId: crane.id, raisedAt: 0 })],
): ProjectReplay {
  const steps = Math.ceil((to - from) / stepMs) + 1;
  const slew = Array.from({ length: steps }, (_, k) => slewAt(from + k * stepMs));
  return {
    projectId: pid,
    from,
    to,
    stepMs,
    steps,
    devices: [{ deviceId: crane.id, kind: 'tower_crane', fields: { slewDeg: slew } }],
    alarms,
  };
}

let player: ReplayController | null = null;
afterEach(() => {
  player?.dispose();
  player = null;
});

/** A player whose window loads wait until the test answers them, in any order. */
function setup() {
  const store = new DeviceStore();
  store.reset(
    pid,
    [crane],
    [{ deviceId: crane.id, projectId: pid, kind: 'tower_crane', time: Date.now(), values: { slewDeg: 300 } }],
  );
  const requests: Request[] = [];
  const p = new ReplayController(store, (projectId, from, to, stepMs) => {
    expect(projectId).toBe(pid);
    return new Promise<ProjectReplay>((resolve, reject) => {
      requests.push({
        from,
        to,
        stepMs,
        answer: () => resolve(replayOf(from, to, stepMs)),
        fail: (m) => reject(new Error(m)),
      });
    });
  });
  player = p;
  const seeks: number[] = [];
  p.onSeek.add((t) => seeks.push(t));
  const slew = () => store.get(crane.id)?.values.slewDeg;
  return { store, p, requests, seeks, slew };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('ReplayController', () => {
  it('a seek while the first window loads ends at the new instant, whichever answer comes first', async () => {
    for (const order of ['old first', 'new first'] as const) {
      const { store, p, requests, seeks, slew } = setup();
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      const t1 = t0 + 40 * 60_000; // 40 min later: outside the first window (5 min)
      const entering = p.enter(t0);
      expect(store.mode).toBe('replay');
      expect(requests).toHaveLength(1);
      const seeking = p.seek(t1);
      expect(requests).toHaveLength(2); // not the pending promise of the old window
      expect(requests[1]!.from).toBe(t1);
      expect(p.status.loading).toBe(true);
      if (order === 'old first') {
        requests[0]!.answer();
        await entering;
        expect(slew()).toBeUndefined(); // the old window does not cover t1: nothing shown as if it did
        expect(p.status.loading).toBe(true); // still waiting for t1
        requests[1]!.answer();
        await seeking;
      } else {
        requests[1]!.answer();
        await seeking;
        expect(slew()).toBe(slewAt(t1));
        requests[0]!.answer();
        await entering;
      }
      expect(p.status.loading).toBe(false);
      expect(p.status.t).toBe(t1);
      expect(slew()).toBe(slewAt(t1)); // paused: applied on arrival, never overwritten by the late old window
      expect(store.get(crane.id)!.time).toBe(t1);
      expect(p.status.alarmsOpen).toBe(1);
      expect(seeks).toEqual([t0, t1]);
      p.dispose();
    }
  });

  it('seeks back and forth inside loaded windows at once, and between samples interpolates', async () => {
    const { p, requests, seeks, slew } = setup();
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const entering = p.enter(t0);
    requests[0]!.answer();
    await entering;
    expect(slew()).toBe(slewAt(t0));
    await p.seek(t0 + 120_000);
    expect(slew()).toBe(slewAt(t0 + 120_000));
    await p.seek(t0 + 30_000); // back in time
    expect(slew()).toBe(slewAt(t0 + 30_000));
    await p.seek(t0 + 30_500);
    const a = slewAt(t0 + 30_000);
    const b = slewAt(t0 + 31_000);
    expect(slew()).toBeCloseTo(b < a ? (a + (b + 360 - a) / 2) % 360 : (a + b) / 2, 6);
    expect(requests).toHaveLength(1); // all inside the first window: no load
    expect(seeks).toEqual([t0, t0 + 120_000, t0 + 30_000, t0 + 30_500]);
    // Back to a window loaded earlier after going elsewhere: kept, no refetch.
    const far = p.seek(t0 + 50 * 60_000);
    expect(requests).toHaveLength(2);
    requests[1]!.answer();
    await far;
    await p.seek(t0 + 60_000);
    expect(requests).toHaveLength(2);
    expect(slew()).toBe(slewAt(t0 + 60_000));
  });

  it('a failed load reports its error; answers after exit or of an earlier session are dropped', async () => {
    const { store, p, requests, slew } = setup();
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const entering = p.enter(t0);
    requests[0]!.fail('store unavailable');
    await entering;
    expect(p.status).toMatchObject({ loading: false, error: 'store unavailable' });
    const again = p.seek(t0 + 1000);
    expect(requests).toHaveLength(2);
    p.exit();
    expect(store.mode).toBe('live');
    requests[1]!.answer();
    await again;
    expect(slew()).toBe(300); // live value, untouched by the late answer
    const reenter = p.enter(t0 + 1000);
    expect(requests).toHaveLength(3);
    expect(p.status.error).toBeNull();
    requests[2]!.answer();
    await reenter;
    expect(slew()).toBe(slewAt(t0 + 1000));
    await flush();
  });
});
