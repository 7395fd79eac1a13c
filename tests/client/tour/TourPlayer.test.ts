import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Cartesian3, Event as CesiumEvent, Math as CesiumMath } from 'cesium';
import { rectangleAround } from '../../../models/geo.js';
import { defaultCityTour, defaultProjectTour } from '../../../models/Tour.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import type { MapView } from '../../../client/map/MapView.js';
import { TourControls } from '../../../client/tour/TourControls.js';
import { TourPlayer, type TourState } from '../../../client/tour/TourPlayer.js';
import { installFakeDom, type FakeElement } from '../fakeDom.js';

interface Flight {
  destination: Cartesian3;
  orientation: { heading: number; pitch: number };
  complete?: () => void;
  cancel?: () => void;
}

/** Just enough of Cesium's camera: setView / flyTo / cancelFlight move or not, moveEnd is raised by the test. */
class FakeCamera {
  positionWC = Cartesian3.fromDegrees(100, 30, 1_000_000);
  heading = 0;
  pitch = -Math.PI / 2;
  readonly moveEnd = new CesiumEvent();
  flight: Flight | null = null;
  setView(o: { destination: Cartesian3; orientation: { heading: number; pitch: number } }): void {
    this.positionWC = o.destination;
    this.heading = o.orientation.heading;
    this.pitch = o.orientation.pitch;
  }
  flyTo(o: Flight): void {
    this.cancelFlight();
    this.flight = o;
  }
  cancelFlight(): void {
    const f = this.flight;
    this.flight = null;
    f?.cancel?.();
  }
  /** The flight under way reaches its destination. */
  arrive(): void {
    const f = this.flight!;
    this.flight = null;
    this.setView(f);
    f.complete?.();
    this.moveEnd.raiseEvent();
  }
  /** Someone else (a drag, a probe's lookAt) puts the camera at another place; Cesium raises moveEnd once it rests. */
  moveTo(lon: number, lat: number, height: number): void {
    this.cancelFlight();
    this.setView({ destination: Cartesian3.fromDegrees(lon, lat, height), orientation: { heading: 0, pitch: -1 } });
    this.moveEnd.raiseEvent();
  }
}

function fakeMap() {
  const camera = new FakeCamera();
  const map = {
    enabled: true,
    viewer: { camera, isDestroyed: () => false },
    requestRender: () => undefined,
  };
  return { camera, map: map as unknown as MapView };
}

const site = (id: string, name: string, lon: number) => ({
  id,
  name,
  footprint: rectangleAround({ lon, lat: 36.3 }, 100, 100),
  heightM: 60,
});
const A = site('00000000-0000-4000-8000-000000000001', '城阳区安置房', 120.39);
const B = site('00000000-0000-4000-8000-000000000002', '黄岛区学校', 120.2);

beforeAll(() => {
  installFakeDom();
  (globalThis as Record<string, unknown>).window = {
    location: { href: 'http://wall/', origin: 'http://wall', pathname: '/wall.html', search: '' },
  };
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  setLocale('zh-CN');
});

describe('TourPlayer: the caption describes what the camera shows (issue 19)', () => {
  it('plays a generated tour with its name and captions in the UI language', () => {
    setLocale('zh-CN');
    const { map } = fakeMap();
    const p = new TourPlayer(map);
    p.load(defaultProjectTour(A, 1), 0, { instant: true });
    expect(p.state.caption).toBe('城阳区安置房，南侧视角');
    expect(p.current!.name).toBe('城阳区安置房：工地巡览');
  });

  it('marks the tour away when the camera is moved off its stop, and shows the caption again at the next stop', () => {
    const { camera, map } = fakeMap();
    const p = new TourPlayer(map);
    const seen: TourState[] = [];
    p.onState.add((s) => seen.push(s));
    p.load(defaultCityTour([A, B], 1), 0, { instant: true });
    expect(p.state).toMatchObject({ step: 0, arrived: true, away: false, caption: '城阳区安置房' });
    // Cesium raises moveEnd after the tour's own arrival too: that is not leaving the tour.
    camera.moveEnd.raiseEvent();
    expect(p.state.away).toBe(false);

    // A probe looks at the other project: the caption no longer names what is on screen.
    camera.moveTo(120.2, 36.28, 800);
    expect(p.state.away).toBe(true);
    expect(seen.at(-1)!.away).toBe(true);

    // The tour goes on after its dwell: a flight to the next stop, the caption back once there.
    vi.advanceTimersByTime(10_000);
    expect(camera.flight).not.toBeNull();
    camera.arrive();
    expect(p.state).toMatchObject({ step: 1, arrived: true, away: false, caption: '黄岛区学校' });
  });

  it('a flight cut short by another camera move leaves the tour away, and a playing tour still moves on', () => {
    const { camera, map } = fakeMap();
    const p = new TourPlayer(map);
    p.load(defaultCityTour([A, B], 1), 0, { instant: true });
    vi.advanceTimersByTime(10_000);
    expect(p.state).toMatchObject({ step: 1, arrived: false });
    camera.moveTo(120.39, 36.28, 900); // a lookAt mid-flight cancels the flight
    expect(p.state.away).toBe(true);
    vi.advanceTimersByTime(10_000);
    camera.arrive();
    expect(p.state).toMatchObject({ step: 0, arrived: true, away: false });
  });

  it('a paused tour whose view is moved is away; Play flies back and shows the caption', () => {
    const { camera, map } = fakeMap();
    const p = new TourPlayer(map);
    p.load(defaultProjectTour(A, 1), 0, { instant: true });
    p.pause();
    camera.moveTo(120.0, 36.0, 5000);
    expect(p.state).toMatchObject({ playing: false, away: true });
    p.play();
    camera.arrive();
    expect(p.state).toMatchObject({ playing: true, step: 0, arrived: true, away: false });
  });

  it('a small drift of the camera (float rounding, a resize) is still the tour view', () => {
    const { camera, map } = fakeMap();
    const p = new TourPlayer(map);
    p.load(defaultProjectTour(A, 1), 0, { instant: true });
    const vp = p.current!.viewpoints[0]!;
    camera.setView({
      destination: Cartesian3.fromDegrees(vp.lon + 1e-6, vp.lat, vp.height + 0.5),
      orientation: { heading: CesiumMath.toRadians(vp.headingDeg + 0.2), pitch: CesiumMath.toRadians(vp.pitchDeg) },
    });
    camera.moveEnd.raiseEvent();
    expect(p.state.away).toBe(false);
  });
});

describe('TourControls: the caption hides while the camera is off the tour', () => {
  it('hides the caption when away and shows it again on return', () => {
    const { camera, map } = fakeMap();
    const p = new TourPlayer(map);
    const host = document.createElement('div') as unknown as FakeElement;
    new TourControls(host as unknown as HTMLElement, p, { compact: true });
    const caption = host.querySelector('[data-testid="tour-caption"]')!;
    p.load(defaultCityTour([A, B], 1), 0, { instant: true });
    expect([caption.hidden, caption.textContent]).toEqual([false, '城阳区安置房']);
    camera.moveTo(120.2, 36.28, 800);
    expect(caption.hidden).toBe(true);
    vi.advanceTimersByTime(10_000);
    camera.arrive();
    expect([caption.hidden, caption.textContent]).toEqual([false, '黄岛区学校']);
  });
});
