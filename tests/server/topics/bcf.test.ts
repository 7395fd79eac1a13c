import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as OBC from '@thatopen/components';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { AttachmentMeta, Topic, TopicViewpoint } from '../../../models/Topic.js';
import { BcfError, componentsOfImported, exportBcf, importBcf, type BcfImport } from '../../../server/topics/bcf.js';
import { parseXml } from '../../../server/topics/xml.js';

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4,
]);
const SNAP_ID = '9e5b1c62-7f80-4c93-8e3f-4a5b6c7d8e9f';

const VP: TopicViewpoint = {
  guid: '6b2e8d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c',
  camera: {
    kind: 'perspective',
    position: [12.5, -30.25, 23.125],
    direction: [0.6, 0.8, 0],
    up: [0, 0, 1],
    fov: 55,
    aspectRatio: 1.5,
  },
  selection: ['2O2Fr$t4X7Zf8NOew3FLOH', '1hOSvn6df7F8_7GcBWlR72'],
  defaultVisibility: true,
  exceptions: ['0K7w7JN_T4FuKBmoWQdF1a'],
  coloring: [
    { color: 'FF0000', ifcGuids: ['2O2Fr$t4X7Zf8NOew3FLOH'] },
    { color: '00AAFF', ifcGuids: ['1hOSvn6df7F8_7GcBWlR72'] },
  ],
  clippingPlanes: [{ location: [0, 0, 7.5], direction: [0, 0, 1] }],
  snapshotAttachmentId: SNAP_ID,
};
const VP2: TopicViewpoint = {
  guid: 'a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3',
  camera: {
    kind: 'orthogonal',
    position: [1, 2, 3],
    direction: [0, 0, -1],
    up: [0, 1, 0],
    viewToWorldScale: 40,
    aspectRatio: 1.25,
  },
  selection: ['3UVeROy_r0UP$XJczNVszE'],
  defaultVisibility: false,
  exceptions: [],
  coloring: [],
  clippingPlanes: [],
};

const topics: Topic[] = [
  {
    id: '5a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
    projectId: '11111111-1111-4111-8111-111111111111',
    title: '塔吊附着杆件锈蚀',
    description: '3# 塔吊第二道附着杆件锈蚀，螺栓松动',
    topicType: 'safety',
    topicStatus: 'in_progress',
    priority: 'high',
    labels: ['塔吊', 'crane'],
    dueDate: Date.UTC(2026, 11, 10),
    assignee: { kind: 'enterprise', enterpriseId: '22222222-2222-4222-8222-222222222222' },
    anchors: [
      { kind: 'elements', globalIds: ['2O2Fr$t4X7Zf8NOew3FLOH'] },
      { kind: 'point', lon: 120.38, lat: 36.07, height: 42 },
    ],
    components: [],
    viewpoints: [VP, VP2],
    comments: [
      {
        guid: '7c3f9e40-5d6f-4a71-8c1d-2e3f4a5b6c7d',
        date: Date.UTC(2026, 11, 6, 9),
        author: 'inspector',
        comment: '请于三日内整改',
        viewpointGuid: VP.guid,
      },
      {
        guid: '8d4fa051-6e70-4b82-9d2e-3f4a5b6c7d8e',
        date: Date.UTC(2026, 11, 6, 10),
        author: 'team',
        comment: 'Received, working on it',
      },
    ],
    attachments: [],
    creationAuthor: 'inspector',
    creationDate: Date.UTC(2026, 11, 6, 8),
    modifiedDate: Date.UTC(2026, 11, 6, 10),
    modifiedAuthor: 'team',
  },
  {
    id: 'b1c2d3e4-f5a6-4b7c-9d8e-9fa0b1c2d3e4',
    projectId: '11111111-1111-4111-8111-111111111111',
    title: 'Clash: duct vs beam',
    description: '',
    topicType: 'design',
    topicStatus: 'open',
    priority: 'normal',
    labels: [],
    anchors: [],
    components: [],
    viewpoints: [],
    comments: [],
    attachments: [],
    creationAuthor: 'designer',
    creationDate: Date.UTC(2026, 11, 5),
    modifiedDate: Date.UTC(2026, 11, 5),
  },
];
const snapshots = new Map<string, { meta: AttachmentMeta; data: Uint8Array }>([
  [
    SNAP_ID,
    {
      meta: {
        id: SNAP_ID,
        fileName: 's.png',
        mime: 'image/png',
        size: PNG.length,
        sha256: '',
        uploadedBy: 'x',
        uploadedAt: 0,
      },
      data: PNG,
    },
  ],
]);

