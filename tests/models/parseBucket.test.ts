import { describe, expect, it } from 'vitest';
import { MAX_READING_TIME, parseBucket } from '../../models/Reading.js';

describe('parseBucket', () => {
  it('reads milliseconds and units, and refuses what is not a duration on the time axis', () => {
    expect(parseBucket('250')).toBe(250);
    expect(parseBucket('5m')).toBe(300_000);
    expect(parseBucket('1.5h')).toBe(5_400_000);
    expect(parseBucket('0')).toBeNull();
    expect(parseBucket('5 weeks')).toBeNull();
    expect(parseBucket(String(MAX_READING_TIME))).toBe(MAX_READING_TIME);
    // Past the time axis the store's bucket arithmetic overflowed: a 500 (found by the edge fuzz).
    expect(parseBucket('9223372036854775296')).toBeNull();
    expect(parseBucket('100000001d')).toBeNull();
  });
});
