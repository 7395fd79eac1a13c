import { afterEach, describe, expect, it } from 'vitest';
import { rectangleAround } from '../../../models/geo.js';
import { defaultCityTour, defaultProjectTour, Tour, type Tour as TourT } from '../../../models/Tour.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { localizeTour } from '../../../client/tour/tourText.js';

const site = (id: string, name: string) => ({
  id,
  name,
  footprint: rectangleAround({ lon: 120.4, lat: 36.1 }, 100, 100),
  heightM: 60,
});
const A = site('00000000-0000-4000-8000-000000000001', '城阳区安置房');
const B = site('00000000-0000-4000-8000-000000000002', '黄岛区学校');

afterEach(() => setLocale('zh-CN'));

describe('generated tours in the UI language (issue 19)', () => {
  it('words a generated project tour and its four captions in Chinese in the zh-CN UI', () => {
    setLocale('zh-CN');
    const tour = localizeTour(defaultProjectTour(A, 1));
    expect(tour.name).toBe('城阳区安置房：工地巡览');
    expect(tour.viewpoints.map((v) => v.caption)).toEqual([
      '城阳区安置房，南侧视角',
      '城阳区安置房，东侧视角',
      '城阳区安置房，北侧视角',
      '城阳区安置房，西侧视角',
    ]);
  });

  it('words the generated city tour in Chinese, each stop named by its project', () => {
    setLocale('zh-CN');
    const tour = localizeTour(defaultCityTour([B, A], 1));
    expect(tour.name).toBe('城市巡览');
    expect(tour.viewpoints.map((v) => v.caption)).toEqual(['城阳区安置房', '黄岛区学校']);
  });

  it('keeps the English wording in the en UI', () => {
    setLocale('en');
    const p = localizeTour(defaultProjectTour(A, 1));
    expect(p.name).toBe('城阳区安置房: site tour');
    expect(p.viewpoints.map((v) => v.caption)).toEqual([
      '城阳区安置房, from the south',
      '城阳区安置房, from the east',
      '城阳区安置房, from the north',
      '城阳区安置房, from the west',
    ]);
    expect(localizeTour(defaultCityTour([A], 1)).name).toBe('City tour');
  });

  it('a generated tour as the server sends it (JSON, parsed) carries what the client needs to word it', () => {
    setLocale('zh-CN');
    const wire = Tour.parse(JSON.parse(JSON.stringify(defaultProjectTour(A, 1))));
    expect(localizeTour(wire).viewpoints[2]!.caption).toBe('城阳区安置房，北侧视角');
  });

  it('leaves a saved tour as its author wrote it', () => {
    setLocale('zh-CN');
    const saved: TourT = {
      ...defaultProjectTour(A, 1),
      id: '00000000-0000-4000-8000-0000000000aa',
      generated: false,
      name: 'Leaders visit',
      viewpoints: [{ ...defaultProjectTour(A, 1).viewpoints[0]!, caption: 'South gate', label: undefined }],
    };
    const out = localizeTour(saved);
    expect(out.name).toBe('Leaders visit');
    expect(out.viewpoints[0]!.caption).toBe('South gate');
  });
});
