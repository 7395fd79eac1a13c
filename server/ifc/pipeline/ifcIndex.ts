import type { PropertySets, TreeNode } from '../../../models/BimModel.js';
import { LEAVE_TO_WEB_IFC, type StepLine, type StepLines, type StepValue } from './stepLines.js';
import { WebIFC, type IfcAPI } from './webIfc.js';

/**
 * Reads the non-geometric side of an IFC model in a few passes over its relationships (never one query per element,
 * which is what makes naive indexers slow on big files): property and quantity sets, the containing storey of each
 * element, the spatial tree, the length unit.
 */

type Ref = { value: number; type: number } | null | undefined;
type Line = Record<string, any> & { expressID: number; type: number };

const refId = (r: Ref): number | null => (r && typeof r.value === 'number' ? r.value : null);
const refIds = (rs: Ref[] | Ref | null | undefined): number[] =>
  (Array.isArray(rs) ? rs : rs ? [rs] : []).map(refId).filter((v): v is number => v !== null);
/** The plain value of an IFC attribute ({ value, type } wrapper, enum, or primitive). */
export function val(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(val);
  if (typeof v === 'object' && 'value' in (v as object)) {
    const x = (v as { value: unknown }).value;
    // IfcLogical's third value (.U.): web-ifc gives no value, yet the file says "unknown" and the property is there.
    if (x === undefined && (v as { name?: unknown }).name === 'IFCLOGICAL') return 'UNKNOWN';
    return x;
  }
  return v;
}
const str = (v: unknown): string | null => {
  const x = val(v);
  return x === null || x === undefined || x === '' ? null : String(x);
};

const SPATIAL = new Set([
  'IFCPROJECT',
  'IFCSITE',
  'IFCBUILDING',
  'IFCBUILDINGSTOREY',
  'IFCSPACE',
  'IFCFACILITY',
  'IFCFACILITYPART',
  'IFCBRIDGE',
  'IFCBRIDGEPART',
  'IFCROAD',
  'IFCROADPART',
  'IFCRAILWAY',
  'IFCRAILWAYPART',
  'IFCMARINEFACILITY',
  'IFCMARINEPART',
  'IFCTUNNEL',
  'IFCTUNNELPART',
  'IFCEXTERNALSPATIALELEMENT',
  'IFCSPATIALZONE',
]);

/** What the index pass found, keyed by express id. */
export interface IfcIndex {
  lengthUnitM: number;
  psets: Map<number, PropertySets>;
  /** Element -> express id of its containing spatial structure. */
  container: Map<number, number>;
  tree: TreeNode | null;
  warnings: string[];
}

/** Class name as the schema spells it (`IfcWallStandardCase`), falling back to web-ifc's upper-case type name. */
export function className(api: IfcAPI, line: Line): string {
  const n = (line as object).constructor?.name;
  return n && n.startsWith('Ifc') ? n : (api.GetNameFromTypeCode(line.type) ?? `#${line.type}`);
}

const SI_PREFIX: Record<string, number> = {
  EXA: 1e18,
  PETA: 1e15,
  TERA: 1e12,
  GIGA: 1e9,
  MEGA: 1e6,
  KILO: 1e3,
  HECTO: 1e2,
  DECA: 10,
  DECI: 0.1,
  CENTI: 0.01,
  MILLI: 0.001,
  MICRO: 1e-6,
  NANO: 1e-9,
};

/** Metres per length unit of the model (IfcSIUnit with prefix, or an IfcConversionBasedUnit such as the foot). */
export function lengthUnitM(api: IfcAPI, modelID: number): number {
  const ids = api.GetLineIDsWithType(modelID, WebIFC.IFCUNITASSIGNMENT);
  for (let i = 0; i < ids.size(); i++) {
    const ua = api.GetLine(modelID, ids.get(i)) as Line;
    for (const uid of refIds(ua.Units)) {
      const u = api.GetLine(modelID, uid) as Line;
      if (val(u.UnitType) !== 'LENGTHUNIT') continue;
      if (u.type === WebIFC.IFCSIUNIT) return SI_PREFIX[String(val(u.Prefix))] ?? 1;
      if (u.type === WebIFC.IFCCONVERSIONBASEDUNIT) {
        const m = api.GetLine(modelID, refId(u.ConversionFactor)!) as Line;
        const factor = Number(val(m.ValueComponent));
        const base = api.GetLine(modelID, refId(m.UnitComponent)!) as Line;
        const baseM = base.type === WebIFC.IFCSIUNIT ? (SI_PREFIX[String(val(base.Prefix))] ?? 1) : 1;
        if (Number.isFinite(factor) && factor > 0) return factor * baseM;
      }
    }
  }
  return 1;
}

