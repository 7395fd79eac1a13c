/**
 * A lean reader of the entity instances of an IFC (ISO 10303-21) file, straight from its bytes.
 *
 * Why: web-ifc hands every line to JavaScript through Embind, about 6-8 µs a line whatever the line (measured on the
 * generated demo tower: 44,855 lines in 250-380 ms with `GetLine` one by one, 250-320 ms with one `GetRawLinesData`
 * call). The element index reads tens of thousands of small property and quantity lines, so that cost was most of
 * the index stage. Reading those lines here is a byte scan plus a small parser per line.
 *
 * It is deliberately partial. `read` returns null for anything it is not sure to read exactly as web-ifc does (a
 * complex instance, a binary, an escape other than \X2\ and \X4\, a line whose type disagrees with web-ifc's), and the
 * caller then asks web-ifc. Tests compare the index read both ways on every shared sample file.
 */

/** One STEP value. Numbers keep their text: web-ifc and the IFC classes parse them with `parseFloat`. */
export type StepValue =
  | null
  | string
  | { num: string }
  | { ref: number }
  | { enum: string }
  | { typed: string; value: StepValue }
  | StepValue[];

export interface StepLine {
  type: string;
  args: StepValue[];
}

const QUOTE = 39; // '
const SEMI = 59; // ;
const HASH = 35; // #
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;

class NotUnderstood extends Error {}
const NOT_UNDERSTOOD = new NotUnderstood();

const utf8 = new TextDecoder('utf-8');

export class StepLines {
  /** Offset of each instance's text after `#id=`, by express id; 0 where absent. */
  private readonly offsets: Int32Array | Map<number, number>;
  private readonly bytes: Uint8Array;
  private readonly buf: Buffer;
  private pos = 0;
  /** Instances found by the scan. */
  readonly count: number;

  /** Scans `bytes` once. `maxExpressId` (web-ifc's `GetMaxExpressID`) sizes a flat offset table. */
  constructor(bytes: Uint8Array, maxExpressId: number) {
    this.bytes = bytes;
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // A flat table up to 64 M ids (256 MB would be absurd for a file under the upload limit; such sparse ids go to a map).
    const flat = maxExpressId > 0 && maxExpressId < 64_000_000 && bytes.byteLength < 2 ** 31;
    this.offsets = flat ? new Int32Array(maxExpressId + 1) : new Map();
    this.count = this.scan();
  }

  private scan(): number {
    const b = this.buf;
    const n = b.length;
    const map = this.offsets instanceof Map ? this.offsets : null;
    const flat = map ? null : (this.offsets as Int32Array);
    let count = 0;
    let i = 0;
    while (i < n) {
      // Skip white space and comments between statements.
      const c = b[i]!;
      if (c <= 32) {
        i++;
        continue;
      }
      if (c === SLASH && b[i + 1] === STAR) {
        const end = b.indexOf('*/', i + 2, 'latin1');
        if (end < 0) break;
        i = end + 2;
        continue;
      }
      let start = -1;
      let id = 0;
      if (c === HASH) {
        let j = i + 1;
        while (j < n && b[j]! >= 48 && b[j]! <= 57) id = id * 10 + (b[j++]! - 48);
        while (j < n && b[j]! <= 32) j++;
        if (b[j] === 61 /* = */) {
          j++;
          while (j < n && b[j]! <= 32) j++;
          start = j;
        }
        i = j;
      }
      // The statement ends at the first `;` outside a string. An escaped quote ('') inside a string reads as a string
      // that closes and one that opens, which ends in the same place. A byte loop (V8 optimises it on the spot) with
      // only a string's end searched natively: a native search per statement cost more than the bytes it skipped.
      let end = -1;
      while (i < n) {
        const d = b[i]!;
        if (d === SEMI) {
          end = i;
          break;
        }
        if (d === QUOTE) {
          const close = b.indexOf(QUOTE, i + 1);
          if (close < 0) break;
          i = close + 1;
        } else i++;
      }
      if (end < 0) break;
      if (start > 0 && id > 0) {
        if (map) map.set(id, start);
        else if (id < flat!.length) flat![id] = start;
        count++;
      }
      i = end + 1;
    }
    return count;
  }

