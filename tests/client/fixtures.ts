import { randomUUID } from 'node:crypto';
import { rectangleAround } from '../../models/geo.js';
import type { Project } from '../../models/Project.js';

/** A valid Project as the API serves it, with overrides. */
export function makeProject(over: Partial<Project> = {}): Project {
  const lon = over.location?.lon ?? 120.4;
  const lat = over.location?.lat ?? 36.07;
  return {
    id: randomUUID(),
    name: '测试项目',
    enterpriseId: randomUUID(),
    enterpriseName: '测试建设集团有限公司',
    address: '山东省青岛市市南区',
    regionCode: '370202',
    location: { lon, lat, height: 0 },
    footprint: rectangleAround({ lon, lat }, 100, 60),
    status: 'under_construction',
    heightM: 50,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}