/** The value of one property or quantity entity, or undefined when it carries none. */
function propertyValue(p: Line): unknown {
  if ('NominalValue' in p) return val(p.NominalValue);
  if ('EnumerationValues' in p) return val(p.EnumerationValues);
  if ('ListValues' in p) return val(p.ListValues);
  if ('UpperBoundValue' in p || 'LowerBoundValue' in p)
    return { lower: val(p.LowerBoundValue), upper: val(p.UpperBoundValue) };
  for (const k of Object.keys(p)) if (k.endsWith('Value') && k !== 'Unit') return val(p[k]);
  return undefined;
}

/** Attributes a definition shares with every rooted entity: not what it says about the element. */
const ROOT_ATTRIBUTES = new Set(['expressID', 'type', 'GlobalId', 'OwnerHistory', 'Name', 'Description']);
const isRef = (v: unknown): boolean =>
  v !== null &&
  typeof v === 'object' &&
  (v as { type?: unknown }).type === 5 &&
  typeof (v as { value?: unknown }).value === 'number';

/**
 * Reads a property set definition that is not a set of properties (IfcDoorLiningProperties, IfcWindowPanelProperties,
 * IfcReinforcementDefinitionProperties…: the values are the entity's own attributes) into attribute name -> value,
 * named as the schema names them (web-ifc's line objects keep those names). References to other entities are left out.
 */
function readAttributes(def: Line): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(def)) {
    if (ROOT_ATTRIBUTES.has(k)) continue;
    const v = def[k];
    if (isRef(v) || (Array.isArray(v) && v.some(isRef))) continue;
    out[k] = val(v);
  }
  return out;
}

/** Reads one IfcPropertySet / IfcElementQuantity into name -> value. */
function readSet(api: IfcAPI, modelID: number, set: Line): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const items = refIds(set.HasProperties ?? set.Quantities);
  if (items.length === 0) return out;
  for (const p of api.GetLines(modelID, items) as Line[]) {
    const name = str(p.Name);
    if (!name) continue;
    const v = propertyValue(p);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/*
 * The same readings from the file's own text (StepLines), without web-ifc's per-line cost. Each reader gives exactly
 * what web-ifc's line objects give through `val` and `propertyValue` above (tests compare the two on every sample
 * file), and throws LEAVE_TO_WEB_IFC for anything else, so that the caller asks web-ifc.
 */

/** A typed value (`IFCLABEL('x')`, `IFCREAL(1.5)`, `IFCBOOLEAN(.T.)`) as web-ifc's value classes hold it. */
function typedValue(v: StepValue): unknown {
  if (v === null || typeof v !== 'object' || !('typed' in v)) throw LEAVE_TO_WEB_IFC;
  const inner = v.value;
  if (typeof inner === 'string') return inner;
  if (inner !== null && typeof inner === 'object' && 'num' in inner) return parseFloat(inner.num);
  if (inner !== null && typeof inner === 'object' && 'enum' in inner) {
    if (inner.enum === 'T') return true;
    if (inner.enum === 'F') return false;
  }
  throw LEAVE_TO_WEB_IFC;
}

/** An item of a list value: web-ifc keeps an empty string as null there. */
function listItem(v: StepValue): unknown {
  if (v === null) return null;
  if (typeof v === 'object' && 'typed' in v && v.value === '') return null;
  return typedValue(v);
}

const QUANTITIES = new Set([
  'IFCQUANTITYLENGTH',
  'IFCQUANTITYAREA',
  'IFCQUANTITYVOLUME',
  'IFCQUANTITYCOUNT',
  'IFCQUANTITYWEIGHT',
  'IFCQUANTITYTIME',
  'IFCQUANTITYNUMBER',
]);
const STEP_PROPERTIES = new Set([
  'IFCPROPERTYSINGLEVALUE',
  'IFCPROPERTYENUMERATEDVALUE',
  'IFCPROPERTYLISTVALUE',
  'IFCPROPERTYBOUNDEDVALUE',
  ...QUANTITIES,
]);
const STEP_SETS = new Set(['IFCPROPERTYSET', 'IFCELEMENTQUANTITY']);
const STEP_REL = new Set(['IFCRELDEFINESBYPROPERTIES']);

const stepStr = (v: StepValue | undefined): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw LEAVE_TO_WEB_IFC;
  return v === '' ? null : v;
};
const stepRefs = (v: StepValue | undefined): number[] => {
  if (!Array.isArray(v)) throw LEAVE_TO_WEB_IFC;
  const out: number[] = [];
  for (const x of v) if (x !== null && typeof x === 'object' && 'ref' in x) out.push(x.ref);
  return out;
};

