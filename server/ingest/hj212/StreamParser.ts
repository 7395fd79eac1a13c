import { checkFrame, Hj212Reject, MAX_FRAME_LENGTH, type FrameResult } from './frame.js';

const HASH = 0x23; // '#'
const LF = 0x0a;
/** Junk bytes held while waiting for the next `##`, so a burst of junk is reported as one piece. */
const MAX_GARBAGE_HELD = 1024;

/**
 * Cuts a TCP byte stream into HJ 212 frames. A frame ends at CRLF, at the next `##` (a device that forgot its CRLF,
 * or one that reset mid-frame), or at the end of the stream. It also ends early when the length field, the `&&` and
 * the CRC all agree, so a device that never sends CRLF is answered without waiting for its next frame. A bad frame
 * is reported with its reason and the parser resynchronises on the next `##`, so one bad frame never costs the good
 * one behind it. The buffer never holds more than one maximal frame.
 */
export class Hj212StreamParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the frames and rejects completed by them, in stream order. */
  push(chunk: Buffer): FrameResult[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return this.drain(false);
  }

  /** The stream closed: whatever is left is judged as it is (a frame missing only its CRLF is accepted). */
  end(): FrameResult[] {
    const out = this.drain(true);
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.buf.length;
  }

  private drain(eof: boolean): FrameResult[] {
    const out: FrameResult[] = [];
    for (;;) {
      const start = this.buf.indexOf('##');
      if (start < 0) {
        // Hold a little junk so that it is reported once, as one piece, when the next frame starts.
        if (!eof && this.buf.length <= MAX_GARBAGE_HELD) return out;
        // Keep a lone trailing '#': it may be the first half of the next '##'.
        const keep = !eof && this.buf.length > 0 && this.buf[this.buf.length - 1] === HASH ? 1 : 0;
        this.dropGarbage(this.buf.subarray(0, this.buf.length - keep), out);
        this.buf = this.buf.subarray(this.buf.length - keep);
        return out;
      }
      if (start > 0) {
        this.dropGarbage(this.buf.subarray(0, start), out);
        this.buf = this.buf.subarray(start);
      }
      const fast = this.byLength();
      if (fast) {
        out.push(fast.result);
        this.buf = this.buf.subarray(fast.consumed);
        continue;
      }
      const lf = this.buf.indexOf(LF, 2);
      const next = this.buf.indexOf('##', 2);
      let end: number;
      let ended: 'crlf' | 'next' | 'eof';
      if (lf >= 0 && (next < 0 || lf < next)) [end, ended] = [lf, 'crlf'];
      else if (next >= 0) [end, ended] = [next, 'next'];
      else if (eof) [end, ended] = [this.buf.length, 'eof'];
      else {
        if (this.buf.length > MAX_FRAME_LENGTH) {
          out.push({
            ok: false,
            reason: Hj212Reject.TOO_LONG,
            detail: `no frame end within ${MAX_FRAME_LENGTH} bytes`,
          });
          // Skip this '##' and look for the next one in what is held.
          this.buf = this.buf.subarray(2);
          continue;
        }
        return out;
      }
      const text = this.buf.subarray(0, end).toString('latin1').replace(/\r$/, '');
      out.push(checkFrame(text, ended));
      this.buf = this.buf.subarray(ended === 'crlf' ? end + 1 : end);
    }
  }

  /**
   * The length-driven path: when the length field is 4 digits and the bytes it announces are all here, ending in
   * `&&` and a matching CRC, the frame is complete whatever follows. Anything short of that falls back to delimiters.
   */
  private byLength(): { result: FrameResult; consumed: number } | undefined {
    const head = /^##(\d{4})/.exec(this.buf.subarray(0, 6).toString('latin1'));
    if (!head) return undefined;
    const len = Number(head[1]);
    const end = 6 + len + 4;
    if (this.buf.length < end) return undefined;
    if (this.buf[6 + len - 1] !== 0x26 || this.buf[6 + len - 2] !== 0x26) return undefined; // '&&'
    const result = checkFrame(this.buf.subarray(0, end).toString('latin1'), 'crlf');
    if (!result.ok) return undefined;
    let consumed = end;
    let sawLf = false;
    while (consumed < this.buf.length && [0x0d, 0x0a, 0x20, 0x00].includes(this.buf[consumed]!)) {
      if (this.buf[consumed] === LF) sawLf = true;
      consumed++;
      if (sawLf) break;
    }
    // Only say "no CRLF" when something else follows; a CRLF still on its way is dropped later as whitespace.
    if (!sawLf && consumed < this.buf.length) result.frame.quirks.push('no_crlf');
    return { result, consumed };
  }

  private dropGarbage(bytes: Buffer, out: FrameResult[]): void {
    const text = bytes.toString('latin1');
    if (text.trim().replace(/\0/g, '') === '') return; // stray CRLFs, keep-alive blanks, NULs
    const clean = text.replace(/[^\x20-\x7e]/g, '.');
    out.push({
      ok: false,
      reason: Hj212Reject.GARBAGE,
      detail: `${bytes.length} bytes outside a frame: ${clean.slice(0, 60)}`,
    });
  }
}
