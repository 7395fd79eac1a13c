import { api } from '../../models/api/index.js';
import { rest } from '../api/ApiClient.js';
import { Viewer3D } from './Viewer3D.js';
import { publishBenchProbe } from '../probes/benchProbe.js';

/**
 * The bench baseline (`/project/<id>?model=<id>&baseline=1`): @thatopen/components loading the same Fragments file
 * alone on an empty scene, with none of the workspace (no panels, tree, colouring, index requests). Same renderer
 * settings as the workspace so the ratio measures what the workspace adds.
 */
export async function bootFragmentsBaseline(container: HTMLElement): Promise<void> {
  const modelId = new URLSearchParams(location.search).get('model');
  if (!modelId) throw new Error('baseline needs ?model=<id>');
  const viewer = new Viewer3D(container);
  publishBenchProbe(viewer);
  const res = await fetch(rest.url(api.models.fragments, { id: modelId }));
  const model = await viewer.load(await res.arrayBuffer(), modelId);
  await viewer.fit(model);
  document.body.dataset.workspaceReady = '1';
}
