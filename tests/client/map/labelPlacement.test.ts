import { describe, expect, it } from 'vitest';
import {
  boxesOverlap,
  boxCrossesSegment,
  OTHER_SIDES,
  PIN_SIDES,
  placeLabels,
  truncateLabel,
  type LabelCandidate,
} from '../../../client/map/labelPlacement.js';

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

  it("a pin's name goes under or beside its pin when the place above is cut by the edge or taken", () => {
    const bounds = { width: 640, height: 400 };
    // A pin 10 px under the map's top edge: its name above would be cut.
    const top = c('top', 300, 10, 40, { pin: true, pinPx: 11, dy: 20 });
    expect(placeLabels([top], { clusterPx: 0, bounds }).hidden).toEqual(['top']);
    const under = placeLabels([{ ...top, sides: PIN_SIDES }], { clusterPx: 0, bounds }).placed;
    expect(under.map((p) => [p.id, p.side])).toEqual([['top', 'below']]);
    expect(under[0]!.y).toBeGreaterThanOrEqual(10 + 20);
    // A pin whose above and below are taken by a stronger label each: beside it, clear of its dot.
    const pin = c('pin', 300, 200, 40, { pin: true, pinPx: 11, dy: 20, sides: PIN_SIDES });
    const r = placeLabels([pin, c('north', 300, 165, 90), c('south', 300, 245, 90)], { clusterPx: 0, bounds });
    const placed = r.placed.find((p) => p.id === 'pin');
    expect(placed?.side).toBe('right');
    expect(placed!.x).toBeGreaterThanOrEqual(300 + 20);
    expect(r.hidden).toEqual([]);
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

describe('placeLabels with lines drawn on the map', () => {
  // A crane seen from the default project view: mast top at (400, 300), its jib going up and right on screen across
  // where a label above the mast would stand.
  const jib = { x1: 400, y1: 300, x2: 520, y2: 230 };
  const crane = (extra: Partial<LabelCandidate> = {}) => c('crane', 400, 300, 9, { w: 120, h: 36, dy: 4, ...extra });

  it('hides a label a line crosses when it has nowhere else to stand', () => {
    const r = placeLabels([crane()], { clusterPx: 0, lines: [jib] });
    expect(r.placed).toEqual([]);
    expect(r.hidden).toEqual(['crane']);
    // Without the line it stands above its anchor.
    expect(placeLabels([crane()], { clusterPx: 0 }).placed).toEqual([{ id: 'crane', x: 340, y: 260, w: 120, h: 36 }]);
  });

  it('moves a label to the first side of its anchor that no line crosses, and says which side won', () => {
    const r = placeLabels([crane({ sides: OTHER_SIDES })], { clusterPx: 0, lines: [jib] });
    // Above and above-right are crossed by the jib; above-left of the mast top is free.
    expect(r.placed).toEqual([{ id: 'crane', x: 400 - 4 - 120, y: 300 - 4 - 36, w: 120, h: 36, side: 'above-left' }]);
    // Only left and right offered: left.
    expect(placeLabels([crane({ sides: ['right', 'left'] })], { clusterPx: 0, lines: [jib] }).placed).toEqual([
      { id: 'crane', x: 400 - 4 - 120, y: 300 - 18, w: 120, h: 36, side: 'left' },
    ]);
    for (const b of r.placed) expect(boxCrossesSegment(b, jib)).toBe(false);
  });

  it('keeps every placed label off every line (a crowd around a crane with jib, counter-jib and mast)', () => {
    const lines = [jib, { x1: 400, y1: 300, x2: 330, y2: 330 }, { x1: 400, y1: 300, x2: 400, y2: 520 }];
    const items: LabelCandidate[] = [crane({ sides: OTHER_SIDES })];
    let seed = 11;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 60; i++)
      items.push(c(`d${i}`, 250 + rnd() * 300, 200 + rnd() * 300, Math.floor(rnd() * 4), { sides: ['right', 'left'] }));
    const r = placeLabels(items, { clusterPx: 0, lines });
    expect(r.placed.length).toBeGreaterThan(3);
    expect(r.placed.map((b) => b.id)).toContain('crane');
    for (const b of r.placed) for (const l of lines) expect(boxCrossesSegment(b, l)).toBe(false);
    for (let i = 0; i < r.placed.length; i++)
      for (let j = i + 1; j < r.placed.length; j++) expect(boxesOverlap(r.placed[i]!, r.placed[j]!)).toBe(false);
  });
});

describe('boxCrossesSegment', () => {
  const box = { x: 100, y: 100, w: 50, h: 20 };
  it('is true for a segment through the box, inside it or touching one of its edges from outside', () => {
    expect(boxCrossesSegment(box, { x1: 80, y1: 90, x2: 170, y2: 130 })).toBe(true);
    expect(boxCrossesSegment(box, { x1: 110, y1: 105, x2: 120, y2: 108 })).toBe(true);
    expect(boxCrossesSegment(box, { x1: 125, y1: 60, x2: 125, y2: 101 })).toBe(true);
  });
  it('is false for a segment beside the box, or one whose line would cross it beyond its end', () => {
    expect(boxCrossesSegment(box, { x1: 80, y1: 90, x2: 170, y2: 90 })).toBe(false);
    expect(boxCrossesSegment(box, { x1: 160, y1: 60, x2: 160, y2: 160 })).toBe(false);
    expect(boxCrossesSegment(box, { x1: 60, y1: 60, x2: 90, y2: 90 })).toBe(false);
  });
});

describe('truncateLabel', () => {
  it('keeps short names and cuts long ones with an ellipsis', () => {
    expect(truncateLabel('崂山科创中心 A 区', 12)).toBe('崂山科创中心 A 区');
    expect(truncateLabel('城阳区轨道交通车辆段上盖物业开发项目一期工程', 12)).toBe('城阳区轨道交通车辆段上…');
    expect([...truncateLabel('城阳区轨道交通车辆段上盖物业开发项目一期工程', 12)].length).toBe(12);
  });
});
