import { z } from 'zod';
import { Project, ProjectCreate, ProjectPatch } from '../Project.js';
import { endpoint } from './contract.js';
import { FeatureCollection } from './shared.js';

/** `?q=` (name search) and `?bbox=minLon,minLat,maxLon,maxLat`, checked by the router (parseProjectQuery). */
export const ProjectListQuery = z.object({ q: z.string().max(200).optional(), bbox: z.string().optional() });

export const projects = {
  list: endpoint({
    method: 'get',
    path: '/api/v1/projects',
    summary: 'Projects the requester may read',
    query: ProjectListQuery,
    response: z.array(Project),
  }),
  geojson: endpoint({
    method: 'get',
    path: '/api/v1/projects.geojson',
    summary: 'Projects as a GeoJSON FeatureCollection',
    query: ProjectListQuery,
    response: FeatureCollection,
    produces: 'application/geo+json',
  }),
  get: endpoint({ method: 'get', path: '/api/v1/projects/:id', summary: 'One project', response: Project }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/projects',
    summary: 'Create a project',
    body: ProjectCreate,
    response: Project,
    status: [201],
  }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/projects/:id',
    summary: 'Change a project',
    body: ProjectPatch,
    response: Project,
  }),
  delete: endpoint({ method: 'delete', path: '/api/v1/projects/:id', summary: 'Delete a project', status: [204] }),
};
