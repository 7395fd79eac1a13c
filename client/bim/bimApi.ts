import { z } from 'zod';
import { BimModel, ModelElement, TreeNode, type ElementPage } from '../../models/BimModel.js';
import { getJson, parseAnswer } from '../api/ApiError.js';

/** The models of a project (any status). Items failing their schema are skipped, not fatal. */
export async function fetchProjectModels(projectId: string, signal?: AbortSignal): Promise<BimModel[]> {
  const body = await getJson(`/api/v1/projects/${encodeURIComponent(projectId)}/models`, signal);
  if (!Array.isArray(body)) return [];
  return body.flatMap((m) => {
    const r = BimModel.safeParse(m);
    return r.success ? [r.data] : [];
  });
}

export async function fetchModel(modelId: string, signal?: AbortSignal): Promise<BimModel> {
  return parseAnswer(BimModel, await getJson(`/api/v1/models/${encodeURIComponent(modelId)}`, signal), 'model');
}

/** One element with its property sets, from the element index. */
export async function fetchElement(modelId: string, globalId: string, signal?: AbortSignal): Promise<ModelElement> {
  return parseAnswer(ModelElement, await getJson(`/api/v1/models/${encodeURIComponent(modelId)}/elements/${encodeURIComponent(globalId)}`, signal), 'element');
}

const Page = z.object({ total: z.number().int(), items: z.array(ModelElement) });

/** Elements matching a filter (name/GlobalId search `q`, IFC class, storey), one page. */
export async function fetchElements(modelId: string, query: { q?: string; class?: string; storey?: string; limit?: number; offset?: number }, signal?: AbortSignal): Promise<ElementPage> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  return parseAnswer(Page, await getJson(`/api/v1/models/${encodeURIComponent(modelId)}/elements?${params}`, signal), 'element page');
}

/** The spatial tree (project / site / building / storeys / spaces) with element counts. */
export async function fetchTree(modelId: string, signal?: AbortSignal): Promise<TreeNode | null> {
  return parseAnswer(TreeNode.nullable(), await getJson(`/api/v1/models/${encodeURIComponent(modelId)}/tree`, signal), 'tree');
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
