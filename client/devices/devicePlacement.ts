import type { BimModel, Box3, ModelElement } from '../../models/BimModel.js';
import type { Device, DeviceKind } from '../../models/Device.js';
import type { GeoPoint } from '../../models/geo.js';
import { modelToGeodetic } from '../../models/geodesy.js';
import type { Georeference } from '../../models/Georeference.js';

/** Kinds that stand on the ground of their element (a crane on its foundation); the others are read at its top. */
const STANDING: ReadonlySet<DeviceKind> = new Set(['tower_crane', 'hoist']);

/**
 * Where a device bound to an IFC element stands on the globe: the centre of the element's box (IFC world frame,
 * metres, Z up) at its top (markers show above the element) or, for cranes and hoists, at its bottom; placed by the
 * model's georeference (the origin and heading of that frame).
 */
export function elementAnchor(
  geo: Pick<Georeference, 'lon' | 'lat' | 'height' | 'headingDeg'>,
  bbox: Box3,
  kind: DeviceKind,
): GeoPoint {
  const x = (bbox.min[0] + bbox.max[0]) / 2;
  const y = (bbox.min[1] + bbox.max[1]) / 2;
  const z = STANDING.has(kind) ? bbox.min[2] : bbox.max[2];
  const p = modelToGeodetic(geo, x, y, z);
  return { lon: p.lon, lat: p.lat, height: p.height };
}

/** A device that needs its element to be drawn: bound to a GlobalId and without a location of its own. */
export function needsElementAnchor(
  d: Pick<Device, 'location' | 'ifcGlobalId'>,
): d is Pick<Device, 'location'> & { ifcGlobalId: string } {
  return !d.location && typeof d.ifcGlobalId === 'string' && d.ifcGlobalId.length > 0;
}

/** The anchor found for a device: where it stands, and which model's element put it there. */
export interface ElementPlacement {
  location: GeoPoint;
  modelId: string;
  globalId: string;
}

/**
 * Picks where a bound device stands from the project's models and the element each holds under its GlobalId (one
 * lookup per model): the newest ready, georeferenced model whose element has a box wins (a re-uploaded model
 * supersedes the old one). Null when no model places the element (not uploaded yet, no geometry, no georeference).
 */
export function placeOnElement(
  device: Pick<Device, 'kind' | 'ifcGlobalId' | 'location'>,
  found: {
    model: Pick<BimModel, 'id' | 'status' | 'georeference' | 'updatedAt'>;
    element: Pick<ModelElement, 'globalId' | 'bbox'> | null;
  }[],
): ElementPlacement | null {
  if (!needsElementAnchor(device)) return null;
  const candidates = found
    .filter(
      (f) =>
        f.model.status === 'ready' &&
        f.model.georeference &&
        f.element?.globalId === device.ifcGlobalId &&
        f.element.bbox,
    )
    .sort((a, b) => b.model.updatedAt - a.model.updatedAt);
  const best = candidates[0];
  if (!best) return null;
  return {
    location: elementAnchor(best.model.georeference!, best.element!.bbox!, device.kind),
    modelId: best.model.id,
    globalId: device.ifcGlobalId,
  };
}