  /**
   * Every reference (`#id` in an instance's arguments) and how many of them name no instance of the file: a file cut
   * short or glued together from parts points at entities it does not hold, and web-ifc reads such a file without a
   * word. One pass over the instances' bytes (strings skipped).
   */
  references(): { total: number; dangling: number; example: { from: number; to: number } | null } {
    const b = this.bytes;
    const n = b.length;
    const flat = this.offsets instanceof Map ? null : this.offsets;
    const map = this.offsets instanceof Map ? this.offsets : null;
    let total = 0;
    let dangling = 0;
    let example: { from: number; to: number } | null = null;
    // One loop over every instance's bytes, in this one function: a native search per instance and per reference
    // (Buffer.indexOf, ~0.1-0.2 µs a call) made this ~30 ms of the map job on a file of 39,000 instances and 60,000
    // references (WILLEMSEN-Laagbouw), where a byte loop V8 optimises on the spot takes a few ms. Only a string's end is
    // searched natively (strings can be long: texts, GlobalIds).
    const ids: number[] = [];
    const ats: number[] = [];
    if (map) for (const [id, at] of map) (ids.push(id), ats.push(at));
    const m = flat ? flat.length : ids.length;
    for (let k = flat ? 1 : 0; k < m; k++) {
      const from = flat ? k : ids[k]!;
      let i = flat ? flat[k]! : ats[k]!;
      if (!i) continue;
      while (i < n) {
        const c = b[i]!;
        if (c === SEMI) break;
        if (c === QUOTE) {
          // An escaped quote ('') reads as a string that closes and one that opens.
          const close = this.buf.indexOf(QUOTE, i + 1);
          if (close < 0) break;
          i = close + 1;
          continue;
        }
        i++;
        if (c !== HASH) continue;
        let id = 0;
        const d0 = i;
        for (let d = b[i]!; i < n && d >= 48 && d <= 57; d = b[++i]!) id = id * 10 + (d - 48);
        if (i === d0) continue;
        total++;
        if (!(flat ? id < flat.length && flat[id] : map!.get(id))) {
          dangling++;
          example ??= { from, to: id };
        }
      }
    }
    return { total, dangling, example };
  }

  private offsetOf(id: number): number {
    return (this.offsets instanceof Map ? this.offsets.get(id) : this.offsets[id]) ?? 0;
  }

  /**
   * The instance `#id` as its type name (upper case, as written) and arguments, or null when it is absent or holds
   * something this reader leaves to web-ifc.
   */
  read(id: number): StepLine | null {
    const at = this.offsetOf(id);
    if (!at) return null;
    this.pos = at;
    try {
      const type = this.keyword();
      if (!type) return null; // a complex instance: (IFCA(...)IFCB(...))
      this.skipWs();
      if (this.bytes[this.pos] !== 40) return null;
      const args = this.list();
      return { type, args };
    } catch (err) {
      if (err === NOT_UNDERSTOOD) return null;
      throw err;
    }
  }

  /**
   * The instance `#id` as web-ifc's raw line data gives it (`GetRawLineData`: its `arguments`, in the shapes web-ifc's
   * GetArgs builds from its tape), with the type name as written; null when it is absent or holds something this
   * reader leaves to web-ifc. The caller supplies the type code (web-ifc's, checked against the name).
   *
   * web-ifc's shapes: an argument is `null` ($), `{ type, value }` for a string (1), enum (3: .T./.F./.U. as
   * true/false/undefined, else the name), real (4: its text), reference (5) or integer (10: a number), an array for a
   * list (its items the same shapes), and `{ type: 2, typecode, value }` for a typed value (`IFCLABEL('x')`), whose
   * value is the bare scalar (a real's text, an integer, a string, a boolean). A derived value (*) is left out of the
   * arguments altogether (web-ifc's GetArgs skips the token).
   */
  readRaw(id: number, typeCode: (name: string) => number): { type: string; args: unknown[] } | null {
    const at = this.offsetOf(id);
    if (!at) return null;
    this.pos = at;
    try {
      const type = this.keyword();
      if (!type) return null;
      this.skipWs();
      if (this.bytes[this.pos] !== 40) return null;
      const args = this.rawList(typeCode);
      // web-ifc gives null arguments for an empty list there, which its line classes do not take: left to it.
      if (args.length === 0) return null;
      return { type, args };
    } catch (err) {
      if (err === NOT_UNDERSTOOD) return null;
      throw err;
    }
  }

