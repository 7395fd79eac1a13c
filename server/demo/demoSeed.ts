import type { Logger } from '../log.js';
import { DEMO_PROJECTS } from './demoCity.js';
import type { Store } from '../store/Store.js';
import { demoBuildingFor } from './demoModels.js';
import type { ModelService } from '../ifc/ModelService.js';

/**
 * Gives every demo project that has no model yet a generated building, once per store. It only records the models and
 * queues them: generation and conversion run in the worker processes, so the server serves while they convert.
 * `only` limits it to some project names (tests).
 */
export async function seedDemoModels(
  store: Store,
  models: ModelService,
  log?: Logger,
  opts: { only?: string[] } = {},
): Promise<number> {
  if (await store.meta.get('demo_models_seeded')) return 0;
  let queued = 0;
  for (const d of DEMO_PROJECTS) {
    if (opts.only && !opts.only.includes(d.name)) continue;
    const project = (await store.projects.list({ q: d.name })).find((p) => p.name === d.name);
    if (!project) continue;
    if ((await store.models.listByProject(project.id)).length > 0) continue;
    await models.acceptGenerated(project.id, `${d.name}.ifc`, demoBuildingFor(d));
    queued++;
  }
  await store.meta.setOnce('demo_models_seeded', { at: Date.now(), queued });
  log?.info({ queued }, 'ifc: demo models queued');
  return queued;
}