/** Name and value of a property or quantity line; value undefined when it carries none web-ifc would report. */
function stepProperty(p: StepLine): { name: string | null; value: unknown } {
  const a = p.args;
  const name = stepStr(a[0]);
  switch (p.type) {
    case 'IFCPROPERTYSINGLEVALUE':
      return { name, value: a[2] === null ? null : typedValue(a[2]!) };
    case 'IFCPROPERTYENUMERATEDVALUE':
    case 'IFCPROPERTYLISTVALUE':
      if (!Array.isArray(a[2])) throw LEAVE_TO_WEB_IFC;
      return { name, value: a[2].map(listItem) };
    case 'IFCPROPERTYBOUNDEDVALUE':
      return {
        name,
        value: { lower: a[3] === null ? null : typedValue(a[3]!), upper: a[2] === null ? null : typedValue(a[2]!) },
      };
    default: {
      if (!QUANTITIES.has(p.type)) throw LEAVE_TO_WEB_IFC;
      const q = a[3];
      if (q === null) return { name, value: null };
      if (q !== undefined && typeof q === 'object' && 'num' in q) return { name, value: parseFloat(q.num) };
      throw LEAVE_TO_WEB_IFC;
    }
  }
}

/** Whether a scan found as many instances as web-ifc holds, checked once per scan (the index and the headers share it). */
const textMatchesModel = new WeakMap<StepLines, boolean>();

/**
 * Whether `step` (a scan of the model's own bytes) found as many instances as web-ifc holds for the model, asked of
 * web-ifc once per scan (GetAllLines lists every line): the element index, the headers and the Fragments importer's
 * line reader (TwinSession) share the answer.
 */
export function scanMatchesModel(api: IfcAPI, modelID: number, step: StepLines): boolean {
  let usable = textMatchesModel.get(step);
  if (usable === undefined) {
    usable = false;
    try {
      const lines = api.GetAllLines(modelID);
      usable = lines.size() === step.count;
      (lines as { delete?: () => void }).delete?.();
    } catch {
      /* no text reading */
    }
    textMatchesModel.set(step, usable);
  }
  return usable;
}

/**
 * Reads lines through StepLines; null when web-ifc must read the line. The text is used only when the scan found
 * exactly as many instances as web-ifc holds: a scan that lost its way in a string or comment merges or splits
 * statements, and a file that repeats an id leaves it unclear which of the two web-ifc kept. Each line's type is
 * still checked against web-ifc's (one cheap call) before its text is used.
 */
export function stepReader(api: IfcAPI, modelID: number, step: StepLines) {
  if (!scanMatchesModel(api, modelID, step)) return () => null;
  // web-ifc's type codes are hashes of the upper-case STEP names (GetTypeCodeFromName('IfcWall') is another number).
  const codes = new Map<string, number>();
  const codeOf = (type: string): number => {
    let c = codes.get(type);
    if (c === undefined) codes.set(type, (c = api.GetTypeCodeFromName(type)));
    return c;
  };
  return (id: number, types?: ReadonlySet<string>): StepLine | null => {
    const line = step.read(id);
    if (!line || (types && !types.has(line.type))) return null;
    let webIfcType: number;
    try {
      webIfcType = api.GetLineType(modelID, id);
    } catch {
      return null;
    }
    return webIfcType === codeOf(line.type) ? line : null;
  };
}

