import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PulseFrames, type PulseScene } from '../../../client/map/PulseFrames.js';

/** A scene whose frames take `frameMs` of (fake) time from the request to postRender. */
function fakeScene(frameMs: () => number) {
  const listeners = new Set<() => void>();
  const requests: number[] = [];
  const scene: PulseScene = {
    requestRender() {
      requests.push(Date.now());
      setTimeout(() => {
        for (const l of listeners) l();
      }, frameMs());
    },
    postRender: {
      addEventListener(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
  };
  return { scene, requests };
}

describe('PulseFrames: an alarm pulse within a share of the renderer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs a pulse that asks for its next frame after every frame drawn, for `ms`. */
  function run(frameMs: () => number, ms: number, minMs = 250) {
    const { scene, requests } = fakeScene(frameMs);
    const pulse = new PulseFrames(scene, minMs);
    scene.postRender.addEventListener(() => pulse.request());
    pulse.request();
    vi.advanceTimersByTime(ms);
    pulse.dispose();
    return { requests, pulse };
  }

  it('pulses at its own pace (4 frames a second) when frames are cheap', () => {
    const { requests } = run(() => 10, 10_000);
    // One frame per 250 ms + 10 ms of drawing.
    expect(requests.length).toBeGreaterThanOrEqual(35);
    expect(requests.length).toBeLessThanOrEqual(40);
  });

  it('leaves the renderer three quarters of its time when a frame takes seconds (software WebGL at 4K)', () => {
    // Before: the glow asked for the next frame at once, so a 2.5 s frame ran back to back (0.4 frames a second).
    const { requests, pulse } = run(() => 2500, 100_000);
    expect(pulse.delayMs).toBeGreaterThanOrEqual(3 * 2500 - 1);
    // Each frame is 2.5 s of drawing then 7.5 s of rest: 10 frames in 100 s, not 40.
    expect(requests.length).toBeLessThanOrEqual(11);
    expect(requests.length).toBeGreaterThanOrEqual(9);
  });

  it('speeds up again when frames get cheap (the load went away)', () => {
    let cost = 4000;
    const { scene, requests } = fakeScene(() => cost);
    const pulse = new PulseFrames(scene, 250);
    scene.postRender.addEventListener(() => pulse.request());
    pulse.request();
    vi.advanceTimersByTime(60_000);
    cost = 10;
    vi.advanceTimersByTime(60_000);
    const before = requests.length;
    vi.advanceTimersByTime(10_000);
    expect(requests.length - before).toBeGreaterThanOrEqual(35);
    pulse.dispose();
  });

  it('asks once however often it is asked, and a cancelled pulse draws nothing', () => {
    const { scene, requests } = fakeScene(() => 10);
    const pulse = new PulseFrames(scene, 250);
    for (let i = 0; i < 10; i++) pulse.request();
    vi.advanceTimersByTime(300);
    expect(requests).toHaveLength(1);
    pulse.request();
    pulse.cancel();
    vi.advanceTimersByTime(1000);
    expect(requests).toHaveLength(1);
    pulse.dispose();
  });
});
