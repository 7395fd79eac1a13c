import { describe, expect, it } from 'vitest';
import { readExif, sniffImage } from '../../../server/topics/attachments.js';
import { jpegWithExif } from '../../helpers/exifJpeg.js';

describe('photo attachments', () => {
  it('sniffs JPEG and PNG by their first bytes only', () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe('image/jpeg');
    expect(sniffImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]))).toBeNull(); // GIF
  });

  it.each([false, true])('reads DateTimeOriginal and GPS from EXIF (little-endian: %s)', (littleEndian) => {
    const f = readExif(
      jpegWithExif({ dateTimeOriginal: '2026:12:06 15:42:07', lat: 36.0671, lon: -120.3826, altM: 12.5, littleEndian }),
    );
    expect(f.takenAt).toBe('2026-12-06T15:42:07');
    expect(f.location!.lat).toBeCloseTo(36.0671, 5);
    expect(f.location!.lon).toBeCloseTo(-120.3826, 5);
    expect(f.location!.height).toBeCloseTo(12.5, 6);
  });

  it('answers nothing for an image without EXIF or with a broken one', () => {
    expect(readExif(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toEqual({});
    const broken = jpegWithExif({ dateTimeOriginal: '2026:12:06 15:42:07', lat: 1, lon: 2, altM: 3 }).slice(0, 40);
    expect(() => readExif(broken)).not.toThrow();
    expect(readExif(broken).location).toBeUndefined();
  });
});