  /** A parenthesised list of raw arguments; `pos` is at its `(`. */
  private rawList(typeCode: (name: string) => number): unknown[] {
    return this.listOf<unknown>((out) => {
      this.skipWs();
      if (this.bytes[this.pos] === STAR)
        this.pos++; // derived: no argument at all
      else out.push(this.rawValue(typeCode));
    });
  }

  /** A parenthesised list whose items `item` reads (and pushes); `pos` is at its `(`. */
  private listOf<T>(item: (out: T[]) => void): T[] {
    const b = this.bytes;
    this.pos++; // (
    const out: T[] = [];
    this.skipWs();
    if (b[this.pos] === 41) {
      this.pos++;
      return out;
    }
    for (;;) {
      item(out);
      this.skipWs();
      const c = b[this.pos];
      this.pos++;
      if (c === 44 /* , */) continue;
      if (c === 41 /* ) */) return out;
      throw NOT_UNDERSTOOD;
    }
  }

  /** One raw argument (not a derived one), wrapped as web-ifc wraps a value in an argument list. */
  private rawValue(typeCode: (name: string) => number): unknown {
    const b = this.bytes;
    const c = b[this.pos]!;
    if (c === 36 /* $ */) {
      this.pos++;
      return null;
    }
    if (c === 40) return this.rawList(typeCode);
    if (c >= 65 && c <= 90) {
      const typed = this.keyword();
      this.skipWs();
      if (b[this.pos] !== 40) throw NOT_UNDERSTOOD;
      this.pos++;
      this.skipWs();
      // One bare scalar inside: anything else (an empty, a list, two values) is left to web-ifc.
      const inner = this.rawScalar();
      this.skipWs();
      if (b[this.pos] !== 41) throw NOT_UNDERSTOOD;
      this.pos++;
      const code = typeCode(typed);
      if (!code) throw NOT_UNDERSTOOD;
      return { type: 2, typecode: code, value: inner.value };
    }
    return this.rawScalar();
  }

  /** The id of a `#123` reference; `pos` is at its `#`. */
  private ref(): number {
    const b = this.bytes;
    let p = this.pos + 1;
    let id = 0;
    while (b[p]! >= 48 && b[p]! <= 57) id = id * 10 + (b[p++]! - 48);
    if (p === this.pos + 1) throw NOT_UNDERSTOOD;
    this.pos = p;
    return id;
  }

  /** A string, enum, real, integer or reference as `{ type, value }` (web-ifc's token type and ReadValue's value). */
  private rawScalar(): { type: number; value: unknown } {
    const b = this.bytes;
    const c = b[this.pos]!;
    if (c === HASH) return { type: 5, value: this.ref() };
    if (c === QUOTE) return { type: 1, value: this.string() };
    if (c === 46 /* . */) {
      const e = this.buf.indexOf(46, this.pos + 1);
      if (e < 0) throw NOT_UNDERSTOOD;
      const name = this.buf.toString('latin1', this.pos + 1, e);
      this.pos = e + 1;
      return { type: 3, value: name === 'T' ? true : name === 'F' ? false : name === 'U' ? undefined : name };
    }
    if (c === 45 || c === 43 || (c >= 48 && c <= 57)) {
      let p = this.pos + 1;
      let real = false;
      for (; p < b.length; p++) {
        const d = b[p]!;
        if (d >= 48 && d <= 57) continue;
        if (d === 46 || d === 69 || d === 101) real = true;
        else if (d !== 45 && d !== 43) break;
      }
      const text = this.buf.toString('latin1', this.pos, p);
      this.pos = p;
      if (real) return { type: 4, value: text };
      const n = Number(text);
      // An integer past 2^53 is not read the same way by a double: left to web-ifc.
      if (!Number.isSafeInteger(n)) throw NOT_UNDERSTOOD;
      // web-ifc reads it as an int64: no negative zero.
      return { type: 10, value: n || 0 };
    }
    throw NOT_UNDERSTOOD;
  }

  private skipWs(): void {
    const b = this.bytes;
    while (this.pos < b.length && b[this.pos]! <= 32) this.pos++;
  }

