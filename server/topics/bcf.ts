import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import {
  componentsOf,
  type AttachmentMeta,
  type BcfCamera,
  type Party,
  type Topic,
  type TopicAnchor,
  type TopicComment,
  type TopicPriority,
  type TopicStatus,
  type TopicType,
  type TopicViewpoint,
} from '../../models/Topic.js';
import type { TopicRecord } from '../store/TopicRepo.js';
import {
  child,
  childrenOf,
  parseXml,
  textOf,
  writeXml,
  x,
  xt,
  XmlError,
  type XmlElement,
  type XmlNode,
} from './xml.js';

/**
 * BCF-XML interchange of topics (element names from buildingSMART's BCF-XML schemas, © buildingSMART International
 * Ltd., CC BY-ND 4.0; the schemas themselves are not copied here). Export writes BCF 3.0; import reads 3.0, 2.1 and
 * 2.0 (the 2.0 flat `<Component Selected Visible Color>` list included).
 *
 * What a BCF file cannot carry is written where BCF allows free text: anchors (a device, a point on the map, elements)
 * as `ReferenceLinks` `sitetwin:…`, the assignee party as `AssignedTo` `enterprise:<id>` / `project:<id>` / a user.
 * A rectification notice's workflow stays on the server (a BCF file has no place for it).
 */

/** Limits of an imported file: a zip bomb or a huge file is refused before it is inflated. */
export const BCF_LIMITS = { maxFiles: 5000, maxTotalBytes: 200 * 1024 * 1024, maxTopics: 2000 };

export class BcfError extends Error {
  override name = 'BcfError';
}

// ---- enumerations ------------------------------------------------------------------------------------------

const TYPE_OUT: Record<TopicType, string> = {
  quality: 'Quality',
  safety: 'Safety',
  dust: 'Dust',
  progress: 'Progress',
  design: 'Design',
};
const STATUS_OUT: Record<TopicStatus, string> = {
  open: 'Open',
  in_progress: 'InProgress',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'ReOpened',
};
const PRIORITY_OUT: Record<TopicPriority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  critical: 'Critical',
};

const norm = (s: string | undefined) => (s ?? '').toLowerCase().replace(/[\s_-]/g, '');

/** A BCF topic type as ours: our own names, then the usual BCF ones (clash, inquiry … are design questions). */
export function typeFromBcf(s: string | undefined): TopicType {
  const n = norm(s);
  for (const [k, v] of Object.entries(TYPE_OUT)) if (norm(v) === n) return k as TopicType;
  if (['clash', 'inquiry', 'request', 'remark', 'comment', 'architectural', 'structural', 'mep'].includes(n))
    return 'design';
  if (n.includes('safety') || n.includes('安全')) return 'safety';
  if (n.includes('dust') || n.includes('扬尘')) return 'dust';
  if (n.includes('progress') || n.includes('进度')) return 'progress';
  return 'quality';
}

export function statusFromBcf(s: string | undefined): TopicStatus {
  const n = norm(s);
  for (const [k, v] of Object.entries(STATUS_OUT)) if (norm(v) === n) return k as TopicStatus;
  if (['active', 'new', 'assigned'].includes(n)) return 'open';
  if (['inreview', 'done', 'fixed'].includes(n)) return 'resolved';
  if (['inactive', 'archived'].includes(n)) return 'closed';
  return 'open';
}

export function priorityFromBcf(s: string | undefined): TopicPriority {
  const n = norm(s);
  for (const [k, v] of Object.entries(PRIORITY_OUT)) if (norm(v) === n) return k as TopicPriority;
  if (n === 'minor' || n === 'onhold') return 'low';
  if (n === 'major') return 'high';
  if (n === 'critical' || n === 'blocker') return 'critical';
  return 'normal';
}

