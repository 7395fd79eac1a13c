import { Router } from 'express';
import { ErrorCode } from '../../models/errors.js';
import type { AppContext } from '../context.js';
import { buildReplay, projectStateAt, ReplayTooLargeError } from '../replay/replay.js';
import { pathId } from './alarmsRouter.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { api } from '../../models/api/index.js';
import { route } from './route.js';

/** Replay of a project's history: `GET /projects/:id/state-at?t=` and `GET /projects/:id/replay?from&to&stepMs`. */
export function replayRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;

  const project = async (raw: string | undefined) => {
    const id = pathId(raw, 'Project');
    if (!(await store.projects.get(id))) throw notFound('Project', id);
    return id;
  };

  route(r, api.replay.stateAt, async (req, res) => {
    const q = parseOr400(api.replay.stateAt.query, req.query, 'state-at query');
    const id = await project(req.params.id);
    await access.require(req, 'read', { type: 'project', id, projectId: id });
    res.json(await projectStateAt(store, id, q.t, q.lookbackMs));
  });

  route(r, api.replay.replay, async (req, res) => {
    const q = parseOr400(api.replay.replay.query, req.query, 'replay query');
    const id = await project(req.params.id);
    await access.require(req, 'read', { type: 'project', id, projectId: id });
    try {
      res.json(await buildReplay(store, id, q.from, q.to, q.stepMs, q.lookbackMs));
    } catch (err) {
      if (err instanceof ReplayTooLargeError)
        throw new AppError(ErrorCode.RANGE_TOO_LARGE, err.message, { readings: err.readings });
      throw err;
    }
  });

  return r;
}