  /** An upper-case keyword ([A-Z0-9_]), or '' when none starts here. */
  private keyword(): string {
    const b = this.bytes;
    const s = this.pos;
    let p = s;
    while (p < b.length) {
      const c = b[p]!;
      if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) p++;
      else break;
    }
    this.pos = p;
    return p > s ? this.buf.toString('latin1', s, p) : '';
  }

  /** A parenthesised list; `pos` is at its `(`. */
  private list(): StepValue[] {
    return this.listOf<StepValue>((out) => out.push(this.value()));
  }

  private value(): StepValue {
    this.skipWs();
    const b = this.bytes;
    const c = b[this.pos]!;
    if (c === 36 /* $ */ || c === STAR) {
      this.pos++;
      return null;
    }
    if (c === HASH) return { ref: this.ref() };
    if (c === QUOTE) return this.string();
    if (c === 46 /* . */) {
      const e = this.buf.indexOf(46, this.pos + 1);
      if (e < 0) throw NOT_UNDERSTOOD;
      const name = this.buf.toString('latin1', this.pos + 1, e);
      this.pos = e + 1;
      return { enum: name };
    }
    if (c === 40) return this.list();
    if (c === 45 || c === 43 || (c >= 48 && c <= 57)) {
      let p = this.pos + 1;
      for (; p < b.length; p++) {
        const d = b[p]!;
        if (!((d >= 48 && d <= 57) || d === 46 || d === 69 || d === 101 || d === 45 || d === 43)) break;
      }
      const num = this.buf.toString('latin1', this.pos, p);
      this.pos = p;
      return { num };
    }
    if (c >= 65 && c <= 90) {
      const typed = this.keyword();
      this.skipWs();
      if (b[this.pos] !== 40) throw NOT_UNDERSTOOD;
      const inner = this.list();
      if (inner.length !== 1) throw NOT_UNDERSTOOD;
      return { typed, value: inner[0]! };
    }
    // A binary ("...") or anything else: left to web-ifc.
    throw NOT_UNDERSTOOD;
  }

  /** A quoted string; `pos` is at its opening quote. */
  private string(): string {
    const b = this.bytes;
    const s = this.pos + 1;
    let p = s;
    let escaped = false;
    let backslash = false;
    for (;;) {
      const q = this.buf.indexOf(QUOTE, p);
      if (q < 0) throw NOT_UNDERSTOOD;
      if (b[q + 1] === QUOTE) {
        escaped = true;
        p = q + 2;
        continue;
      }
      p = q;
      break;
    }
    this.pos = p + 1;
    let ascii = true;
    for (let k = s; k < p; k++) {
      const c = b[k]!;
      if (c === BACKSLASH) backslash = true;
      else if (c > 127) ascii = false;
    }
    // Raw bytes over 127 are read as UTF-8, as web-ifc reads them; ASCII takes the cheaper latin-1 path.
    let text = ascii ? this.buf.toString('latin1', s, p) : utf8.decode(b.subarray(s, p));
    if (escaped) text = text.replaceAll("''", "'");
    return backslash ? decodeEscapes(text) : text;
  }
}

/**
 * Decodes the \X2\ (UTF-16) and \X4\ (UTF-32) escapes of ISO 10303-21. Any other backslash directive (\S\, \P..\,
 * \X\, \\) is left to web-ifc, whose reading of those is what the rest of the model uses.
 */
function decodeEscapes(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const k = text.indexOf('\\', i);
    if (k < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, k);
    const head = text.slice(k, k + 4);
    const width = head === '\\X2\\' ? 4 : head === '\\X4\\' ? 8 : 0;
    if (!width) throw NOT_UNDERSTOOD;
    const end = text.indexOf('\\X0\\', k + 4);
    if (end < 0) throw NOT_UNDERSTOOD;
    const hex = text.slice(k + 4, end);
    if (hex.length % width !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) throw NOT_UNDERSTOOD;
    const units: number[] = [];
    for (let h = 0; h < hex.length; h += width) units.push(parseInt(hex.slice(h, h + width), 16));
    out += width === 4 ? String.fromCharCode(...units) : String.fromCodePoint(...units);
    i = end + 4;
  }
  return out;
}

/** A thrown marker for callers: this value is one web-ifc must read. */
export const LEAVE_TO_WEB_IFC = NOT_UNDERSTOOD;
