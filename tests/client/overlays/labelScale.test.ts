import { Cartesian3, CustomDataSource } from 'cesium';
import { describe, expect, it } from 'vitest';
import { LabelScale } from '../../../client/overlays/labelScale.js';

const fontOf = (ds: CustomDataSource, id: string) => ds.entities.getById(id)!.label!.font!.getValue(undefined as never);
const add = (ds: CustomDataSource, id: string, font?: string) =>
  ds.entities.add({
    id,
    position: Cartesian3.fromDegrees(120.4, 36.1, 10),
    ...(font ? { label: { text: id, font } } : { point: { pixelSize: 5 } }),
  });

describe('LabelScale: device labels scaled with the wall, those added later too', () => {
  it('scales the font of every label, keeps the rest of the font, and goes back to the overlay size at 1', () => {
    const ds = new CustomDataSource('site');
    add(ds, 'crane', '13px sans-serif');
    add(ds, 'marker', 'bold 12px sans-serif');
    add(ds, 'dot');
    const s = new LabelScale(ds.entities);
    s.scale = 2;
    expect(fontOf(ds, 'crane')).toBe('26px sans-serif');
    expect(fontOf(ds, 'marker')).toBe('bold 24px sans-serif');
    expect(ds.entities.getById('dot')!.label).toBeUndefined();
    s.scale = 3.5; // from the overlay's size, not compounded
    expect(fontOf(ds, 'crane')).toBe('46px sans-serif');
    s.scale = 1;
    expect(fontOf(ds, 'crane')).toBe('13px sans-serif');
    s.dispose();
  });

  it('a label added after the scale was set is drawn at that scale', () => {
    const ds = new CustomDataSource('site');
    const s = new LabelScale(ds.entities);
    s.scale = 1.75;
    add(ds, 'hoist', '12px sans-serif');
    expect(fontOf(ds, 'hoist')).toBe('21px sans-serif');
    s.dispose();
    add(ds, 'late', '12px sans-serif');
    expect(fontOf(ds, 'late')).toBe('12px sans-serif');
  });
});
