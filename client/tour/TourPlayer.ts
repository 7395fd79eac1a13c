import { Cartesian3, Cartographic, EasingFunction, Math as CesiumMath } from 'cesium';
import type { Tour, Viewpoint } from '../../models/Tour.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import type { MapView } from '../map/MapView.js';
import { clampStep, nextStep, previousStep } from './tourLink.js';
import { localizeTour } from './tourText.js';

/** Where the player is: which step, whether it plays, and whether the camera has arrived there. */
export interface TourState {
  tourId: string | null;
  step: number;
  steps: number;
  playing: boolean;
  /** The camera finished the flight to the current step (the dwell timer runs from here). */
  arrived: boolean;
  caption: string;
  /**
   * The camera was moved off the current stop's view (a drag, a probe's lookAt, a flight cut short): the caption
   * names what the tour would show, not what is on screen, so it is not shown until the tour is back at a stop.
   */
  away: boolean;
  /** The project of the current stop (generated tours), the stable key a share link carries. */
  at?: string;
}

/** The camera in degrees and metres, as tests and the probe read it. */
export interface CameraPose {
  lon: number;
  lat: number;
  height: number;
  headingDeg: number;
  pitchDeg: number;
}

/** Reads the camera pose of a map. */
export function cameraPose(map: MapView): CameraPose {
  const cam = map.viewer.camera;
  const c = Cartographic.fromCartesian(cam.positionWC);
  return {
    lon: CesiumMath.toDegrees(c.longitude),
    lat: CesiumMath.toDegrees(c.latitude),
    height: c.height,
    headingDeg: CesiumMath.toDegrees(cam.heading),
    pitchDeg: CesiumMath.toDegrees(cam.pitch),
  };
}

/** Is the camera at this view? A drift of float rounding or a resize is; a move by anyone else is not. */
export function atView(
  pose: CameraPose,
  vp: Pick<Viewpoint, 'lon' | 'lat' | 'height' | 'headingDeg' | 'pitchDeg'>,
): boolean {
  const dLat = (pose.lat - vp.lat) * M_PER_DEG_LAT;
  const dLon = (pose.lon - vp.lon) * M_PER_DEG_LAT * Math.cos((vp.lat * Math.PI) / 180);
  const dist = Math.hypot(dLat, dLon, pose.height - vp.height);
  // 2 % of the view's height (8 m of a 400 m high view) or 5 m; 3 degrees of heading or pitch.
  if (dist > Math.max(5, 0.02 * Math.abs(vp.height))) return false;
  if (Math.abs(pose.pitchDeg - vp.pitchDeg) > 3) return false;
  // Looking straight down, heading is whatever the camera kept: not a sign of a move.
  if (Math.abs(vp.pitchDeg) > 88) return true;
  const dh = Math.abs(((pose.headingDeg - vp.headingDeg) % 360) + 360) % 360;
  return Math.min(dh, 360 - dh) <= 3;
}

const M_PER_DEG_LAT = 111_320;

/**
 * Plays a tour: flies the camera to each viewpoint (Cesium's arcing flight, or a straight linear one), stays there
 * `durationS`, moves on; play, pause, next, previous, go to a step. While it plays the map ignores clicks, so a
 * stray pointer cannot fight the flight. One timer at a time, cancelled on every move: it can run for days.
 */
export class TourPlayer implements Tool {
  /** The step changed or the camera arrived at it. */
  readonly onState = new Event<TourState>();
  private tour: Tour | null = null;
  private index = 0;
  private playing = false;
  private arrived = false;
  private away = false;
  /** A flight of the player's own is under way (camera moves then are the tour's). */
  private flying = false;
  private readonly offMoveEnd: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every move, so the completion of a flight that was superseded is ignored. */
  private generation = 0;
  private _enabled = true;
  /** Overrides every viewpoint's dwell (a wall's `&every=`); null keeps the tour's own. */
  dwellOverrideS: number | null = null;

  constructor(private readonly map: MapView) {
    // Cesium raises moveEnd once the camera rests after any move: the tour's own arrivals and everyone else's moves.
    this.offMoveEnd = map.viewer.camera.moveEnd.addEventListener(() => this.checkAway());
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    if (!v) this.pause();
  }

  get state(): TourState {
    const vp = this.tour?.viewpoints[this.index];
    return {
      tourId: this.tour?.id ?? null,
      step: this.index,
      steps: this.tour?.viewpoints.length ?? 0,
      playing: this.playing,
      arrived: this.arrived,
      away: this.away,
      caption: vp?.caption ?? '',
      ...(vp?.projectId ? { at: vp.projectId } : {}),
    };
  }

  get current(): Tour | null {
    return this.tour;
  }