/** What a topic is, as the importer returns it (projectId, attachments and components are the store's). */
const asImported = (t: Topic) => {
  const { projectId: _p, attachments: _a, components: _c, ...rest } = t;
  return {
    ...rest,
    viewpoints: t.viewpoints.map((v) => ({
      ...v,
      ...(v.snapshotAttachmentId ? { snapshotAttachmentId: v.guid } : {}),
    })),
  };
};

describe('BCF 3.0 export and import', () => {
  it('our own export reads back without loss: fields, anchors, comments, viewpoints, snapshots', () => {
    // XML's own characters in text too (That Open does not decode entities, so the round trip through it avoids them)
    const mine = [{ ...topics[0]!, description: 'a <b> & "c" \'d\'\n第二行' }, topics[1]!];
    const r = importBcf(exportBcf(mine, snapshots));
    expect(r.version).toBe('3.0');
    expect(r.warnings).toEqual([]);
    const byId = new Map(r.topics.map((t) => [t.id, t]));
    for (const t of mine) expect(byId.get(t.id)).toEqual(asImported(t));
    expect(r.snapshots.map((s) => [s.topicId, s.id, s.mime, [...s.data]])).toEqual([
      [topics[0]!.id, VP.guid, 'image/png', [...PNG]],
    ]);
  });

  it('writes the BCF 3.0 structure (Topic/Comments/Comment, Topic/Viewpoints/ViewPoint, visinfo camera before clipping)', () => {
    const files = new Map<string, string>();
    for (const [k, v] of Object.entries(unzipSync(exportBcf(topics, snapshots)))) files.set(k, strFromU8(v));
    expect(parseXml(files.get('bcf.version')!).attrs.VersionId).toBe('3.0');
    const m = parseXml(files.get(`${topics[0]!.id}/markup.bcf`)!);
    const topic = m.children.find((c) => c.name === 'Topic')!;
    expect(topic.attrs).toMatchObject({ Guid: topics[0]!.id, TopicType: 'Safety', TopicStatus: 'InProgress' });
    expect(topic.children.map((c) => c.name)).toEqual([
      'ReferenceLinks',
      'Title',
      'Priority',
      'Labels',
      'CreationDate',
      'CreationAuthor',
      'ModifiedDate',
      'ModifiedAuthor',
      'DueDate',
      'AssignedTo',
      'Description',
      'Comments',
      'Viewpoints',
    ]);
    const vi = parseXml(files.get(`${topics[0]!.id}/${VP.guid}.bcfv`)!);
    expect(vi.children.map((c) => c.name)).toEqual(['Components', 'PerspectiveCamera', 'ClippingPlanes']);
    expect(vi.children[1]!.children.map((c) => c.name)).toEqual([
      'CameraViewPoint',
      'CameraDirection',
      'CameraUpVector',
      'FieldOfView',
      'AspectRatio',
    ]);
  });

  it('round-trips through That Open BCFTopics (load 3.0 -> export 3.0): topics, comments, viewpoints and GlobalIds equal', async () => {
    const components = new OBC.Components();
    const bcf = components.get(OBC.BCFTopics);
    bcf.setup({ version: '3' });
    const loaded = await bcf.load(exportBcf(topics, snapshots));
    expect(loaded.topics.map((t) => t.guid).sort()).toEqual(topics.map((t) => t.id).sort());
    const back = importBcf(new Uint8Array(await (await bcf.export()).arrayBuffer()));
    components.dispose();
    expect(back.version).toBe('3.0');
    const byId = new Map(back.topics.map((t) => [t.id, t]));
    // That Open 3.4.8 does not carry four things (and does not decode XML entities in text), so they are left out of the comparison (see the report of issue 16):
    // ReferenceLinks (our point / device anchors; element anchors survive as viewpoint selections), the camera up
    // vector (its export derives one from the direction), clipping planes (its export writes none) and visibility
    // exceptions (its export writes the selection there when includeSelectionTag is off).
    const comparable = (t: BcfImport['topics'][number]) => ({
      ...t,
      anchors: undefined,
      viewpoints: t.viewpoints.map(({ camera, exceptions: _e, clippingPlanes: _c, ...v }) => ({
        ...v,
        camera: camera && { ...camera, up: undefined },
      })),
    });
    for (const t of topics) {
      const got = byId.get(t.id)!;
      expect(got, t.title).toBeDefined();
      expect(comparable(got)).toEqual(comparable(asImported(t)));
      expect(componentsOfImported(got)).toEqual(componentsOfImported(asImported(t)));
    }
    expect(back.snapshots.map((s) => [s.id, [...s.data]])).toEqual([[VP.guid, [...PNG]]]);
  });

  it('refuses what is not BCF with a BcfError', () => {
    expect(() => importBcf(new Uint8Array([1, 2, 3]))).toThrow(BcfError);
    expect(() => importBcf(zipSync({ 'readme.txt': strToU8('hi') }))).toThrow(/no topic/);
    expect(() =>
      importBcf(
        zipSync({ 'bcf.version': strToU8('<Version VersionId="1.0"/>'), 'a/markup.bcf': strToU8('<Markup/>') }),
      ),
    ).toThrow(/not supported/);
    expect(() => importBcf(zipSync({ 'x/markup.bcf': strToU8('<!DOCTYPE x [<!ENTITY a "b">]><Markup/>') }))).toThrow(
      /DOCTYPE/,
    );
  });
});

