import type { EnterpriseCreate } from '../../models/Enterprise.js';
import { rectangleAround } from '../../models/geo.js';
import type { ProjectCreate } from '../../models/Project.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';

/** A demo project: its enterprise by name, its site centre, and the size of its red line. */
interface DemoProject {
  name: string;
  enterprise: string;
  address: string;
  regionCode: string;
  lon: number;
  lat: number;
  widthM: number;
  depthM: number;
  headingDeg: number;
  heightM: number;
  status: ProjectCreate['status'];
}

/** The demo enterprises. Invented names in the style of Qingdao's builders; no real company is meant. */
export const DEMO_ENTERPRISES: EnterpriseCreate[] = [
  { name: '青岛海湾建设集团有限公司', role: 'contractor' },
  { name: '中建筑港第八工程局有限公司', role: 'contractor' },
  { name: '青岛城发置业有限公司', role: 'developer' },
  { name: '胶州湾工程监理咨询有限公司', role: 'supervisor' },
];

/** The demo city: Qingdao, one project in each of six districts, at real places on land. */
export const DEMO_PROJECTS: DemoProject[] = [
  {
    name: '浮山湾金融中心二期',
    enterprise: '青岛海湾建设集团有限公司',
    address: '山东省青岛市市南区香港中路 61 号',
    regionCode: '370202',
    lon: 120.4012,
    lat: 36.0675,
    widthM: 95,
    depthM: 70,
    headingDeg: 12,
    heightM: 180,
    status: 'under_construction',
  },
  {
    name: '崂山科创中心 A 区',
    enterprise: '中建筑港第八工程局有限公司',
    address: '山东省青岛市崂山区株洲路 187 号',
    regionCode: '370212',
    lon: 120.4682,
    lat: 36.1121,
    widthM: 160,
    depthM: 110,
    headingDeg: 0,
    heightM: 60,
    status: 'under_construction',
  },
  {
    name: '青岛北站东广场综合体',
    enterprise: '中建筑港第八工程局有限公司',
    address: '山东省青岛市李沧区静乐路 1 号',
    regionCode: '370213',
    lon: 120.3781,
    lat: 36.1715,
    widthM: 210,
    depthM: 120,
    headingDeg: -20,
    heightM: 45,
    status: 'under_construction',
  },
  {
    name: '西海岸新区人才公寓',
    enterprise: '青岛海湾建设集团有限公司',
    address: '山东省青岛市黄岛区滨海大道 3777 号',
    regionCode: '370211',
    lon: 120.2152,
    lat: 35.9655,
    widthM: 120,
    depthM: 60,
    headingDeg: 35,
    heightM: 99,
    status: 'under_construction',
  },
  {
    name: '市北区老城片区更新一期',
    enterprise: '青岛城发置业有限公司',
    address: '山东省青岛市市北区辽宁路 228 号',
    regionCode: '370203',
    lon: 120.3555,
    lat: 36.0812,
    widthM: 140,
    depthM: 90,
    headingDeg: 8,
    heightM: 54,
    status: 'planned',
  },
  {
    name: '城阳区轨道交通车辆段上盖',
    enterprise: '青岛城发置业有限公司',
    address: '山东省青岛市城阳区正阳中路 201 号',
    regionCode: '370214',
    lon: 120.3968,
    lat: 36.3068,
    widthM: 260,
    depthM: 150,
    headingDeg: 0,
    heightM: 36,
    status: 'suspended',
  },
];

/** Where the demo camera should look first (the middle of the demo projects). */
export const DEMO_CITY_CENTER = { lon: 120.38, lat: 36.13 };

/**
 * Seeds the demo city into a store that has never been seeded and has no projects. Idempotent: each enterprise and
 * project is looked up by name before it is created, and a done-marker stops later starts from adding anything.
 * Returns how many projects it created.
 */
export async function seedDemoCity(store: Store, log?: Logger): Promise<number> {
  if (await store.meta.get('demo_seeded')) return 0;
  const existing = await store.projects.list();
  if (existing.length > 0 && !existing.some((p) => DEMO_PROJECTS.some((d) => d.name === p.name))) {
    // A store with the operator's own projects: never mix demo data in.
    await store.meta.setOnce('demo_seeded', { at: Date.now(), skipped: 'store had projects' });
    return 0;
  }
  const enterpriseIds = new Map<string, string>();
  for (const e of DEMO_ENTERPRISES) {
    const found = (await store.enterprises.findByName(e.name)) ?? (await store.enterprises.create(e));
    enterpriseIds.set(e.name, found.id);
  }
  let created = 0;
  for (const d of DEMO_PROJECTS) {
    if (existing.some((p) => p.name === d.name)) continue;
    await store.projects.create({
      name: d.name,
      enterpriseId: enterpriseIds.get(d.enterprise)!,
      address: d.address,
      regionCode: d.regionCode,
      location: { lon: d.lon, lat: d.lat, height: 0 },
      footprint: rectangleAround(d, d.widthM, d.depthM, d.headingDeg),
      status: d.status,
      heightM: d.heightM,
    });
    created++;
  }
  await store.meta.setOnce('demo_seeded', { at: Date.now(), projects: DEMO_PROJECTS.length });
  log?.info({ created }, 'seeded the demo city');
  return created;
}