/**
 * Runs the index pass. `onProgress` gets 0..1. With `step` (the file's own text, scanned), property and quantity sets
 * and their relationships are read from the text wherever it reads them exactly as web-ifc would; the rest through
 * web-ifc.
 */
export function readIndex(
  api: IfcAPI,
  modelID: number,
  onProgress: (f: number) => void = () => {},
  step?: StepLines | null,
): IfcIndex {
  const warnings: string[] = [];
  const psets = new Map<number, PropertySets>();
  const setCache = new Map<number, { name: string; props: Record<string, unknown> } | null>();
  const fast = step ? stepReader(api, modelID, step) : null;
  /** A set from the text: its items each from the text, or from web-ifc when the text reader leaves one. */
  const stepSet = (id: number): { name: string; props: Record<string, unknown> } | null => {
    const s = fast?.(id, STEP_SETS);
    if (!s) return null;
    try {
      const name = stepStr(s.args[2]) ?? `#${id}`;
      const items = stepRefs(s.type === 'IFCPROPERTYSET' ? s.args[4] : s.args[5]);
      const props: Record<string, unknown> = {};
      for (const item of items) {
        let prop: { name: string | null; value: unknown } | null = null;
        const p = fast!(item, STEP_PROPERTIES);
        if (p)
          try {
            prop = stepProperty(p);
          } catch (err) {
            if (err !== LEAVE_TO_WEB_IFC) throw err;
          }
        if (!prop) {
          const l = api.GetLine(modelID, item) as Line;
          prop = { name: str(l.Name), value: propertyValue(l) };
        }
        if (prop.name && prop.value !== undefined) props[prop.name] = prop.value;
      }
      return { name, props };
    } catch (err) {
      if (err === LEAVE_TO_WEB_IFC) return null;
      throw err;
    }
  };
  const loadSet = (id: number) => {
    if (!setCache.has(id)) {
      try {
        const fromText = stepSet(id);
        if (fromText) setCache.set(id, fromText);
        else {
          const s = api.GetLine(modelID, id) as Line;
          // Other IfcPropertySetDefinition subtypes carry their values as attributes, and are named by their class
          // (their Name, when given, is an exporter's label such as a door style's).
          if ('HasProperties' in s || 'Quantities' in s)
            setCache.set(id, { name: str(s.Name) ?? `#${id}`, props: readSet(api, modelID, s) });
          else setCache.set(id, { name: className(api, s), props: readAttributes(s) });
        }
      } catch {
        setCache.set(id, null);
      }
    }
    return setCache.get(id)!;
  };
  const attach = (objects: number[], setIds: number[], override: boolean) => {
    for (const sid of setIds) {
      const s = loadSet(sid);
      if (!s) continue;
      for (const o of objects) {
        let m = psets.get(o);
        if (!m) psets.set(o, (m = {}));
        if (override || !(s.name in m)) m[s.name] = s.props;
      }
    }
  };

  // Type property sets first, so the occurrence's own sets override them.
  const byType = api.GetLineIDsWithType(modelID, WebIFC.IFCRELDEFINESBYTYPE);
  for (let i = 0; i < byType.size(); i++) {
    const rel = api.GetLine(modelID, byType.get(i)) as Line;
    const typeId = refId(rel.RelatingType);
    if (typeId === null) continue;
    const t = api.GetLine(modelID, typeId) as Line;
    attach(refIds(rel.RelatedObjects), refIds(t.HasPropertySets), false);
  }
  onProgress(0.2);
  const byProps = api.GetLineIDsWithType(modelID, WebIFC.IFCRELDEFINESBYPROPERTIES);
  const n = byProps.size();
  for (let i = 0; i < n; i++) {
    const id = byProps.get(i);
    const relText = fast?.(id, STEP_REL);
    let objects: number[] | null = null;
    let definitions: number[] | null = null;
    if (relText) {
      const def = relText.args[5];
      // A set of definitions (IFC4X3's IfcPropertySetDefinitionSet) is left to web-ifc, as is anything but one reference.
      if (def !== null && typeof def === 'object' && 'ref' in def)
        try {
          objects = stepRefs(relText.args[4]);
          definitions = [def.ref];
        } catch (err) {
          if (err !== LEAVE_TO_WEB_IFC) throw err;
        }
    }
    if (!objects || !definitions) {
      const rel = api.GetLine(modelID, id) as Line;
      objects = refIds(rel.RelatedObjects);
      definitions = refIds(rel.RelatingPropertyDefinition);
    }
    attach(objects, definitions, true);
    if (i % 2000 === 0) onProgress(0.2 + (0.6 * i) / n);
  }

  // Containment, then parts of aggregates inherit their whole's container.
  const container = new Map<number, number>();
  const contained = new Map<number, number>();
  const cont = api.GetLineIDsWithType(modelID, WebIFC.IFCRELCONTAINEDINSPATIALSTRUCTURE);
  for (let i = 0; i < cont.size(); i++) {
    const rel = api.GetLine(modelID, cont.get(i)) as Line;
    const s = refId(rel.RelatingStructure);
    if (s === null) continue;
    for (const e of refIds(rel.RelatedElements)) container.set(e, s);
  }
  const children = new Map<number, number[]>();
  const agg = api.GetLineIDsWithType(modelID, WebIFC.IFCRELAGGREGATES);
  for (let i = 0; i < agg.size(); i++) {
    const rel = api.GetLine(modelID, agg.get(i)) as Line;
    const whole = refId(rel.RelatingObject);
    if (whole === null) continue;
    const list = children.get(whole) ?? [];
    // A loop, not push(...): a relation of a few hundred thousand objects would overflow the call stack.
    for (const id of refIds(rel.RelatedObjects)) list.push(id);
    children.set(whole, list);
  }
  // Parts that are not aggregated but belong to a whole all the same: an opening to the element it voids, nested
  // objects (IFC4 ports) to their host, IFC2X3 ports to their element.
  const parts = new Map<number, number[]>();
  const addPart = (whole: number | null, part: number | null) => {
    if (whole === null || part === null) return;
    const list = parts.get(whole) ?? [];
    list.push(part);
    parts.set(whole, list);
  };
  const eachRel = (type: number | undefined, f: (rel: Line) => void) => {
    if (type === undefined) return;
    const ids = api.GetLineIDsWithType(modelID, type);
    for (let i = 0; i < ids.size(); i++) f(api.GetLine(modelID, ids.get(i)) as Line);
  };
  eachRel(WebIFC.IFCRELVOIDSELEMENT, (rel) =>
    addPart(refId(rel.RelatingBuildingElement), refId(rel.RelatedOpeningElement)),
  );
  eachRel(WebIFC.IFCRELNESTS, (rel) =>
    refIds(rel.RelatedObjects).forEach((o) => addPart(refId(rel.RelatingObject), o)),
  );
  eachRel(WebIFC.IFCRELCONNECTSPORTTOELEMENT, (rel) => addPart(refId(rel.RelatedElement), refId(rel.RelatingPort)));
  // Propagate containers down aggregations (a stair's flights sit on the stair's storey) and the parts above; bounded
  // by a visited set because broken files can aggregate in a cycle.
  const visited = new Set<number>();
  const propagate = (whole: number, c: number) => {
    for (const part of [...(children.get(whole) ?? []), ...(parts.get(whole) ?? [])]) {
      if (visited.has(part) || container.has(part)) continue;
      visited.add(part);
      container.set(part, c);
      propagate(part, c);
    }
  };
  for (const [e, c] of [...container]) propagate(e, c);
  for (const c of container.values()) contained.set(c, (contained.get(c) ?? 0) + 1);
  onProgress(0.9);

  const typeNameOf = (id: number): string | null => {
    try {
      return api.GetNameFromTypeCode(api.GetLineType(modelID, id)) ?? null;
    } catch {
      return null;
    }
  };
  const seen = new Set<number>();
  const build = (id: number, depth: number): TreeNode | null => {
    if (seen.has(id) || depth > 64) return null;
    seen.add(id);
    const line = api.GetLine(modelID, id) as Line;
    const kids = (children.get(id) ?? []).filter((k) => SPATIAL.has(String(typeNameOf(k)).toUpperCase()));
    // A spatial node is an element row too, on the node above it.
    for (const k of kids) if (!seen.has(k)) container.set(k, id);
    return {
      expressId: id,
      globalId: str(line.GlobalId),
      ifcClass: className(api, line),
      name: str(line.Name) ?? str(line.LongName),
      // Contained elements only: convertIfc replaces it with the rows it indexes on this node (TreeNode.elementCount).
      elementCount: contained.get(id) ?? 0,
      children: kids.map((k) => build(k, depth + 1)).filter((x): x is TreeNode => x !== null),
    };
  };
  const projects = api.GetLineIDsWithType(modelID, WebIFC.IFCPROJECT);
  if (projects.size() === 0) warnings.push('The file has no IfcProject: the spatial tree is empty');
  if (projects.size() > 1)
    warnings.push(`The file has ${projects.size()} IfcProject entities; the tree shows the first`);
  const tree = projects.size() > 0 ? build(projects.get(0), 0) : null;
  onProgress(1);
  return { lengthUnitM: lengthUnitM(api, modelID), psets, container, tree, warnings };
}