// buildingSMART's BCF 2.0 test cases (../shared/bcf/testcases-2.0, CC BY-ND 4.0, © buildingSMART International Ltd.).
const SAMPLES = join(import.meta.dirname, '../../../../shared/bcf/testcases-2.0');
const haveSamples = existsSync(SAMPLES);
if (!haveSamples) console.warn(`bcf.test: ${SAMPLES} is absent, the public BCF sample imports are skipped`);
const sample = (p: string) => importBcf(new Uint8Array(readFileSync(join(SAMPLES, p))));

describe.skipIf(!haveSamples)('buildingSMART BCF 2.0 test cases import', () => {
  const all = haveSamples
    ? readdirSync(SAMPLES).flatMap((d) => readdirSync(join(SAMPLES, d)).map((f) => `${d}/${f}`))
    : [];

  it('imports every one of the 33 files without error or warning', () => {
    expect(all.length).toBe(33);
    for (const f of all) {
      const r = sample(f);
      expect(r.topics.length, f).toBeGreaterThan(0);
      expect(r.warnings, f).toEqual([]);
    }
  });

  it('reads markup: MaximumInformation, MultipleTopics, CommentsWithoutViewpoints, UserAssignment', () => {
    const max = sample('Markup/MaximumInformation.bcfzip').topics.find((t) => t.title === 'Maximum Content')!;
    expect(max).toMatchObject({
      priority: 'high',
      labels: ['Structural', 'IT Development'],
      creationAuthor: 'dangl@iabi.eu',
      assignee: { kind: 'user', userId: 'linhard@iabi.eu' },
    });
    expect(max.comments).toHaveLength(4);
    expect(max.comments.find((c) => c.viewpointGuid)?.viewpointGuid).toBe('8dc86298-9737-40b4-a448-98a9e953293a');
    expect(max.viewpoints).toHaveLength(3);
    expect(sample('Markup/MultipleTopics.bcfzip').topics).toHaveLength(3);
    expect(
      sample('Markup/CommentsWithoutViewpoints.bcfzip').topics[0]!.comments.map((c) => c.viewpointGuid ?? null),
    ).toEqual(['228cdc2d-18d2-402e-9e1a-a758e0b22ed5', null, null]);
    expect(sample('Markup/UserAssignment.bcfzip').topics[0]!.assignee?.kind).toBe('user');
  });

  it('reads visualisation: colouring, clipping plane, orthogonal camera, visibility, selection', () => {
    const col = sample('Visualization/ComponentColoring.bcfzip').topics[0]!.viewpoints[0]!;
    expect(col.coloring).toEqual([{ color: 'FF00FF00', ifcGuids: ['1mrgg_O_bBBv_tvdtVwK59'] }]);
    expect(col.camera).toMatchObject({
      kind: 'perspective',
      fov: 60,
      position: [3.905135757959649, -30.6305469360476, 23.152581791288874],
    });
    expect(sample('Visualization/Clippingplane.bcfzip').topics[0]!.viewpoints[0]!.clippingPlanes).toEqual([
      { location: [0, 0, 7.665119721718699], direction: [0, 0, 1] },
    ]);
    expect(sample('Visualization/OrthogonalCamera.bcfzip').topics[0]!.viewpoints[0]!.camera?.kind).toBe('orthogonal');
    const invisible = sample('Visualization/SingleInvisibleWall.bcfzip').topics[0]!.viewpoints[0]!;
    expect([invisible.defaultVisibility, invisible.exceptions]).toEqual([true, ['1E8YkwPMfB$h99jtn_uAjI']]);
    const visible = sample('Visualization/SingleVisibleWall.bcfzip').topics[0]!.viewpoints[0]!;
    expect([visible.defaultVisibility, visible.exceptions]).toEqual([false, ['3UVeROy_r0UP$XJczNVszE']]);
    expect(sample('Visualization/ComponentSelection.bcfzip').topics[0]!.viewpoints[0]!.selection).toHaveLength(3);
    const multi = sample('Visualization/MultipleViewpointsWithoutComments.bcfzip');
    expect([multi.topics[0]!.viewpoints.length, multi.snapshots.length]).toEqual([6, 6]);
  });
});
