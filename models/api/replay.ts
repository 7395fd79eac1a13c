import { z } from 'zod';
import { ProjectReplay, ProjectStateAt, REPLAY_MAX_STEPS, REPLAY_MIN_STEP_MS, STATE_LOOKBACK_MS } from '../Replay.js';
import { endpoint } from './contract.js';

const ms = z.coerce.number().int().min(0);
const lookback = z.coerce
  .number()
  .int()
  .min(1000)
  .max(30 * 86_400_000)
  .default(STATE_LOOKBACK_MS);

export const StateAtQuery = z.object({ t: ms, lookbackMs: lookback }).strict();
export const ReplayQuery = z
  .object({
    from: ms,
    to: ms,
    stepMs: z.coerce.number().int().min(REPLAY_MIN_STEP_MS).default(1000),
    lookbackMs: lookback,
  })
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => Math.ceil((q.to - q.from) / q.stepMs) + 1 <= REPLAY_MAX_STEPS, {
    message: `at most ${REPLAY_MAX_STEPS} steps: widen stepMs or narrow from/to`,
    path: ['stepMs'],
  });

/** A project's history: its state at a time, and a replay (states every stepMs from..to). */
export const replay = {
  stateAt: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/state-at',
    summary: "A project's devices as they were at time t",
    query: StateAtQuery,
    response: ProjectStateAt,
  }),
  replay: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/replay',
    summary: "A project's states every stepMs from..to",
    query: ReplayQuery,
    response: ProjectReplay,
  }),
};
