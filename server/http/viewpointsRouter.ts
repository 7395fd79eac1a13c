import { Router } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../models/errors.js';
import { WorkspaceViewpointCreate } from '../../models/WorkspaceViewpoint.js';
import type { AppContext } from '../context.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

const Id = z.string().uuid();

/**
 * BIM workspace viewpoints of a project: `GET/POST /projects/:id/viewpoints`, `DELETE /viewpoints/:id`. Access is
 * checked as reading / changing the project's models.
 */
export function viewpointsRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;
  const projectOr404 = async (raw: string) => {
    const p = Id.safeParse(raw);
    if (!p.success || !(await store.projects.get(p.data))) throw notFound('Project', raw);
    return p.data;
  };

  route(r, api.viewpoints.listOfProject, async (req, res) => {
    const projectId = await projectOr404(req.params.id);
    await access.require(req, 'read', { type: 'model', projectId });
    res.json(await store.viewpoints.list(projectId));
  });

  route(r, api.viewpoints.create, async (req, res) => {
    const projectId = await projectOr404(req.params.id);
    await access.require(req, 'create', { type: 'model', projectId });
    const body = parseOr400(WorkspaceViewpointCreate, req.body, 'viewpoint');
    const model = await store.models.get(body.modelId);
    if (!model || model.projectId !== projectId)
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Model ${body.modelId} is not a model of project ${projectId}`, {
        field: 'modelId',
      });
    res.status(201).json(await store.viewpoints.create(projectId, body));
  });

  route(r, api.viewpoints.delete, async (req, res) => {
    const id = Id.safeParse(req.params.id);
    const v = id.success ? await store.viewpoints.get(id.data) : null;
    if (!v) throw notFound('Viewpoint', req.params.id);
    await access.require(req, 'delete', { type: 'model', id: v.modelId, projectId: v.projectId });
    await store.viewpoints.delete(v.id);
    res.status(204).end();
  });

  return r;
}
