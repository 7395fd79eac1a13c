import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import { WorkspaceViewpoint, type WorkspaceViewpointInput } from '../../models/WorkspaceViewpoint.js';
import { api } from '../../models/api/index.js';
import { rest } from '../api/ApiClient.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { foldSection } from '../ui/FoldSection.js';
import type { SectionTool } from './SectionTool.js';
import type { Viewer3D } from './Viewer3D.js';
import { t } from '../i18n/i18n.js';

/**
 * Saved viewpoints of the project (camera, section planes, hidden elements) on the server: save the current view under
 * a name, restore one with a click. Restoring re-creates the section planes and the visibility exactly.
 */
export class ViewpointsPanel implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly list: HTMLElement;

  constructor(
    container: HTMLElement,
    private readonly projectId: string,
    private readonly modelId: string,
    private readonly viewer: Viewer3D,
    private readonly model: FragmentsModel,
    private readonly sections: SectionTool,
    private readonly selectedGlobalId: () => string | null,
  ) {
    const name = h('input', {
      type: 'text',
      placeholder: t('ws.vpName'),
      'aria-label': t('ws.vpName'),
      'data-testid': 'viewpoint-name',
    });
    const save = h('button', { class: 'btn', 'data-testid': 'viewpoint-save', text: t('ws.vpSave') });
    save.addEventListener(
      'click',
      () =>
        void this.save(name.value.trim() || `View ${new Date().toLocaleTimeString()}`).then(() => (name.value = '')),
    );
    this.list = h('ul', { class: 'groups', 'data-testid': 'viewpoints' });
    this.root = h(
      'div',
      { class: 'viewpoints' },
      foldSection('viewpoints', t('ws.vpTitle'), h('div', { class: 'row-inline' }, name, save), this.list),
    );
    container.append(this.root);
  }

  async load(): Promise<WorkspaceViewpoint[]> {
    const body = await rest.raw(api.viewpoints.listOfProject, { params: { id: this.projectId } });
    const items = (Array.isArray(body) ? body : []).flatMap((v) => {
      const r = WorkspaceViewpoint.safeParse(v);
      return r.success && r.data.modelId === this.modelId ? [r.data] : [];
    });
    this.render(items);
    return items;
  }

  /** Saves the current view. */
  async save(name: string): Promise<WorkspaceViewpoint> {
    const c = this.viewer.world.camera.controls;
    const pos = c.getPosition(new THREE.Vector3());
    const target = c.getTarget(new THREE.Vector3());
    const gid = this.selectedGlobalId();
    const input: WorkspaceViewpointInput = {
      name,
      modelId: this.modelId,
      camera: { position: pos.toArray(), target: target.toArray() },
      sections: this.sections.list,
      hiddenLocalIds: await this.model.getItemsByVisibility(false),
      ...(gid ? { elementGlobalId: gid } : {}),
    };
    const saved = await rest.call(api.viewpoints.create, {
      params: { id: this.projectId },
      body: input,
      what: 'viewpoint',
    });
    await this.load();
    return saved;
  }

  /** Restores a saved view: camera, sections, visibility. */
  async restore(v: WorkspaceViewpoint): Promise<void> {
    this.sections.clear();
    for (const s of v.sections) await this.sections.add(s);
    await this.model.resetVisible();
    if (v.hiddenLocalIds.length) await this.model.setVisible(v.hiddenLocalIds, false);
    await this.viewer.world.camera.controls.setLookAt(...v.camera.position, ...v.camera.target, false);
    await this.viewer.updateFragments();
  }

  private render(items: WorkspaceViewpoint[]): void {
    this.list.replaceChildren(
      ...items.map((v) => {
        const go = h('button', { class: 'mini', text: t('ws.vpGo'), 'data-action': 'restore' });
        go.addEventListener('click', () => void this.restore(v));
        return h(
          'li',
          { 'data-viewpoint-id': v.id },
          h('span', { class: 'group-label', text: v.name, title: v.name }),
          h('small', { text: t('ws.vpSummary', { sections: v.sections.length, hidden: v.hiddenLocalIds.length }) }),
          go,
        );
      }),
      ...(items.length ? [] : [h('li', { class: 'dim', text: t('ws.vpNone') })]),
    );
  }

  dispose(): void {
    this.root.remove();
  }
}