/** What an element row needs from the element's own line. */
export interface ElementHeader {
  globalId: string | null;
  ifcClass: string;
  name: string | null;
  predefinedType: string | null;
}

/**
 * Reads the element headers (GlobalId, class, name, predefined type) of a model. web-ifc reads the first element of
 * each type; it also gives the attribute positions of that type (web-ifc's line objects keep the schema's order), and
 * when the text reader gives the same header for that first element, the rest of the type is read from the text.
 */
export function elementHeaders(
  api: IfcAPI,
  modelID: number,
  step?: StepLines | null,
): (expressId: number) => ElementHeader {
  const fast = step ? stepReader(api, modelID, step) : null;
  const byType = new Map<number, { ifcClass: string; attributes: number; predefinedAt: number; fromText: boolean }>();
  const fromWebIfc = (id: number) => {
    const line = api.GetLine(modelID, id) as Line;
    const pt = val(line.PredefinedType);
    const header: ElementHeader = {
      globalId: (val(line.GlobalId) as string | null) ?? null,
      ifcClass: className(api, line),
      name: (val(line.Name) as string | null) ?? null,
      predefinedType: pt === null || pt === undefined ? null : String(pt),
    };
    return { line, header };
  };
  const fromText = (id: number, attributes: number, predefinedAt: number, ifcClass: string): ElementHeader | null => {
    const l = fast?.(id);
    if (!l || l.args.length !== attributes) return null;
    const [g, , n] = l.args;
    const pt = predefinedAt >= 0 ? l.args[predefinedAt] : null;
    if (typeof g !== 'string' || (n !== null && typeof n !== 'string')) return null;
    if (pt !== null && !(typeof pt === 'object' && 'enum' in pt)) return null;
    return { globalId: g, ifcClass, name: n ?? null, predefinedType: pt ? pt.enum : null };
  };
  return (id) => {
    const type = api.GetLineType(modelID, id);
    const t = byType.get(type);
    if (t?.fromText) {
      const h = fromText(id, t.attributes, t.predefinedAt, t.ifcClass);
      if (h) return h;
    }
    const { line, header } = fromWebIfc(id);
    if (!t) {
      const keys = Object.keys(line).filter((k) => k !== 'expressID' && k !== 'type');
      const attributes = keys.length;
      const predefinedAt = keys.indexOf('PredefinedType');
      const h = fromText(id, attributes, predefinedAt, header.ifcClass);
      const same =
        !!h && h.globalId === header.globalId && h.name === header.name && h.predefinedType === header.predefinedType;
      byType.set(type, { ifcClass: header.ifcClass, attributes, predefinedAt, fromText: same });
    }
    return header;
  };
}