const partyOut = (p: Party | undefined) =>
  !p
    ? undefined
    : p.kind === 'enterprise'
      ? `enterprise:${p.enterpriseId}`
      : p.kind === 'project'
        ? `project:${p.projectId}`
        : p.userId;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function partyIn(s: string | undefined): Party | undefined {
  if (!s) return undefined;
  const m = /^(enterprise|project):(.+)$/.exec(s);
  if (m && UUID.test(m[2]!))
    return m[1] === 'enterprise'
      ? { kind: 'enterprise', enterpriseId: m[2]!.toLowerCase() }
      : { kind: 'project', projectId: m[2]!.toLowerCase() };
  return { kind: 'user', userId: s };
}

function anchorOut(a: TopicAnchor): string {
  if (a.kind === 'elements') return `sitetwin:elements:${a.globalIds.join(',')}`;
  if (a.kind === 'device') return `sitetwin:device:${a.deviceId}`;
  return `sitetwin:point:${a.lon},${a.lat},${a.height}`;
}
function anchorIn(s: string): TopicAnchor | undefined {
  const m = /^sitetwin:(elements|device|point):(.+)$/.exec(s.trim());
  if (!m) return undefined;
  if (m[1] === 'elements') return { kind: 'elements', globalIds: m[2]!.split(',').filter(Boolean) };
  if (m[1] === 'device') return UUID.test(m[2]!) ? { kind: 'device', deviceId: m[2]!.toLowerCase() } : undefined;
  const [lon, lat, height] = m[2]!.split(',').map(Number);
  return Number.isFinite(lon) && Number.isFinite(lat)
    ? { kind: 'point', lon: lon!, lat: lat!, height: Number.isFinite(height) ? height! : 0 }
    : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
function msOf(s: string | undefined): number | undefined {
  if (!s) return undefined;
  // A date-time without a zone is read as UTC (BCF asks for a zone; some writers leave it out).
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isFinite(t) ? t : undefined;
}

// ---- export ------------------------------------------------------------------------------------------------

const xyz = (name: string, v: readonly number[]) => x(name, {}, [xt('X', v[0]), xt('Y', v[1]), xt('Z', v[2])]);
const comp = (g: string) => x('Component', { IfcGuid: g });

function visinfo(v: TopicViewpoint): string {
  const c = v.camera;
  const cam: XmlNode | undefined = !c
    ? undefined
    : x(c.kind === 'perspective' ? 'PerspectiveCamera' : 'OrthogonalCamera', {}, [
        xyz('CameraViewPoint', c.position),
        xyz('CameraDirection', c.direction),
        xyz('CameraUpVector', c.up),
        c.kind === 'perspective' ? xt('FieldOfView', c.fov) : xt('ViewToWorldScale', c.viewToWorldScale),
        xt('AspectRatio', c.aspectRatio ?? 1),
      ]);
  return writeXml(
    x('VisualizationInfo', { Guid: v.guid }, [
      x('Components', {}, [
        v.selection.length ? x('Selection', {}, v.selection.map(comp)) : undefined,
        x('Visibility', { DefaultVisibility: v.defaultVisibility }, [
          v.exceptions.length ? x('Exceptions', {}, v.exceptions.map(comp)) : undefined,
        ]),
        v.coloring.length
          ? x(
              'Coloring',
              {},
              v.coloring.map((k) => x('Color', { Color: k.color.toUpperCase() }, k.ifcGuids.map(comp))),
            )
          : undefined,
      ]),
      cam,
      v.clippingPlanes.length
        ? x(
            'ClippingPlanes',
            {},
            v.clippingPlanes.map((p) =>
              x('ClippingPlane', {}, [xyz('Location', p.location), xyz('Direction', p.direction)]),
            ),
          )
        : undefined,
    ]),
  );
}

const EXT = { 'image/png': 'png', 'image/jpeg': 'jpg' } as const;

function markup(t: Topic, snapshotName: (v: TopicViewpoint) => string | undefined): string {
  const links = t.anchors.map(anchorOut);
  return writeXml(
    x('Markup', {}, [
      x('Topic', { Guid: t.id, TopicType: TYPE_OUT[t.topicType], TopicStatus: STATUS_OUT[t.topicStatus] }, [
        links.length
          ? x(
              'ReferenceLinks',
              {},
              links.map((l) => xt('ReferenceLink', l)),
            )
          : undefined,
        xt('Title', t.title),
        xt('Priority', PRIORITY_OUT[t.priority]),
        t.labels.length
          ? x(
              'Labels',
              {},
              t.labels.map((l) => xt('Label', l)),
            )
          : undefined,
        xt('CreationDate', iso(t.creationDate)),
        xt('CreationAuthor', t.creationAuthor),
        xt('ModifiedDate', iso(t.modifiedDate)),
        xt('ModifiedAuthor', t.modifiedAuthor),
        xt('DueDate', t.dueDate !== undefined ? iso(t.dueDate) : undefined),
        xt('AssignedTo', partyOut(t.assignee)),
        t.description ? xt('Description', t.description) : undefined,
        t.comments.length
          ? x(
              'Comments',
              {},
              t.comments.map((c) =>
                x('Comment', { Guid: c.guid }, [
                  xt('Date', iso(c.date)),
                  xt('Author', c.author),
                  xt('Comment', c.comment),
                  c.viewpointGuid ? x('Viewpoint', { Guid: c.viewpointGuid }) : undefined,
                  xt('ModifiedDate', c.modifiedDate !== undefined ? iso(c.modifiedDate) : undefined),
                ]),
              ),
            )
          : undefined,
        t.viewpoints.length
          ? x(
              'Viewpoints',
              {},
              t.viewpoints.map((v) =>
                x('ViewPoint', { Guid: v.guid }, [xt('Viewpoint', `${v.guid}.bcfv`), xt('Snapshot', snapshotName(v))]),
              ),
            )
          : undefined,
      ]),
    ]),
  );
}

/** Writes topics as a BCF 3.0 `.bcfzip`; `snapshots` holds the bytes of viewpoint snapshot attachments by id. */
export function exportBcf(
  topics: Topic[],
  snapshots: Map<string, { meta: AttachmentMeta; data: Uint8Array }> = new Map(),
): Uint8Array {
  const files: Zippable = {
    'bcf.version': strToU8(writeXml(x('Version', { VersionId: '3.0' }))),
    'extensions.xml': strToU8(
      writeXml(
        x('Extensions', {}, [
          x(
            'TopicTypes',
            {},
            Object.values(TYPE_OUT).map((v) => xt('TopicType', v)),
          ),
          x(
            'TopicStatuses',
            {},
            Object.values(STATUS_OUT).map((v) => xt('TopicStatus', v)),
          ),
          x(
            'Priorities',
            {},
            Object.values(PRIORITY_OUT).map((v) => xt('Priority', v)),
          ),
          ...(() => {
            const labels = [...new Set(topics.flatMap((t) => t.labels))];
            return labels.length
              ? [
                  x(
                    'TopicLabels',
                    {},
                    labels.map((l) => xt('TopicLabel', l)),
                  ),
                ]
              : [];
          })(),
        ]),
      ),
    ),
  };
  for (const t of topics) {
    const snap = (v: TopicViewpoint) => {
      const s = v.snapshotAttachmentId ? snapshots.get(v.snapshotAttachmentId) : undefined;
      return s ? `${v.guid}.${EXT[s.meta.mime]}` : undefined;
    };
    files[`${t.id}/markup.bcf`] = strToU8(markup(t, snap));
    for (const v of t.viewpoints) {
      files[`${t.id}/${v.guid}.bcfv`] = strToU8(visinfo(v));
      const s = v.snapshotAttachmentId ? snapshots.get(v.snapshotAttachmentId) : undefined;
      if (s) files[`${t.id}/${v.guid}.${EXT[s.meta.mime]}`] = [s.data, { level: 0 }];
    }
  }
  return zipSync(files, { level: 6 });
}

// ---- import ------------------------------------------------------------------------------------------------

/** A snapshot image read with a viewpoint: stored as an attachment whose id is the viewpoint guid. */
export interface BcfSnapshot {
  topicId: string;
  id: string;
  fileName: string;
  mime: AttachmentMeta['mime'];
  data: Uint8Array;
}

export interface BcfImport {
  version: string;
  topics: Array<Omit<TopicRecord, 'projectId'>>;
  snapshots: BcfSnapshot[];
  /** What was read but could not be kept (e.g. a viewpoint file that is missing). */
  warnings: string[];
}

const num = (el: XmlElement | undefined, n: string) => Number(textOf(el, n));
function vec(el: XmlElement | undefined): [number, number, number] | undefined {
  if (!el) return undefined;
  const v: [number, number, number] = [num(el, 'X'), num(el, 'Y'), num(el, 'Z')];
  return v.every(Number.isFinite) ? v : undefined;
}
const guidsOf = (el: XmlElement | undefined) =>
  childrenOf(el, 'Component')
    .map((c) => c.attrs.IfcGuid)
    .filter((g): g is string => !!g);
const lowerGuid = (g: string | undefined) => (g && UUID.test(g) ? g.toLowerCase() : undefined);
const bool = (s: string | undefined, dflt: boolean) => (s === undefined ? dflt : s === 'true' || s === '1');

function cameraOf(vi: XmlElement): BcfCamera | undefined {
  const p = child(vi, 'PerspectiveCamera');
  const o = child(vi, 'OrthogonalCamera');
  const c = p ?? o;
  if (!c) return undefined;
  const position = vec(child(c, 'CameraViewPoint'));
  const direction = vec(child(c, 'CameraDirection'));
  const up = vec(child(c, 'CameraUpVector'));
  if (!position || !direction || !up) return undefined;
  const ar = num(c, 'AspectRatio');
  const aspectRatio = Number.isFinite(ar) && ar > 0 ? { aspectRatio: ar } : {};
  if (p) {
    const fov = num(p, 'FieldOfView');
    return {
      kind: 'perspective',
      position,
      direction,
      up,
      fov: Number.isFinite(fov) && fov > 0 && fov < 180 ? fov : 60,
      ...aspectRatio,
    };
  }
  const scale = num(o, 'ViewToWorldScale');
  return {
    kind: 'orthogonal',
    position,
    direction,
    up,
    viewToWorldScale: Number.isFinite(scale) && scale > 0 ? scale : 1,
    ...aspectRatio,
  };
}

/** Reads a visualization info (3.0, 2.1 or the 2.0 flat component list). */
export function viewpointOf(vi: XmlElement, guid: string): TopicViewpoint {
  const comps = child(vi, 'Components');
  const selection = guidsOf(child(comps, 'Selection'));
  const visibility = child(comps, 'Visibility');
  let defaultVisibility = bool(visibility?.attrs.DefaultVisibility, true);
  const exceptions = guidsOf(child(visibility, 'Exceptions'));
  const coloring = childrenOf(child(comps, 'Coloring'), 'Color')
    .map((c) => ({ color: (c.attrs.Color ?? '').toUpperCase(), ifcGuids: guidsOf(c) }))
    .filter((c) => /^([0-9A-F]{6}|[0-9A-F]{8})$/.test(c.color) && c.ifcGuids.length);
  // BCF 2.0: <Components><Component IfcGuid Selected Visible Color/></Components>
  const flat = childrenOf(comps, 'Component');
  if (flat.length) {
    const byColor = new Map<string, string[]>();
    for (const c of flat) {
      const g = c.attrs.IfcGuid;
      if (!g) continue;
      if (bool(c.attrs.Selected, false)) selection.push(g);
      if (!bool(c.attrs.Visible, true)) exceptions.push(g);
      const col = c.attrs.Color?.toUpperCase();
      if (col && /^([0-9A-F]{6}|[0-9A-F]{8})$/.test(col)) byColor.set(col, [...(byColor.get(col) ?? []), g]);
    }
    for (const [color, ifcGuids] of byColor) coloring.push({ color, ifcGuids });
    // 2.0 has no default visibility: components marked Visible="true" with none marked "false" (the "single visible
    // wall" case) mean "only these are shown"; otherwise everything is shown but the ones marked "false".
    const shown = flat
      .filter((c) => c.attrs.IfcGuid && c.attrs.Visible !== undefined && bool(c.attrs.Visible, true))
      .map((c) => c.attrs.IfcGuid!);
    defaultVisibility = !(shown.length && !exceptions.length);
    if (!defaultVisibility) exceptions.push(...shown);
  }
  const clippingPlanes = childrenOf(child(vi, 'ClippingPlanes'), 'ClippingPlane').flatMap((p) => {
    const location = vec(child(p, 'Location'));
    const direction = vec(child(p, 'Direction'));
    return location && direction ? [{ location, direction }] : [];
  });
  const camera = cameraOf(vi);
  return { guid, ...(camera ? { camera } : {}), selection, defaultVisibility, exceptions, coloring, clippingPlanes };
}

function sniffImage(b: Uint8Array): AttachmentMeta['mime'] | undefined {
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** Reads a `.bcfzip` (3.0, 2.1, 2.0). Throws BcfError when it is not a BCF file at all. */
export function importBcf(zip: Uint8Array): BcfImport {
  let count = 0;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        count++;
        total += f.originalSize;
        if (count > BCF_LIMITS.maxFiles || total > BCF_LIMITS.maxTotalBytes)
          throw new BcfError(
            `The BCF file is too large (more than ${BCF_LIMITS.maxFiles} files or ${BCF_LIMITS.maxTotalBytes} bytes inflated)`,
          );
        return !f.name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof BcfError) throw e;
    throw new BcfError(`Not a zip file: ${(e as Error).message}`);
  }
  const text = (name: string) => (files[name] ? strFromU8(files[name]!) : undefined);
  const xml = (name: string) => {
    const s = text(name);
    if (s === undefined) return undefined;
    try {
      return parseXml(s);
    } catch (e) {
      if (e instanceof XmlError) throw new BcfError(`${name}: ${e.message}`);
      throw e;
    }
  };
  const versionEl = xml('bcf.version');
  const version = versionEl?.attrs.VersionId ?? textOf(versionEl, 'DetailedVersion') ?? '2.1';
  if (!/^(2\.0|2\.1|3\.0)/.test(version))
    throw new BcfError(`BCF version ${version} is not supported (3.0, 2.1, 2.0 are)`);
  const markups = Object.keys(files).filter((n) => /^[^/]+\/markup\.bcf$/i.test(n));
  if (!markups.length) throw new BcfError('The file holds no topic (no <guid>/markup.bcf)');
  if (markups.length > BCF_LIMITS.maxTopics) throw new BcfError(`More than ${BCF_LIMITS.maxTopics} topics`);
  const warnings: string[] = [];
  const snapshots: BcfSnapshot[] = [];
  const topics: BcfImport['topics'] = [];
  for (const name of markups.sort()) {
    const folder = name.slice(0, name.indexOf('/'));
    const m = xml(name)!;
    const t = child(m, 'Topic');
    const id = lowerGuid(t?.attrs.Guid) ?? lowerGuid(folder);
    if (!t || !id) {
      warnings.push(`${name}: no topic guid`);
      continue;
    }
    const is3 = version.startsWith('3');
    const labels = is3
      ? childrenOf(child(t, 'Labels'), 'Label').map((l) => l.text.trim())
      : childrenOf(t, 'Labels').map((l) => l.text.trim());
    const links = is3 ? childrenOf(child(t, 'ReferenceLinks'), 'ReferenceLink') : childrenOf(t, 'ReferenceLink');
    const anchors = links.map((l) => anchorIn(l.text)).filter((a): a is TopicAnchor => !!a);
    // 3.0: Topic/Comments/Comment, Topic/Viewpoints/ViewPoint; 2.x: Markup/Comment, Markup/Viewpoints.
    const commentEls = is3 ? childrenOf(child(t, 'Comments'), 'Comment') : childrenOf(m, 'Comment');
    const vpEls = is3 ? childrenOf(child(t, 'Viewpoints'), 'ViewPoint') : childrenOf(m, 'Viewpoints');
    const viewpoints: TopicViewpoint[] = [];
    for (const vp of vpEls) {
      const file = textOf(vp, 'Viewpoint') ?? (vpEls.length === 1 ? 'viewpoint.bcfv' : undefined);
      const vi = file ? xml(`${folder}/${file}`) : undefined;
      const guid = lowerGuid(vp.attrs.Guid) ?? lowerGuid(vi?.attrs.Guid);
      if (!vi || !guid) {
        warnings.push(`${folder}: viewpoint ${vp.attrs.Guid ?? '?'} has no readable file`);
        continue;
      }
      const v = viewpointOf(vi, guid);
      const snapName =
        textOf(vp, 'Snapshot') ?? (vpEls.length === 1 && files[`${folder}/snapshot.png`] ? 'snapshot.png' : undefined);
      const bytes = snapName ? files[`${folder}/${snapName}`] : undefined;
      const mime = bytes ? sniffImage(bytes) : undefined;
      if (bytes && mime) {
        snapshots.push({ topicId: id, id: guid, fileName: snapName!, mime, data: bytes });
        v.snapshotAttachmentId = guid;
      } else if (snapName) warnings.push(`${folder}: snapshot ${snapName} is missing or not PNG/JPEG`);
      viewpoints.push(v);
    }
    const vpGuids = new Set(viewpoints.map((v) => v.guid));
    const comments: TopicComment[] = [];
    for (const c of commentEls) {
      const guid = lowerGuid(c.attrs.Guid);
      const date = msOf(textOf(c, 'Date'));
      if (!guid || date === undefined) {
        warnings.push(`${folder}: a comment without guid or date`);
        continue;
      }
      const vpGuid = lowerGuid(child(c, 'Viewpoint')?.attrs.Guid);
      const modified = msOf(textOf(c, 'ModifiedDate'));
      comments.push({
        guid,
        date,
        author: textOf(c, 'Author') ?? '',
        comment: child(c, 'Comment')?.text ?? '',
        ...(vpGuid && vpGuids.has(vpGuid) ? { viewpointGuid: vpGuid } : {}),
        ...(modified !== undefined ? { modifiedDate: modified } : {}),
      });
    }
    const created = msOf(textOf(t, 'CreationDate')) ?? Date.now();
    const due = msOf(textOf(t, 'DueDate'));
    const assignee = partyIn(textOf(t, 'AssignedTo'));
    const modifiedAuthor = textOf(t, 'ModifiedAuthor');
    topics.push({
      id,
      title: textOf(t, 'Title') ?? '(untitled)',
      description: child(t, 'Description')?.text ?? '',
      topicType: typeFromBcf(t.attrs.TopicType),
      topicStatus: statusFromBcf(t.attrs.TopicStatus),
      priority: priorityFromBcf(textOf(t, 'Priority')),
      labels: labels.filter(Boolean),
      ...(due !== undefined ? { dueDate: due } : {}),
      ...(assignee ? { assignee } : {}),
      anchors,
      viewpoints,
      comments: comments.sort((a, b) => a.date - b.date || (a.guid < b.guid ? -1 : 1)),
      creationAuthor: textOf(t, 'CreationAuthor') ?? '',
      creationDate: created,
      modifiedDate: msOf(textOf(t, 'ModifiedDate')) ?? created,
      ...(modifiedAuthor ? { modifiedAuthor } : {}),
    });
  }
  return { version, topics, snapshots, warnings };
}

/** The GlobalIds an imported topic names (as `Topic.components` will list them). */
export const componentsOfImported = (t: BcfImport['topics'][number]) => componentsOf(t.anchors, t.viewpoints);
