import { type IfcAPI, WebIFC } from './webIfc.js';

/**
 * Small readers over web-ifc's line objects, which wrap every attribute (`{ value, type }` for references, labels and
 * numbers alike) and differ by schema. They return undefined instead of throwing, so that one odd attribute makes a
 * georeference source unusable (with a warning) rather than failing the whole model.
 */

/** A line by express id, or undefined if absent/unreadable. */
export function line(api: IfcAPI, modelID: number, ref: unknown): any {
  const id = refId(ref);
  if (id === undefined) return undefined;
  try {
    return api.GetLine(modelID, id);
  } catch {
    return undefined;
  }
}

/** Express id of a reference attribute. */
export function refId(ref: unknown): number | undefined {
  if (typeof ref === 'number') return ref;
  if (ref && typeof ref === 'object' && (ref as { type?: number }).type === WebIFC.REF)
    return Number((ref as { value: unknown }).value);
  return undefined;
}

/** A finite number from a measure/real/integer attribute. */
export function num(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'object' && 'value' in (v as object)) {
    const n = Number((v as { value: unknown }).value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A string from a label/identifier/enum attribute. */
export function str(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in (v as object)) {
    const s = (v as { value: unknown }).value;
    return typeof s === 'string' ? s : undefined;
  }
  return undefined;
}

/** A list of numbers (IfcCartesianPoint.Coordinates, IfcDirection.DirectionRatios, compound angles). */
export function nums(v: unknown): number[] | undefined {
  const arr = Array.isArray(v)
    ? v
    : v && typeof v === 'object' && Array.isArray((v as { value: unknown }).value)
      ? (v as { value: unknown[] }).value
      : undefined;
  if (!arr) return undefined;
  const out = arr.map(num);
  return out.every((n): n is number => n !== undefined) ? out : undefined;
}

/** Express ids of all lines of a type; empty when the schema has no such type (IFC2X3 and IfcMapConversion). */
export function idsOfType(api: IfcAPI, modelID: number, type: number, inherited = false): number[] {
  try {
    const v = api.GetLineIDsWithType(modelID, type, inherited);
    const out: number[] = [];
    for (let i = 0; i < v.size(); i++) out.push(v.get(i));
    return out;
  } catch {
    return [];
  }
}

/** SI prefixes IFC uses on IfcSIUnit, as factors. */
const PREFIX: Record<string, number> = {
  EXA: 1e18,
  PETA: 1e15,
  TERA: 1e12,
  GIGA: 1e9,
  MEGA: 1e6,
  KILO: 1e3,
  HECTO: 1e2,
  DECA: 1e1,
  DECI: 1e-1,
  CENTI: 1e-2,
  MILLI: 1e-3,
  MICRO: 1e-6,
  NANO: 1e-9,
};

/** Metres per unit of an IfcNamedUnit of length (IfcSIUnit or IfcConversionBasedUnit such as inch/foot). */
export function lengthUnitMetres(api: IfcAPI, modelID: number, unit: any): number | undefined {
  if (!unit) return undefined;
  if (unit.type === WebIFC.IFCSIUNIT) {
    if (str(unit.Name) !== 'METRE') return undefined;
    const p = str(unit.Prefix);
    return p ? PREFIX[p] : 1;
  }
  if (unit.type === WebIFC.IFCCONVERSIONBASEDUNIT || unit.type === WebIFC.IFCCONVERSIONBASEDUNITWITHOFFSET) {
    const m = line(api, modelID, unit.ConversionFactor);
    const factor = num(m?.ValueComponent);
    const base = lengthUnitMetres(api, modelID, line(api, modelID, m?.UnitComponent));
    return factor !== undefined && base !== undefined ? factor * base : undefined;
  }
  return undefined;
}

/** The project's length unit in metres (IfcProject.UnitsInContext); 1 when the file does not say, as IFC's default. */
export function projectLengthUnitMetres(api: IfcAPI, modelID: number): number {
  for (const pid of idsOfType(api, modelID, WebIFC.IFCPROJECT)) {
    const ua = line(api, modelID, line(api, modelID, pid)?.UnitsInContext);
    for (const u of ua?.Units ?? []) {
      const unit = line(api, modelID, u);
      if (str(unit?.UnitType) === 'LENGTHUNIT') {
        const m = lengthUnitMetres(api, modelID, unit);
        if (m !== undefined) return m;
      }
    }
  }
  return 1;
}

/** A 4x4 column-major rigid transform in project units. */
export type Mat4 = number[];

const IDENTITY: Mat4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function normalize(v: number[]): number[] {
  const l = Math.hypot(...v);
  return l > 0 ? v.map((c) => c / l) : v;
}

/** IfcAxis2Placement3D (or 2D) as a matrix; identity for anything unreadable. */
export function axisPlacementMatrix(api: IfcAPI, modelID: number, p: any): Mat4 {
  if (!p) return IDENTITY.slice();
  const loc = nums(line(api, modelID, p.Location)?.Coordinates) ?? [0, 0, 0];
  const z = normalize(nums(line(api, modelID, p.Axis)?.DirectionRatios) ?? [0, 0, 1]);
  let xr = nums(line(api, modelID, p.RefDirection)?.DirectionRatios) ?? [1, 0, 0];
  if (xr.length === 2) xr = [xr[0]!, xr[1]!, 0];
  const z3 = z.length === 3 ? z : [0, 0, 1];
  // Gram-Schmidt: the x axis is the projection of RefDirection onto the plane normal to Axis (IFC's own rule).
  const d = xr[0]! * z3[0]! + xr[1]! * z3[1]! + xr[2]! * z3[2]!;
  const x = normalize([xr[0]! - d * z3[0]!, xr[1]! - d * z3[1]!, xr[2]! - d * z3[2]!]);
  const y = [z3[1]! * x[2]! - z3[2]! * x[1]!, z3[2]! * x[0]! - z3[0]! * x[2]!, z3[0]! * x[1]! - z3[1]! * x[0]!];
  return [
    x[0]!,
    x[1]!,
    x[2]!,
    0,
    y[0]!,
    y[1]!,
    y[2]!,
    0,
    z3[0]!,
    z3[1]!,
    z3[2]!,
    0,
    loc[0] ?? 0,
    loc[1] ?? 0,
    loc[2] ?? 0,
    1,
  ];
}

export function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Array<number>(16).fill(0);
  for (let c = 0; c < 4; c++)
    for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) out[c * 4 + r]! += a[k * 4 + r]! * b[c * 4 + k]!;
  return out;
}

/**
 * World matrix of an IfcObjectPlacement (chain of IfcLocalPlacement), in project units. Returns undefined for grid or
 * linear placements, which a georeference cannot use.
 */
export function placementWorldMatrix(api: IfcAPI, modelID: number, placementRef: unknown, depth = 0): Mat4 | undefined {
  const p = line(api, modelID, placementRef);
  if (!p) return IDENTITY.slice();
  if (p.type !== WebIFC.IFCLOCALPLACEMENT || depth > 64) return undefined;
  const local = axisPlacementMatrix(api, modelID, line(api, modelID, p.RelativePlacement));
  if (!p.PlacementRelTo) return local;
  const parent = placementWorldMatrix(api, modelID, p.PlacementRelTo, depth + 1);
  return parent ? multiply(parent, local) : undefined;
}

/** True when a matrix is the identity within a tolerance (a context's WorldCoordinateSystem usually is). */
export function isIdentity(m: Mat4, tol = 1e-9): boolean {
  return m.every((v, i) => Math.abs(v - IDENTITY[i]!) <= tol);
}
