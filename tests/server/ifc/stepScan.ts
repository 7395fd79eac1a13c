/**
 * An independent reader of an IFC file's text for the tests, written apart from server/ifc/pipeline/stepLines.ts: it splits
 * the DATA section into instances and parses each one's arguments, then follows IfcRelDefinesByProperties from
 * property set definitions to the objects they describe. Slow and simple on purpose.
 */

export type Arg = null | string | number | { ref: number } | { enum: string } | { typed: string; value: Arg } | Arg[];
export interface Instance {
  type: string;
  args: Arg[];
}

/** Decodes a STEP string's escapes as IFC uses them: '' , \X2\hhhh…\X0\ (UTF-16), \X4\…\X0\, \X\hh (ISO 8859-1). */
function decode(s: string): string {
  return s
    .replace(/\\X2\\([0-9A-F]*)\\X0\\/gi, (_, hex: string) =>
      String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16))),
    )
    .replace(/\\X4\\([0-9A-F]*)\\X0\\/gi, (_, hex: string) =>
      String.fromCodePoint(...(hex.match(/.{8}/g) ?? []).map((h) => parseInt(h, 16))),
    )
    .replace(/\\X\\([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function parseArgs(text: string, at: number): { value: Arg[]; end: number } {
  // text[at] === '('
  const out: Arg[] = [];
  let i = at + 1;
  const ws = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) + 2;
      else return;
    }
  };
  for (;;) {
    ws();
    const c = text[i]!;
    if (c === ')') return { value: out, end: i + 1 };
    if (c === ',') {
      i++;
      continue;
    }
    if (c === '(') {
      const r = parseArgs(text, i);
      out.push(r.value);
      i = r.end;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        const q = text.indexOf("'", i);
        s += text.slice(i, q);
        if (text[q + 1] === "'") {
          s += "'";
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(decode(s));
    } else if (c === '"') {
      // A binary (hex digits in double quotes).
      const e = text.indexOf('"', i + 1);
      out.push(text.slice(i + 1, e));
      i = e + 1;
    } else if (c === '$' || c === '*') {
      out.push(null);
      i++;
    } else if (c === '#') {
      const m = /^#(\d+)/.exec(text.slice(i, i + 20))!;
      out.push({ ref: Number(m[1]) });
      i += m[0].length;
    } else if (c === '.') {
      const e = text.indexOf('.', i + 1);
      out.push({ enum: text.slice(i + 1, e) });
      i = e + 1;
    } else if (/[A-Z]/i.test(c)) {
      const m = /^[A-Z0-9_]+/i.exec(text.slice(i, i + 100))!;
      i += m[0].length;
      ws();
      const r = parseArgs(text, i);
      out.push({ typed: m[0].toUpperCase(), value: r.value[0] ?? null });
      i = r.end;
    } else {
      const m = /^[-+0-9.Ee]+/.exec(text.slice(i, i + 60))!;
      out.push(Number(m[0]));
      i += m[0].length;
    }
  }
}

/** Every simple instance of the file (`#id=TYPE(...)`), by express id. */
export function scanInstances(text: string): Map<number, Instance> {
  const out = new Map<number, Instance>();
  const data = text.indexOf('DATA;');
  let i = data + 5;
  const re = /#(\d+)\s*=\s*([A-Z0-9_]+)\s*\(/iy;
  while (i < text.length) {
    const h = text.indexOf('#', i);
    if (h < 0) break;
    re.lastIndex = h;
    const m = re.exec(text);
    if (!m) {
      i = h + 1;
      continue;
    }
    const r = parseArgs(text, re.lastIndex - 1);
    out.set(Number(m[1]), { type: m[2]!.toUpperCase(), args: r.value });
    i = r.end;
  }
  return out;
}

const refOf = (a: Arg | undefined): number | null =>
  a && typeof a === 'object' && !Array.isArray(a) && 'ref' in a ? a.ref : null;
const refsOf = (a: Arg | undefined): number[] =>
  Array.isArray(a) ? a.map(refOf).filter((x): x is number => x !== null) : refOf(a) !== null ? [refOf(a)!] : [];

/** Whether an instance reads as an IfcProduct from its text: a GlobalId, and a placement or a product shape in arguments 6-7. */
function looksLikeProduct(inst: Map<number, Instance>, x: Instance): boolean {
  if (typeof x.args[0] !== 'string') return false;
  const placement = inst.get(refOf(x.args[5]) ?? -1);
  const shape = inst.get(refOf(x.args[6]) ?? -1);
  return /PLACEMENT$/.test(placement?.type ?? '') || shape?.type === 'IFCPRODUCTDEFINITIONSHAPE';
}

/** GlobalIds of the instances that read as products (see looksLikeProduct). */
export function productGlobalIds(inst: Map<number, Instance>): Set<string> {
  const out = new Set<string>();
  for (const x of inst.values()) if (looksLikeProduct(inst, x)) out.add(x.args[0] as string);
  return out;
}

/** What one object is given through IfcRelDefinesByProperties, as a reader of the text sees it. */
export interface ExpectedSet {
  /** The key the element's property sets should hold: the set's Name, or the definition's class for other definitions. */
  key: string;
  /** Names of its single values, enumerated / list / bounded values and quantities. */
  names: string[];
}

const SETS = new Set(['IFCPROPERTYSET', 'IFCELEMENTQUANTITY']);
const NAMED_VALUES =
  /^IFC(PROPERTY(SINGLE|ENUMERATED|LIST|BOUNDED)VALUE|QUANTITY(LENGTH|AREA|VOLUME|COUNT|WEIGHT|TIME|NUMBER))$/;

/**
 * The objects the file gives property sets to, keyed by GlobalId, for the objects a reader of the text can tell are
 * products: their ObjectPlacement (argument 6) is a placement, or their Representation (argument 7) a product shape.
 * Objects whose GlobalId the file gives to several instances are left out (which one the index keeps is its choice).
 */
export function expectedPropertySets(inst: Map<number, Instance>): Map<string, { type: string; sets: ExpectedSet[] }> {
  const gidCount = new Map<string, number>();
  for (const x of inst.values())
    if (typeof x.args[0] === 'string') gidCount.set(x.args[0], (gidCount.get(x.args[0]) ?? 0) + 1);
  const out = new Map<string, { type: string; sets: ExpectedSet[] }>();
  for (const rel of inst.values()) {
    if (rel.type !== 'IFCRELDEFINESBYPROPERTIES') continue;
    for (const defId of refsOf(rel.args[5])) {
      const def = inst.get(defId);
      if (!def) continue;
      let set: ExpectedSet;
      if (SETS.has(def.type)) {
        const items = refsOf(def.type === 'IFCPROPERTYSET' ? def.args[4] : def.args[5]);
        const names = items
          .map((p) => inst.get(p))
          .filter((p) => p && NAMED_VALUES.test(p.type) && typeof p.args[0] === 'string' && p.args[0] !== '')
          .map((p) => p!.args[0] as string);
        set = { key: typeof def.args[2] === 'string' && def.args[2] !== '' ? def.args[2] : `#${defId}`, names };
      } else set = { key: def.type, names: [] };
      for (const o of refsOf(rel.args[4])) {
        const obj = inst.get(o);
        if (!obj || typeof obj.args[0] !== 'string' || gidCount.get(obj.args[0]) !== 1) continue;
        if (!looksLikeProduct(inst, obj)) continue;
        let e = out.get(obj.args[0]);
        if (!e) out.set(obj.args[0], (e = { type: obj.type, sets: [] }));
        e.sets.push(set);
      }
    }
  }
  return out;
}
