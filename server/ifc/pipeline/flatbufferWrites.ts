import { ShellProfile } from '@thatopen/fragments';
import type { Builder } from 'flatbuffers';

/**
 * Flatbuffers writes of the Fragments geometry that the generated code makes one call at a time (a dozen per triangle
 * for a shell's profiles), written here straight into the builder's buffer, byte for byte what the generated code
 * writes (tests/server/ifc/fragWriter.test.ts compares them). Used by fragWriter.ts.
 */
/**
 * The flatbuffers Builder's state that the writers below touch, as its JavaScript holds it (flatbuffers 23-25): the
 * byte buffer filled from its end (`space` bytes free before the data) and the vtables written so far.
 */
interface BuilderState {
  bb: { bytes(): Uint8Array };
  space: number;
  minalign: number;
  vector_num_elems: number;
  prep(size: number, additionalBytes: number): void;
}

const state = (b: Builder) => b as unknown as BuilderState;

const putInt16 = (bytes: Uint8Array, at: number, v: number) => ((bytes[at] = v), (bytes[at + 1] = v >> 8));
const putInt32 = (bytes: Uint8Array, at: number, v: number) => (
  (bytes[at] = v),
  (bytes[at + 1] = v >> 8),
  (bytes[at + 2] = v >> 16),
  (bytes[at + 3] = v >> 24)
);

/**
 * A ShellProfile table per triangle (three 16-bit point numbers), `profiles[t]` its offset: the bytes the generated
 * code (startVector, 3 x addInt16, endVector, createShellProfile) writes, written here in one loop after the first
 * triangle went through that code (it makes or finds the profiles' vtable, which every later profile points to), or
 * all of them in the loop when `vtable` (that vtable, from an earlier shell: see vtableOf) is given. Returns the vtable
 * (0 when there was no triangle to learn it from).
 * The generated code's dozen calls a triangle, each aligning and checking the buffer's room, ran at 2-5 µs a triangle
 * in a worker's first conversions (not yet optimised): ~50 ms of WILLEMSEN-Laagbouw's 11,780 triangles.
 * tests/server/ifc/fragWriter.test.ts compares the bytes with the generated code's.
 */
export function smallProfiles(b: Builder, triangles: Uint32Array, nt: number, profiles: number[], vtable = 0): number {
  if (nt === 0) return vtable;
  let from = 0;
  if (!vtable) {
    b.startVector(2, 3, 2);
    b.addInt16(triangles[2]!);
    b.addInt16(triangles[1]!);
    b.addInt16(triangles[0]!);
    profiles[0] = ShellProfile.createShellProfile(b, b.endVector());
    vtable = vtableOf(b, profiles[0]);
    if (nt === 1) return vtable;
    from = 1;
  }
  const s = state(b);
  // Room for the rest at once (at most 3 bytes of padding + 18 of data + a 6-byte vtable written and dropped each), so
  // that the buffer is not reallocated under the loop. prep(1, n) aligns nothing.
  s.prep(1, 27 * nt);
  const bytes = s.bb.bytes();
  const cap = bytes.length;
  let space = s.space;
  if (s.minalign < 4) s.minalign = 4;
  for (let t = from; t < nt; t++) {
    // startVector(2, 3, 2): aligned so that the 4-byte length lands on 4 after the 6 bytes of indices.
    const pad = -(cap - space + 6) & 3;
    for (let k = 0; k < pad; k++) bytes[--space] = 0;
    putInt16(bytes, (space -= 2), triangles[t * 3 + 2]!);
    putInt16(bytes, (space -= 2), triangles[t * 3 + 1]!);
    putInt16(bytes, (space -= 2), triangles[t * 3]!);
    putInt32(bytes, (space -= 4), 3); // endVector: the length
    // The table: its one field, the offset from the field to the vector (4), then the soffset to the shared vtable.
    putInt32(bytes, (space -= 4), 4);
    space -= 4;
    const table = cap - space;
    putInt32(bytes, space, vtable - table);
    profiles[t] = table;
  }
  s.space = space;
  s.vector_num_elems = 3;
  return vtable;
}

/** The vtable a table points to (its soffset is vtable - table, both as offsets from the buffer's end). */
export function vtableOf(b: Builder, table: number): number {
  const bytes = state(b).bb.bytes();
  const at = bytes.length - table;
  return table + (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24));
}

/**
 * The rest of a small shell (ShellType.NONE) after its points and profiles, as fragWriter wrote it with the generated
 * code: empty bigProfiles, the profiles' offsets, empty bigHoles and holes, `nt` zero face ids, then the Shell table
 * (createShell: six offsets, the type left out as the default) pointing to `vtable`, the one the first shell's table
 * points to (vtableOf): every such table has the same vtable, which endObject finds. Returns the table's offset.
 * tests/server/ifc/fragWriter.test.ts compares the bytes with the generated code's.
 */
