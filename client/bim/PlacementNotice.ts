import type { BimModel } from '../../models/BimModel.js';
import type { Tool } from '../core/Tool.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { api } from '../../models/api/index.js';
import { rest } from '../api/ApiClient.js';
import { h } from '../ui/dom.js';
import type { BimLayer } from './BimLayer.js';
import { formatNumber, t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';

/** Whether a model's file put it far from its project and no person has placed it since. */
export function isFarFromProject(m: BimModel): boolean {
  return !!m.report?.farFromProject && m.georeference?.source !== 'manual';
}

/** "7,838 km" / "12.4 km", grouped per locale. */
export function formatDistance(m: number): string {
  const km = m / 1000;
  return km >= 100
    ? `${formatNumber(Math.round(km))} km`
    : `${formatNumber(km, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} km`;
}

/**
 * A notice on the map for each loaded model whose file places it far from its project (report.farFromProject: the
 * server found its georeference more than IFC_FAR_FROM_PROJECT_KM away, e.g. an exporter's default site in another
 * country), with one click to stand it at the project's location (PATCH of the model's georeference; the heading stays
 * the file's). A placed model's source is `manual`, which settles the notice.
 */
export class PlacementNotice implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;
  private shown = '';

  constructor(
    container: HTMLElement,
    private readonly layer: BimLayer,
    private readonly store: ProjectStore,
  ) {
    this.root = h('div', { class: 'placement-notice', 'data-testid': 'placement-notice', role: 'alert', hidden: true });
    // First in its container: above whatever else the container shows (the element panel, in the map's BIM corner).
    container.prepend(this.root);
    this.off = layer.onLoadState.add(() => this.render());
  }

  private render(): void {
    const far = [...this.layer.loaded.values()].map((l) => l.model).filter(isFarFromProject);
    const key = far.map((m) => `${m.id}:${m.updatedAt}`).join(',');
    if (key === this.shown) return;
    this.shown = key;
    this.root.hidden = !this.enabled || far.length === 0;
    this.root.replaceChildren(...far.map((m) => this.row(m)));
  }

  private row(m: BimModel): HTMLElement {
    const project = this.store.get(m.projectId);
    const far = m.report!.farFromProject!;
    const button = h('button', {
      class: 'btn small',
      'data-testid': 'place-at-project',
      text: t('bim.placeAtProject'),
      disabled: !project,
    });
    const status = h('span', { class: 'dim' });
    button.addEventListener('click', () => {
      if (!project) return;
      button.disabled = true;
      status.textContent = t('bim.placing');
      const { lon, lat, height } = project.location;
      rest
        .raw(api.models.update, { params: { id: m.id }, body: { georeference: { lon, lat, height } } })
        .then(() => this.layer.loadProject(m.projectId))
        .catch((err: Error) => {
          button.disabled = false;
          status.textContent = t('bim.notPlaced', { message: errorText(err) });
        });
    });
    return h(
      'div',
      { class: 'placement-row', 'data-model-id': m.id },
      h('span', {
        text: t('bim.farFromProject', {
          file: m.fileName,
          distance: formatDistance(far.distanceM),
          project: project ? project.name : t('bim.itsProject'),
          limit: formatDistance(far.limitM),
        }),
      }),
      button,
      status,
    );
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
