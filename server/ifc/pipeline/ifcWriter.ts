import { createHash } from 'node:crypto';
import { type IfcAPI, WebIFC } from './webIfc.js';

/**
 * A thin layer over web-ifc's writer API (`WriteLine` of IFC4 line objects) for code that generates models: typed
 * value helpers, shared directions, placements and extruded rectangles. Lines are written as soon as they are made
 * and the JS objects dropped, so generating a model holds it once, inside web-ifc.
 */

// web-ifc's IFC4 namespace is a bag of classes whose constructors take wrapped values; typing each here would double
// the schema for no safety gain (WriteLine checks nothing either), so it is used untyped in this one file.
const I = (WebIFC as unknown as { IFC4: Record<string, any> }).IFC4;
const { Handle } = WebIFC as unknown as { Handle: new (id: number) => { value: number; type: number } };

export type Ref = { value: number; type: number };

const B64 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$';

/** Encodes 16 bytes as IFC's 22-character GlobalId (base64 with IFC's alphabet, 2 + 5 x 4 characters). */
export function encodeIfcGuid(bytes: Uint8Array): string {
  let out = B64[bytes[0]! >> 6]! + B64[bytes[0]! & 63]!;
  for (let i = 1; i < 16; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  return out;
}

/** Decodes an IFC GlobalId to its 16 bytes (for tests and for checking a GlobalId is well formed). */
export function decodeIfcGuid(guid: string): Uint8Array {
  if (!/^[0-3][0-9A-Za-z_$]{21}$/.test(guid)) throw new RangeError(`not an IFC GlobalId: ${guid}`);
  const v = [...guid].map((c) => B64.indexOf(c));
  const out = new Uint8Array(16);
  out[0] = (v[0]! << 6) | v[1]!;
  for (let i = 0; i < 5; i++) {
    const n = (v[2 + i * 4]! << 18) | (v[3 + i * 4]! << 12) | (v[4 + i * 4]! << 6) | v[5 + i * 4]!;
    out[1 + i * 3] = (n >> 16) & 255;
    out[2 + i * 3] = (n >> 8) & 255;
    out[3 + i * 3] = n & 255;
  }
  return out;
}

/**
 * A GlobalId that depends only on (seed, key): the same building generated twice has the same ids, so a test can
 * name an element (`demoGlobalId('tower', 'column/3/2/5')`) without opening the file. MD5 is used as a mixer, not
 * for security; collisions among 1e6 ids are ~1e-26 likely.
 */
export function deterministicGuid(seed: string, key: string): string {
  const h = createHash('md5').update(seed).update('\u0000').update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x40; // UUID version 4 layout, as exporters produce
  h[8] = (h[8]! & 0x3f) | 0x80;
  return encodeIfcGuid(h);
}

/** Writes IFC4 lines into one web-ifc model and hands back references. */
export class IfcWriter {
  readonly I = I;
  private readonly dirs = new Map<string, Ref>();
  private readonly points = new Map<string, Ref>();
  lines = 0;

  constructor(
    readonly api: IfcAPI,
    readonly modelID: number,
  ) {}

  /** Writes a line object and returns a reference to it. */
  write(obj: { expressID: number }): Ref {
    this.api.WriteLine(this.modelID, obj as never);
    this.lines++;
    return new Handle(obj.expressID);
  }

  label(s: string) {
    return new I.IfcLabel(s);
  }
  text(s: string) {
    return new I.IfcText(s);
  }
  id(s: string) {
    return new I.IfcIdentifier(s);
  }
  len(v: number) {
    return new I.IfcLengthMeasure(v);
  }
  pos(v: number) {
    return new I.IfcPositiveLengthMeasure(v);
  }
  real(v: number) {
    return new I.IfcReal(v);
  }
  bool(v: boolean) {
    return new I.IfcBoolean(v ? 'T' : 'F');
  }
  guid(g: string) {
    return new I.IfcGloballyUniqueId(g);
  }

  /** A direction, shared by value (a building uses a handful). */
  dir(x: number, y: number, z?: number): Ref {
    const key = `${x},${y},${z ?? ''}`;
    let r = this.dirs.get(key);
    if (!r) {
      r = this.write(
        new I.IfcDirection(z === undefined ? [this.real(x), this.real(y)] : [this.real(x), this.real(y), this.real(z)]),
      );
      this.dirs.set(key, r);
    }
    return r;
  }

  /** A cartesian point; the origin and other repeated points are shared when `share` is set. */
  point(x: number, y: number, z?: number, share = false): Ref {
    const key = `${x},${y},${z ?? ''}`;
    if (share && this.points.has(key)) return this.points.get(key)!;
    const r = this.write(
      new I.IfcCartesianPoint(z === undefined ? [this.len(x), this.len(y)] : [this.len(x), this.len(y), this.len(z)]),
    );
    if (share) this.points.set(key, r);
    return r;
  }

  /** IfcAxis2Placement3D at (x, y, z), its local X turned by `angleRad` about Z. */
  axis3(x = 0, y = 0, z = 0, angleRad = 0): Ref {
    const origin = x === 0 && y === 0 && z === 0;
    const loc = this.point(x, y, z, origin);
    const ref = angleRad === 0 ? null : this.dir(round(Math.cos(angleRad)), round(Math.sin(angleRad)), 0);
    return this.write(new I.IfcAxis2Placement3D(loc, ref ? this.dir(0, 0, 1) : null, ref));
  }

  /** IfcLocalPlacement relative to `parent` (null = world). */
  placement(parent: Ref | null, x = 0, y = 0, z = 0, angleRad = 0): Ref {
    return this.write(new I.IfcLocalPlacement(parent, this.axis3(x, y, z, angleRad)));
  }

  /**
   * A body representation: a `xDim` x `yDim` rectangle centred at (cx, cy) in the element's XY plane, extruded `depth`
   * up from z0. Returned as an IfcProductDefinitionShape that identical elements may share.
   */
  extrudedBox(bodyContext: Ref, xDim: number, yDim: number, depth: number, cx = 0, cy = 0, z0 = 0): Ref {
    const profilePos = this.write(new I.IfcAxis2Placement2D(this.point(cx, cy, undefined, true), null));
    const profile = this.write(
      new I.IfcRectangleProfileDef(I.IfcProfileTypeEnum.AREA, null, profilePos, this.pos(xDim), this.pos(yDim)),
    );
    const solid = this.write(
      new I.IfcExtrudedAreaSolid(profile, this.axis3(0, 0, z0), this.dir(0, 0, 1), this.pos(depth)),
    );
    const rep = this.write(
      new I.IfcShapeRepresentation(bodyContext, this.label('Body'), this.label('SweptSolid'), [solid]),
    );
    return this.write(new I.IfcProductDefinitionShape(null, null, [rep]));
  }
}

function round(v: number): number {
  // cos(pi/2) is 6e-17, not 0: keep directions exact so shared ones are found again.
  return Math.abs(v) < 1e-12 ? 0 : Math.round(v * 1e12) / 1e12;
}