export function smallShell(b: Builder, profiles: number[], nt: number, pointsOffset: number, vtable: number): number {
  const s = state(b);
  b.notNested();
  // Room for it all (paddings, 3 empty vectors, the offsets, the face ids, the table): no reallocation below.
  s.prep(1, 96 + 6 * nt);
  const bytes = s.bb.bytes();
  const cap = bytes.length;
  let space = s.space;
  const align4 = () => {
    for (let k = -(cap - space) & 3; k > 0; k--) bytes[--space] = 0;
  };
  const empty = () => {
    align4();
    putInt32(bytes, (space -= 4), 0);
    return cap - space;
  };
  const bigProfiles = empty();
  // offsetsVector
  align4();
  for (let i = nt - 1; i >= 0; i--) {
    const here = cap - space;
    putInt32(bytes, (space -= 4), here - profiles[i]! + 4);
  }
  putInt32(bytes, (space -= 4), nt);
  const profilesVector = cap - space;
  const bigHoles = empty();
  const holes = empty();
  // zerosInt16Vector: aligned so that the length lands on 4 after the ids.
  for (let k = -(cap - space + 2 * nt) & 3; k > 0; k--) bytes[--space] = 0;
  bytes.fill(0, space - 2 * nt, space);
  space -= 2 * nt;
  putInt32(bytes, (space -= 4), nt);
  const faceIds = cap - space;
  // createShell: the fields' offsets in the generated code's order, then the soffset to the vtable.
  for (const field of [profilesVector, holes, pointsOffset, bigProfiles, bigHoles, faceIds]) {
    const here = cap - space;
    putInt32(bytes, (space -= 4), here - field + 4);
  }
  space -= 4;
  const table = cap - space;
  putInt32(bytes, space, vtable - table);
  s.space = space;
  if (s.minalign < 4) s.minalign = 4;
  s.vector_num_elems = nt;
  return table;
}

/** A vector of table offsets (the generated createXVector: startVector(4, n, 4), addOffset from the last). */
export function offsetsVector(b: Builder, offsets: number[]): number {
  const n = offsets.length;
  b.startVector(4, n, 4);
  if (n) {
    const s = state(b);
    const bytes = s.bb.bytes();
    const cap = bytes.length;
    let space = s.space;
    // startVector made room for them and aligned to 4: addOffset's prep(4, 0) has nothing more to do.
    for (let i = n - 1; i >= 0; i--) {
      const here = cap - space;
      putInt32(bytes, (space -= 4), here - offsets[i]! + 4);
    }
    s.space = space;
  }
  return b.endVector();
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A shell's points, a vector of FloatVector structs (Shell.startPointsVector, then createFloatVector from the last
 * point to the first, endVector): the structs lie in the points' order as 3 little-endian float32s each, aligned to 4
 * with no padding between them, so the points' bytes are copied in one call (the generated code makes a prep and three
 * writes a point). The points must be float32 values already (createFloatVector rounds to float32 as it writes).
 */
export function pointsVector(b: Builder, points: Float32Array): number {
  const n = Math.floor(points.length / 3);
  b.startVector(12, n, 4);
  if (!littleEndian) {
    for (let i = n - 1; i >= 0; i--) {
      b.prep(4, 12);
      b.writeFloat32(points[i * 3 + 2]!);
      b.writeFloat32(points[i * 3 + 1]!);
      b.writeFloat32(points[i * 3]!);
    }
    return b.endVector();
  }
  // startVector made room for them and aligned to 4: each struct's prep(4, 12) has nothing more to do.
  const s = state(b);
  s.space -= 12 * n;
  s.bb.bytes().set(new Uint8Array(points.buffer, points.byteOffset, 12 * n), s.space);
  return b.endVector();
}

/** A vector of `n` 16-bit zeros (startVector(2, n, 2), addInt16(0) n times). */
export function zerosInt16Vector(b: Builder, n: number): number {
  b.startVector(2, n, 2);
  const s = state(b);
  const bytes = s.bb.bytes();
  bytes.fill(0, s.space - 2 * n, s.space);
  s.space -= 2 * n;
  return b.endVector();
}

/**
 * A vector of `n` structs of `size` bytes aligned to `align` (the generated startXVector, createX from the last to the
 * first, endVector), `put` writing each (little-endian, its padding included) at its byte offset in `view`, in the
 * vector's order: one call a struct instead of a prep and a write a field. `size` must be a multiple of `align`.
 * tests/server/ifc/fragWriter.test.ts compares the bytes with the generated code's (Transform, Representation, Sample).
 */
export function structVector(
  b: Builder,
  n: number,
  size: number,
  align: number,
  put: (view: DataView, at: number, i: number) => void,
): number {
  b.startVector(size, n, align);
  if (n) {
    // startVector made room for them and aligned them: each struct's own prep has nothing more to do.
    const s = state(b);
    s.space -= size * n;
    const bytes = s.bb.bytes();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0, at = s.space; i < n; i++, at += size) put(view, at, i);
  }
  return b.endVector();
}

/** A Transform struct (48 bytes, align 8): position as three float64, then the x and y directions as float32s. */
export function putTransform(view: DataView, at: number, t: ArrayLike<number>): void {
  view.setFloat64(at, t[0]!, true);
  view.setFloat64(at + 8, t[1]!, true);
  view.setFloat64(at + 16, t[2]!, true);
  for (let k = 3; k < 9; k++) view.setFloat32(at + 24 + (k - 3) * 4, t[k]!, true);
}
