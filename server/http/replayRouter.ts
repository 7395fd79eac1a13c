import { Router } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../models/errors.js';
import { REPLAY_MAX_STEPS, REPLAY_MIN_STEP_MS, STATE_LOOKBACK_MS } from '../../models/Replay.js';
import type { AppContext } from '../context.js';
import { buildReplay, projectStateAt, ReplayTooLargeError } from '../replay/replay.js';
import { pathId } from './alarmsRouter.js';
import { AppError, notFound, parseOr400 } from '../errors.js';

const ms = z.coerce.number().int().min(0);
const lookback = z.coerce.number().int().min(1000).max(30 * 86_400_000).default(STATE_LOOKBACK_MS);

const StateAtQuery = z.object({ t: ms, lookbackMs: lookback }).strict();
const ReplayQuery = z
  .object({ from: ms, to: ms, stepMs: z.coerce.number().int().min(REPLAY_MIN_STEP_MS).default(1000), lookbackMs: lookback })
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => Math.ceil((q.to - q.from) / q.stepMs) + 1 <= REPLAY_MAX_STEPS, {
    message: `at most ${REPLAY_MAX_STEPS} steps: widen stepMs or narrow from/to`,
    path: ['stepMs'],
  });

/** Replay of a project's history: `GET /projects/:id/state-at?t=` and `GET /projects/:id/replay?from&to&stepMs`. */
export function replayRouter(ctx: AppContext): Router {
  const r = Router();
  const { store, access } = ctx;

  const project = async (raw: string | undefined) => {
    const id = pathId(raw, 'Project');
    if (!(await store.projects.get(id))) throw notFound('Project', id);
    return id;
  };

  r.get('/projects/:id/state-at', async (req, res) => {
    const q = parseOr400(StateAtQuery, req.query, 'state-at query');
    const id = await project(req.params.id);
    await access.require(req, 'read', { type: 'project', id, projectId: id });
    res.json(await projectStateAt(store, id, q.t, q.lookbackMs));
  });

  r.get('/projects/:id/replay', async (req, res) => {
    const q = parseOr400(ReplayQuery, req.query, 'replay query');
    const id = await project(req.params.id);
    await access.require(req, 'read', { type: 'project', id, projectId: id });
    try {
      res.json(await buildReplay(store, id, q.from, q.to, q.stepMs, q.lookbackMs));
    } catch (err) {
      if (err instanceof ReplayTooLargeError) throw new AppError(ErrorCode.RANGE_TOO_LARGE, err.message, { readings: err.readings });
      throw err;
    }
  });

  return r;
}
