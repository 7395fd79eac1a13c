import { z } from 'zod';
import { WorkspaceViewpoint, WorkspaceViewpointCreate } from '../WorkspaceViewpoint.js';
import { endpoint } from './contract.js';

/** BIM workspace viewpoints of a project. */
export const viewpoints = {
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/viewpoints',
    summary: "A project's saved BIM viewpoints",
    response: z.array(WorkspaceViewpoint),
  }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/viewpoints',
    summary: 'Save a BIM viewpoint',
    body: WorkspaceViewpointCreate,
    response: WorkspaceViewpoint,
    status: [201],
  }),
  delete: endpoint({ method: 'delete', path: '/api/v1/viewpoints/:id', summary: 'Delete a viewpoint', status: [204] }),
};
