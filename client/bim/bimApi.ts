import { api } from '../../models/api/index.js';
import { BimModel, type ElementPage, type ModelElement, type TreeNode } from '../../models/BimModel.js';
import { rest } from '../api/ApiClient.js';

/** The models of a project (any status). Items failing their schema are skipped, not fatal. */
export async function fetchProjectModels(projectId: string, signal?: AbortSignal): Promise<BimModel[]> {
  const body = await rest.raw(api.models.listOfProject, { params: { id: projectId }, ...(signal ? { signal } : {}) });
  if (!Array.isArray(body)) return [];
  return body.flatMap((m) => {
    const r = BimModel.safeParse(m);
    return r.success ? [r.data] : [];
  });
}

export async function fetchModel(modelId: string, signal?: AbortSignal): Promise<BimModel> {
  return rest.call(api.models.get, { params: { id: modelId }, ...(signal ? { signal } : {}), what: 'model' });
}

/** One element with its property sets, from the element index. */
export async function fetchElement(modelId: string, globalId: string, signal?: AbortSignal): Promise<ModelElement> {
  return rest.call(api.models.element, {
    params: { id: modelId, globalId },
    ...(signal ? { signal } : {}),
    what: 'element',
  });
}

/** Elements matching a filter (name/GlobalId search `q`, IFC class, storey), one page. */
export async function fetchElements(
  modelId: string,
  query: { q?: string; class?: string; storey?: string; limit?: number; offset?: number },
  signal?: AbortSignal,
): Promise<ElementPage> {
  return rest.call(api.models.elements, {
    params: { id: modelId },
    query,
    ...(signal ? { signal } : {}),
    what: 'element page',
  });
}

/** The spatial tree (project / site / building / storeys / spaces) with element counts. */
export async function fetchTree(modelId: string, signal?: AbortSignal): Promise<TreeNode | null> {
  return rest.call(api.models.tree, { params: { id: modelId }, ...(signal ? { signal } : {}), what: 'tree' });
}

/** The storeys of a tree, in file order (depth first). */
export function storeysOf(tree: TreeNode | null): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (n: TreeNode) => {
    if (n.ifcClass.toUpperCase() === 'IFCBUILDINGSTOREY') out.push(n);
    n.children.forEach(walk);
  };
  if (tree) walk(tree);
  return out;
}
