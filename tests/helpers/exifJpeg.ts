/**
 * A minimal JPEG (SOI, APP1 Exif, EOI; no image data) whose EXIF holds DateTimeOriginal and a GPS position, written
 * big-endian ("MM") or little-endian ("II"): enough for the attachment EXIF reader, built here so no file is needed.
 */
export function jpegWithExif(o: {
  dateTimeOriginal: string;
  lat: number;
  lon: number;
  altM: number;
  littleEndian?: boolean;
}): Uint8Array {
  const le = !!o.littleEndian;
  const tiff = new Uint8Array(200);
  const dv = new DataView(tiff.buffer);
  tiff.set(le ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  dv.setUint16(2, 42, le);
  dv.setUint32(4, 8, le);
  const entry = (at: number, tag: number, type: number, count: number, value: number | number[]) => {
    dv.setUint16(at, tag, le);
    dv.setUint16(at + 2, type, le);
    dv.setUint32(at + 4, count, le);
    if (Array.isArray(value)) value.forEach((b, i) => (tiff[at + 8 + i] = b));
    else dv.setUint32(at + 8, value, le);
  };
  // IFD0 at 8: ExifIFD and GPS IFD pointers
  dv.setUint16(8, 2, le);
  entry(10, 0x8769, 4, 1, 38);
  entry(22, 0x8825, 4, 1, 76);
  dv.setUint32(34, 0, le);
  // Exif IFD at 38: DateTimeOriginal (20 bytes ASCII at 56)
  dv.setUint16(38, 1, le);
  entry(40, 0x9003, 2, 20, 56);
  dv.setUint32(52, 0, le);
  [...o.dateTimeOriginal].forEach((c, i) => (tiff[56 + i] = c.charCodeAt(0)));
  // GPS IFD at 76: refs inline, rationals at 142 (lat), 166 (lon), 190 (alt)
  dv.setUint16(76, 5, le);
  entry(78, 1, 2, 2, [o.lat < 0 ? 0x53 : 0x4e, 0]);
  entry(90, 2, 5, 3, 142);
  entry(102, 3, 2, 2, [o.lon < 0 ? 0x57 : 0x45, 0]);
  entry(114, 4, 5, 3, 166);
  entry(126, 6, 5, 1, 190);
  dv.setUint32(138, 0, le);
  const dms = (at: number, v: number) => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    const m = Math.floor((a - d) * 60);
    const s = Math.round(((a - d) * 60 - m) * 60 * 10000);
    [
      [d, 1],
      [m, 1],
      [s, 10000],
    ].forEach(([n, den], i) => {
      dv.setUint32(at + 8 * i, n!, le);
      dv.setUint32(at + 8 * i + 4, den!, le);
    });
  };
  dms(142, o.lat);
  dms(166, o.lon);
  dv.setUint32(190, Math.round(o.altM * 100), le);
  dv.setUint32(194, 100, le);
  const app1Len = 2 + 6 + tiff.length;
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe1,
    app1Len >> 8,
    app1Len & 0xff,
    0x45,
    0x78,
    0x69,
    0x66,
    0,
    0,
    ...tiff,
    0xff,
    0xd9,
  ]);
}
