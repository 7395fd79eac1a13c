import type { SpatialTreeItem } from '@thatopen/fragments';

/** Every local id at or under a node of Fragments' spatial structure. */
export function descendantIds(node: SpatialTreeItem, out: number[] = []): number[] {
  if (node.localId !== null) out.push(node.localId);
  for (const c of node.children ?? []) descendantIds(c, out);
  return out;
}

/** The node with this local id, depth first. */
export function findNode(node: SpatialTreeItem, localId: number): SpatialTreeItem | null {
  if (node.localId === localId) return node;
  for (const c of node.children ?? []) {
    const f = findNode(c, localId);
    if (f) return f;
  }
  return null;
}

/** Groups parallel arrays (local id, category) into category -> ids, skipping items without a category. */
export function groupByCategory(ids: readonly number[], categories: readonly (string | null)[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  ids.forEach((id, i) => {
    const c = categories[i];
    if (!c) return;
    let list = out.get(c);
    if (!list) out.set(c, (list = []));
    list.push(id);
  });
  return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
}
