import { describe, expect, it } from 'vitest';
import { boxesOverlap, placeLabels, truncateLabel, type LabelCandidate } from '../../../client/map/labelPlacement.js';

const c = (
  id: string,
  x: number,
  y: number,
  priority: number,
  extra: Partial<LabelCandidate> = {},
): LabelCandidate => ({ id, x, y, w: 80, h: 20, priority, ...extra });

describe('placeLabels', () => {
  it('keeps every label when none collide', () => {
    const r = placeLabels([c('a', 100, 100, 1), c('b', 300, 100, 1), c('c', 100, 300, 1)], { clusterPx: 0 });
    expect(r.placed.map((p) => p.id).sort()).toEqual(['a', 'b', 'c']);
    expect(r.hidden).toEqual([]);
  });

  it('hides the lower-priority label of two that would overlap, whatever their order', () => {
    const items = [c('low', 100, 100, 1), c('high', 130, 105, 5)];
    for (const list of [items, [...items].reverse()]) {
      const r = placeLabels(list, { clusterPx: 0 });
      expect(r.placed.map((p) => p.id)).toEqual(['high']);
      expect(r.hidden).toEqual(['low']);
    }
  });

  it('never returns two placed boxes that overlap (a crowd of 300)', () => {
    const items: LabelCandidate[] = [];
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++)
      items.push(c(`p${i}`, rnd() * 800, rnd() * 600, Math.floor(rnd() * 4), { w: 40 + rnd() * 100 }));
    const r = placeLabels(items, { clusterPx: 0 });
    expect(r.placed.length).toBeGreaterThan(10);
    expect(r.placed.length + r.hidden.length).toBe(300);
    for (let i = 0; i < r.placed.length; i++)
      for (let j = i + 1; j < r.placed.length; j++) expect(boxesOverlap(r.placed[i]!, r.placed[j]!)).toBe(false);
  });

  it('clusters pins closer than clusterPx under the highest-priority one, counting the rest', () => {
    const r = placeLabels(
      [
        c('a', 100, 100, 1, { pin: true }),
        c('b', 110, 104, 9, { pin: true }),
        c('c', 95, 96, 2, { pin: true }),
        c('far', 500, 500, 1, { pin: true }),
      ],
      { clusterPx: 30 },
    );
    expect(r.clusters.get('b')).toEqual(['a', 'c'].sort());
    expect(r.absorbed.sort()).toEqual(['a', 'c']);
    expect(r.placed.map((p) => p.id).sort()).toEqual(['b', 'far']);
  });

  it('keeps labels off the pins: a district name on a pin is hidden, the pin stays', () => {
    const r = placeLabels([c('district', 100, 100, 50), c('p', 100, 100, 40, { pin: true, pinPx: 16, dy: 14 })], {
      clusterPx: 0,
    });
    expect(r.pins.map((p) => p.id)).toEqual(['pin:p']);
    expect(r.placed.map((p) => p.id)).toEqual(['p']);
    expect(r.hidden).toEqual(['district']);
    for (const b of r.placed) for (const pin of r.pins) expect(boxesOverlap(b, pin)).toBe(false);
  });

  it('hides a label the canvas edge would cut, keeps its pin; without bounds it is placed', () => {
    const items = [c('edge', 100, 6, 5), c('inside', 300, 200, 1), c('p', 500, 4, 2, { pin: true, pinPx: 16, dy: 14 })];
    const r = placeLabels(items, { clusterPx: 0, bounds: { width: 640, height: 400 } });
    expect(r.placed.map((p) => p.id)).toEqual(['inside']);
    expect(r.hidden.sort()).toEqual(['edge', 'p']);
    expect(r.pins.map((p) => p.id)).toEqual(['pin:p']);
    expect(placeLabels(items, { clusterPx: 0 }).placed).toHaveLength(3);
  });

  it('moves a label to its next anchor when its own spot is taken, and says which one won', () => {
    // A district name whose label point sits on a pin, with two interior points: the first is under a project
    // label, the second is free.
    const items = [
      c('district', 100, 100, 50, {
        alternatives: [
          { x: 300, y: 96 },
          { x: 100, y: 300 },
        ],
      }),
      c('p', 100, 100, 40, { pin: true, pinPx: 16, dy: 14 }),
      c('q-label', 300, 100, 60),
    ];
    const r = placeLabels(items, { clusterPx: 0 });
    const d = r.placed.find((b) => b.id === 'district');
    expect(d).toEqual({ id: 'district', x: 60, y: 290, w: 80, h: 20, anchor: 2 });
    expect(r.hidden).toEqual([]);
    for (let i = 0; i < r.placed.length; i++) {
      for (let j = i + 1; j < r.placed.length; j++) expect(boxesOverlap(r.placed[i]!, r.placed[j]!)).toBe(false);
      for (const pin of r.pins) expect(boxesOverlap(r.placed[i]!, pin)).toBe(false);
    }
  });

  it('skips an anchor the canvas edge would cut and keeps the first anchor when it is free', () => {
    const edge = placeLabels([c('d', 10, 100, 1, { alternatives: [{ x: 200, y: 100 }] })], {
      clusterPx: 0,
      bounds: { width: 400, height: 300 },
    });
    expect(edge.placed).toEqual([{ id: 'd', x: 160, y: 90, w: 80, h: 20, anchor: 1 }]);
    const free = placeLabels([c('d', 100, 100, 1, { alternatives: [{ x: 200, y: 100 }] })], { clusterPx: 0 });
    expect(free.placed).toEqual([{ id: 'd', x: 60, y: 90, w: 80, h: 20 }]);
  });

  it('hides a label only when every anchor is taken', () => {
    const r = placeLabels(
      [c('big', 200, 100, 9, { w: 400, h: 200 }), c('d', 150, 60, 1, { alternatives: [{ x: 250, y: 150 }] })],
      { clusterPx: 0 },
    );
    expect(r.placed.map((b) => b.id)).toEqual(['big']);
    expect(r.hidden).toEqual(['d']);
  });

  it('does not cluster labels that are not pins (district names)', () => {
    const r = placeLabels([c('d', 100, 100, 3), c('p', 100, 140, 1, { pin: true })], { clusterPx: 60 });
    expect(r.absorbed).toEqual([]);
  });
});

describe('truncateLabel', () => {
  it('keeps short names and cuts long ones with an ellipsis', () => {
    expect(truncateLabel('崂山科创中心 A 区', 12)).toBe('崂山科创中心 A 区');
    expect(truncateLabel('城阳区轨道交通车辆段上盖物业开发项目一期工程', 12)).toBe('城阳区轨道交通车辆段上…');
    expect([...truncateLabel('城阳区轨道交通车辆段上盖物业开发项目一期工程', 12)].length).toBe(12);
  });
});