  /**
   * Loads a tour at a step (clamped) and goes there; plays on unless `autoplay` is false. `instant` jumps to the first
   * view instead of flying: a page that opens on a tour has nothing to fly from, and a flight across the globe loads
   * tiles of places nobody wants to see.
   */
  load(tour: Tour, step = 0, opts: { autoplay?: boolean; instant?: boolean } = {}): void {
    // Generated tours are worded in the UI's language here, once, for every place that shows them.
    this.tour = localizeTour(tour);
    this.playing = (opts.autoplay ?? true) && tour.viewpoints.length > 0;
    this.map.enabled = !this.playing;
    if (!tour.viewpoints.length) return this.emit();
    this.goTo(clampStep(step, tour.viewpoints.length), opts.instant ?? false);
  }

  /** Stops and forgets the tour (the overlay hides). */
  stop(): void {
    this.pause();
    clearTimeout(this.timer);
    this.generation++;
    this.tour = null;
    this.index = 0;
    this.arrived = false;
    this.away = false;
    this.flying = false;
    this.map.enabled = true;
    this.emit();
  }

  play(): void {
    if (!this.tour?.viewpoints.length || this.playing) return;
    this.playing = true;
    this.map.enabled = false;
    // Resume where we are: dwell if the camera is still at the stop, else fly (back) there.
    if (this.arrived && !this.away) this.scheduleNext();
    else this.goTo(this.index);
    this.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    this.map.enabled = true;
    clearTimeout(this.timer);
    this.emit();
  }

  next(): void {
    if (!this.tour) return;
    const n = nextStep(this.index, this.tour.viewpoints.length, true);
    if (n !== null) this.goTo(n);
  }

  previous(): void {
    if (!this.tour) return;
    this.goTo(previousStep(this.index, this.tour.viewpoints.length, true));
  }

  /** Flies to step `i`; when playing, the dwell timer starts once the camera arrives. */
  goTo(i: number, instant = false): void {
    const vp = this.tour?.viewpoints[i];
    if (!vp) return;
    clearTimeout(this.timer);
    this.index = i;
    this.arrived = false;
    this.away = false;
    const gen = ++this.generation;
    this.emit();
    const done = () => {
      if (gen !== this.generation) return;
      this.flying = false;
      this.arrived = true;
      this.map.requestRender();
      this.emit();
      if (this.playing) this.scheduleNext();
    };
    // Another camera move cut the flight short (a drag, a probe's lookAt): the camera is not where the caption says.
    // A playing tour still moves on after the dwell, so an unattended wall never stalls.
    const cut = () => {
      if (gen !== this.generation) return;
      this.flying = false;
      this.away = true;
      this.emit();
      if (this.playing) this.scheduleNext();
    };
    this.fly(vp, done, cut, instant);
  }

  /** After the camera rested: off the current stop's view (and not on the tour's own flight) = away. */
  private checkAway(): void {
    const vp = this.tour?.viewpoints[this.index];
    if (!vp || this.flying) return;
    const away = !atView(cameraPose(this.map), vp);
    if (away === this.away) return;
    this.away = away;
    this.emit();
  }

  private fly(vp: Viewpoint, done: () => void, cut: () => void, instant: boolean): void {
    const camera = this.map.viewer.camera;
    camera.cancelFlight();
    const destination = Cartesian3.fromDegrees(vp.lon, vp.lat, vp.height);
    const orientation = {
      heading: CesiumMath.toRadians(vp.headingDeg),
      pitch: CesiumMath.toRadians(vp.pitchDeg),
      roll: CesiumMath.toRadians(vp.rollDeg),
    };
    if (instant || vp.flightS <= 0) {
      camera.setView({ destination, orientation });
      this.map.requestRender();
      done();
      return;
    }
    const linear = this.tour?.path === 'linear';
    this.flying = true;
    camera.flyTo({
      destination,
      orientation,
      duration: vp.flightS,
      complete: done,
      // A cancelled flight (the user moved, or another step) is not an arrival.
      cancel: cut,
      ...(linear ? { easingFunction: EasingFunction.LINEAR_NONE, maximumHeight: Math.max(vp.height, 1) } : {}),
    });
    this.map.requestRender();
  }

  private scheduleNext(): void {
    const vp = this.tour?.viewpoints[this.index];
    if (!vp || !this.tour) return;
    clearTimeout(this.timer);
    const dwellS = this.dwellOverrideS ?? vp.durationS;
    this.timer = setTimeout(() => {
      const n = nextStep(this.index, this.tour!.viewpoints.length, this.tour!.loop);
      if (n === null) return this.pause();
      this.goTo(n);
    }, dwellS * 1000);
  }

  private emit(): void {
    this.onState.trigger(this.state);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.generation++;
    this.offMoveEnd();
    if (!this.map.viewer.isDestroyed()) this.map.viewer.camera.cancelFlight();
    this.onState.reset();
  }
}
