import type { FragmentsModel, SpatialTreeItem } from '@thatopen/fragments';
import type { TreeNode } from '../../models/BimModel.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { foldSection } from '../ui/FoldSection.js';
import { descendantIds, findNode, groupByCategory } from './spatial.js';
import { t, tOr } from '../i18n/i18n.js';

/** A group of elements the user can show, hide or isolate: a tree node, an IFC class or a storey. */
export interface ElementGroup {
  key: string;
  label: string;
  ids: number[];
}

/**
 * The left panel: the spatial tree (from the element index's `/tree`, names as the file has them) with a visibility
 * checkbox per node, and classification by IFC class and by storey with isolate / hide / show. Visibility goes through
 * Fragments' `setVisible`; the model's own spatial structure gives which items sit under each node.
 */
export class ModelBrowser implements Tool {
  enabled = true;
  /** Visibility changed (render, and viewpoints read the state). */
  readonly onVisibility = new Event<void>();
  readonly storeys: ElementGroup[] = [];
  readonly classes: ElementGroup[] = [];
  private readonly root: HTMLElement;
  private readonly nodeIds = new Map<string, number[]>();

  constructor(
    container: HTMLElement,
    private readonly model: FragmentsModel,
  ) {
    this.root = h('div', { class: 'model-browser', 'data-testid': 'model-browser' });
    container.append(this.root);
  }

  /** Builds the panel; the tree may be null when the index has none (the classes still work). */
  async build(tree: TreeNode | null): Promise<void> {
    const spatial = await this.model.getSpatialStructure();
    const gids: string[] = [];
    const walk = (n: TreeNode) => (n.globalId && gids.push(n.globalId), n.children.forEach(walk));
    if (tree) walk(tree);
    const localIds = gids.length ? await this.model.getLocalIdsByGuids(gids) : [];
    gids.forEach((gid, i) => {
      const lid = localIds[i];
      const node = lid === null || lid === undefined ? null : findNode(spatial, lid);
      if (node) this.nodeIds.set(gid, descendantIds(node));
    });
    const [ids, cats] = await Promise.all([
      this.model.getItemsIdsWithGeometry(),
      this.model.getItemsWithGeometryCategories(),
    ]);
    for (const [cls, list] of groupByCategory(ids, cats))
      this.classes.push({ key: cls, label: prettyClass(cls), ids: list });
    const storeyWalk = (n: TreeNode) => {
      if (n.ifcClass.toUpperCase() === 'IFCBUILDINGSTOREY' && n.globalId)
        this.storeys.push({ key: n.globalId, label: n.name ?? n.globalId, ids: this.nodeIds.get(n.globalId) ?? [] });
      n.children.forEach(storeyWalk);
    };
    if (tree) storeyWalk(tree);
    this.render(tree, spatial);
  }

  private render(tree: TreeNode | null, spatial: SpatialTreeItem): void {
    void spatial;
    const treeEl = h('ul', { class: 'tree', 'data-testid': 'spatial-tree', role: 'tree' });
    const node = (n: TreeNode): HTMLElement => {
      const ids = n.globalId ? (this.nodeIds.get(n.globalId) ?? []) : [];
      const box = h('input', {
        type: 'checkbox',
        checked: true,
        'aria-label': t('ws.showNode', { name: n.name ?? prettyClass(n.ifcClass) }),
        disabled: ids.length === 0,
      });
      box.addEventListener('change', () => void this.setVisible(ids, box.checked));
      const label = h('span', { class: 'tree-label', text: n.name ?? n.ifcClass });
      const li = h(
        'li',
        { role: 'treeitem', 'data-class': n.ifcClass, 'data-global-id': n.globalId ?? '' },
        h(
          'label',
          { class: 'tree-row' },
          box,
          label,
          h('small', { text: `${prettyClass(n.ifcClass)}${n.elementCount ? ` · ${n.elementCount}` : ''}` }),
        ),
      );
      if (n.children.length) li.append(h('ul', { role: 'group' }, ...n.children.map(node)));
      return li;
    };
    if (tree) treeEl.append(node(tree));
    this.root.replaceChildren(
      // Folding sections: a real model's tree alone is taller than the screen.
      foldSection('tree', t('ws.spatialTree'), tree ? treeEl : h('p', { class: 'dim', text: t('ws.noTree') })),
      foldSection('storeys', t('ws.byStorey'), this.groupList(this.storeys, 'storeys')),
      foldSection('classes', t('ws.byClass'), this.groupList(this.classes, 'classes')),
      this.showAllButton(),
    );
  }

  private groupList(groups: ElementGroup[], testId: string): HTMLElement {
    return h(
      'ul',
      { class: 'groups', 'data-testid': testId },
      ...groups.map((g) => {
        const btn = (text: string, title: string, fn: () => Promise<void>) => {
          const b = h('button', { class: 'mini', title, text, 'data-action': text.toLowerCase() });
          b.addEventListener('click', () => void fn());
          return b;
        };
        return h(
          'li',
          { 'data-key': g.key },
          h('span', { class: 'group-label', text: g.label, title: g.label }),
          h('small', { text: String(g.ids.length) }),
          btn(t('ws.isolate'), t('ws.isolateTitle'), () => this.isolate(g.ids)),
          btn(t('ws.hide'), t('ws.hideTitle'), () => this.setVisible(g.ids, false)),
          btn(t('ws.show'), t('ws.showTitle'), () => this.setVisible(g.ids, true)),
        );
      }),
    );
  }

  private showAllButton(): HTMLElement {
    const b = h('button', { class: 'btn', 'data-testid': 'show-all', text: t('ws.showAll') });
    b.addEventListener('click', () => void this.showAll());
    return b;
  }

  async setVisible(ids: number[], visible: boolean): Promise<void> {
    if (!ids.length) return;
    await this.model.setVisible(ids, visible);
    this.onVisibility.trigger();
  }

  async isolate(ids: number[]): Promise<void> {
    await this.model.setVisible(undefined, false);
    await this.model.setVisible(ids, true);
    this.onVisibility.trigger();
  }

  async showAll(): Promise<void> {
    await this.model.resetVisible();
    for (const box of this.root.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) box.checked = true;
    this.onVisibility.trigger();
  }

  dispose(): void {
    this.root.remove();
    this.onVisibility.reset();
  }
}

/** IFCWALLSTANDARDCASE -> IfcWallStandardCase is not recoverable from upper case; keep it readable: "IFCWALL" -> "Wall". */
export function prettyClass(cls: string): string {
  const bare = cls.replace(/^ifc/i, '');
  // Named in the catalogue ("楼层" / "Building storey"); otherwise the class as the schema spells it, never the
  // upper-case file form squashed into one word ("Buildingstorey").
  return tOr(
    `ifc.${bare.toUpperCase()}`,
    bare === bare.toUpperCase() ? bare.charAt(0) + bare.slice(1).toLowerCase() : bare,
  );
}
