import {
  Cartesian3,
  Color,
  type CustomDataSource,
  Entity,
  type Matrix4,
  type PrimitiveCollection,
  Transforms,
} from 'cesium';
import type { DeviceKind } from '../../models/Device.js';
import type { AlarmStore } from '../alarms/AlarmStore.js';
import type { Tool } from '../core/Tool.js';
import type { DeviceState, DeviceStore } from '../devices/DeviceStore.js';
import type { MapView } from '../map/MapView.js';

/** What every per-kind overlay gets from SiteOverlays. */
export interface OverlayContext {
  map: MapView;
  devices: DeviceStore;
  alarms: AlarmStore;
  /** Entities of this site (labels, markers, circles), removed with it. */
  entities: CustomDataSource;
  /** Primitives of this site (crane parts, heat map, glows), destroyed with it. */
  primitives: PrimitiveCollection;
}

/**
 * One overlay per device kind: it draws the devices of its kind from the DeviceStore. `add` when a device appears,
 * `update` on each new state (live reading or replay step), `frame` before every render for what moves smoothly.
 */
export abstract class KindOverlay implements Tool {
  enabled = true;
  abstract readonly kind: DeviceKind;

  constructor(protected readonly ctx: OverlayContext) {}

  abstract add(s: DeviceState): void;
  abstract update(s: DeviceState, time: number, values: Record<string, unknown>): void;
  abstract remove(id: string): void;
  /** World position of a device's marker (for fly-to and the alarm glow), if drawn. */
  abstract positionOf(id: string): Cartesian3 | undefined;
  /** Poses moving parts for instant `t` (reading clock); returns true while something still moves. */
  frame(_t: number): boolean {
    return false;
  }
  /** Forgets motion history (on a switch between live and replay, or a seek). */
  resetMotion(): void {}
  abstract dispose(): void;
}

/** Entity / primitive ids are `dev:<deviceId>:<part>`, so a pick names its device whatever the part. */
export function partId(deviceId: string, part: string): string {
  return `dev:${deviceId}:${part}`;
}

/** The device id of a Cesium pick result (an entity or a primitive instance of an overlay), or null. */
export function deviceIdOfPick(picked: unknown): string | null {
  const raw = (picked as { id?: unknown } | undefined)?.id;
  const id = raw instanceof Entity ? raw.id : raw;
  if (typeof id !== 'string') return null;
  const m = /^dev:([0-9a-f-]{36}):/.exec(id);
  return m ? m[1]! : null;
}

/** The device's base point and its east-north-up frame (local metres: x east, y north, z up). */
export function deviceFrame(s: DeviceState): { base: Cartesian3; enu: Matrix4 } | null {
  const loc = s.device.location;
  if (!loc) return null; // placed only by an IFC element: drawn by the BIM workspace, not on the city map
  const base = Cartesian3.fromDegrees(loc.lon, loc.lat, loc.height ?? 0);
  return { base, enu: Transforms.eastNorthUpToFixedFrame(base) };
}

/**
 * The plate behind a device's label: opaque, so it is drawn in Cesium's opaque pass at the near plane (the labels'
 * disableDepthTestDistance) and hides a crane's line that passes behind it whole. A translucent plate is drawn in
 * the translucent pass over the opaque lines, and a jib under the label stayed visible across its text.
 */
export const LABEL_PLATE = Color.fromCssColorString('#0e1523');

/** Colours of the alarm levels and states, shared by markers, feed and glow. */
export const STATE_COLORS = {
  normal: Color.fromCssColorString('#3fb27f'),
  prewarning: Color.fromCssColorString('#f2a33a'),
  alarm: Color.fromCssColorString('#e5534b'),
  stale: Color.fromCssColorString('#7d8799'),
} as const;
export type StateColor = keyof typeof STATE_COLORS;

/** Level of a percentage against pre-warning / alarm lines. */
export function pctState(pct: number | undefined, pre: number, alarm: number): StateColor {
  if (pct === undefined || !Number.isFinite(pct)) return 'normal';
  return pct >= alarm ? 'alarm' : pct >= pre ? 'prewarning' : 'normal';
}

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
