import { describe, expect, it } from 'vitest';
import type { FrameResult } from '../../../server/ingest/hj212/frame.js';
import { MAX_FRAME_LENGTH } from '../../../server/ingest/hj212/frame.js';
import { Hj212StreamParser } from '../../../server/ingest/hj212/StreamParser.js';
import { DUST_2011, LEGACY_2005, STANDARD_EXAMPLE, TYPO_2011 } from './hj212Frames.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const summary = (rs: FrameResult[]) => rs.map((r) => (r.ok ? `ok:${r.frame.crc}` : r.reason));

/** Feeds a stream in chunks of `size` bytes, then closes it. */
function feed(stream: string, size: number): FrameResult[] {
  const p = new Hj212StreamParser();
  const out: FrameResult[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(...p.push(b(stream.slice(i, i + size))));
  out.push(...p.end());
  return out;
}

describe('Hj212StreamParser', () => {
  const wrongCrc = STANDARD_EXAMPLE.replace('1C80', '1C81');
  const wrongLength = STANDARD_EXAMPLE.replace('##0101', '##0102');
  const truncated = TYPO_2011.slice(0, 120); // a device reset mid-frame: no CRLF, the next ## follows directly
  const stream = `${wrongCrc}${wrongLength}${truncated}${TYPO_2011}`;

  it('rejects a wrong CRC, a wrong length and a truncated frame and still delivers the good one behind them', () => {
    for (const size of [1, 7, 64, stream.length]) {
      expect(summary(feed(stream, size)), `chunks of ${size}`).toEqual([
        'bad_crc',
        'bad_length',
        'truncated',
        'ok:5CC0',
      ]);
    }
  });

  it('splits frames that arrive back to back without CRLF, and takes the last one at the end of the stream', () => {
    const dustNoCrlf = DUST_2011; // has no CRLF in the source either
    const s = `${dustNoCrlf}${dustNoCrlf}${LEGACY_2005}${dustNoCrlf}`;
    for (const size of [1, 13, s.length]) {
      const r = feed(s, size);
      expect(summary(r), `chunks of ${size}`).toEqual(['ok:AF01', 'ok:AF01', 'ok:C241', 'ok:AF01']);
    }
  });

  it('answers a frame as soon as its announced length, && and CRC are in, without waiting for CRLF', () => {
    const p = new Hj212StreamParser();
    expect(summary(p.push(b(DUST_2011)))).toEqual(['ok:AF01']);
    expect(p.buffered).toBe(0);
  });

  it('reports garbage between frames, ignores blank lines, resyncs on ##', () => {
    const r = feed(`\r\n\r\nAT+CSQ\r\n${STANDARD_EXAMPLE}\0\0${STANDARD_EXAMPLE}`, 5);
    expect(summary(r)).toEqual(['garbage', 'ok:1C80', 'ok:1C80']);
  });

  it('bounds its buffer: an endless frame is dropped as too long and the next frame still parses', () => {
    const p = new Hj212StreamParser();
    const out: FrameResult[] = [];
    const junk = `##0500QN=${'x'.repeat(4000)}`;
    for (let i = 0; i < 4; i++) out.push(...p.push(b(junk.replace('##', i === 0 ? '##' : 'xx'))));
    expect(p.buffered).toBeLessThanOrEqual(MAX_FRAME_LENGTH + 4096);
    out.push(...p.push(b(`\r\n${STANDARD_EXAMPLE}`)));
    const got = summary(out);
    // The junk after the dropped '##' is reported as garbage in bounded pieces, never held without limit.
    expect(got[0]).toBe('too_long');
    expect(got.at(-1)).toBe('ok:1C80');
    expect(new Set(got.slice(1, -1))).toEqual(new Set(['garbage']));
  });

  it('a frame cut at the end of the stream is truncated, one missing only its CRLF is accepted', () => {
    expect(summary(feed(STANDARD_EXAMPLE.slice(0, 50), 10))).toEqual(['truncated']);
    expect(summary(feed(STANDARD_EXAMPLE.replace('\r\n', ''), 10))).toEqual(['ok:1C80']);
  });
});
