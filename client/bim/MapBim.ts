import type { LiveServerMessage } from '../../models/protocol.js';
import type { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import type { MapView } from '../map/MapView.js';
import type { ProjectLayer } from '../map/ProjectLayer.js';
import type { ProjectStore } from '../state/ProjectStore.js';
import { h } from '../ui/dom.js';
import { BimLayer } from './BimLayer.js';
import { BimStatus } from './BimStatus.js';
import { ColourLegend } from './ColourLegend.js';
import { ConversionStatus } from './ConversionStatus.js';
import { ElementColouring } from './ElementColouring.js';
import { ElementPanel } from './ElementPanel.js';
import { ElementSelection, type ElementRef } from './ElementSelection.js';
import { PlacementNotice } from './PlacementNotice.js';
import { elementFromUrl, searchWithElement, workspaceUrl } from './elementLink.js';
import { t } from '../i18n/i18n.js';

/** What the map's BIM side tells tests, as `window.__siteTwinBim`. */
export interface MapBimProbe {
  models: number;
  modelIds: string[];
  /** Every loaded tileset has the tiles of the current view, and no project's model list is loading. */
  settled: boolean;
  selectedGlobalId: string | null;
  colouredTiles: number;
  frames: number;
  /** Canvas position (CSS px, relative to the canvas) of a point in a model's IFC world frame, or null. */
  canvasPositionOf(modelId: string, p: [number, number, number]): { x: number; y: number } | null;
  /** Shows or hides the footprints and the models (for empty-map comparisons); resolves after the next frame. */
  setLayers(l: { footprints?: boolean; models?: boolean }): Promise<void>;
  /** Requests a frame and resolves once it is rendered. */
  renderNow(): Promise<void>;
  flyToModel(modelId: string): boolean;
  lookDownAt(modelId: string, p: [number, number, number], rangeM: number): boolean;
  /** Where a loaded model's tileset frame (its root transform's origin, terrain lift included) stands, or null. */
  modelOrigin(modelId: string): { lon: number; lat: number; height: number } | null;
  /** Where a point of a model's IFC world frame (metres, Z up) is on the globe (to place devices in a building). */
  lonLatOf(modelId: string, p: readonly [number, number, number]): { lon: number; lat: number; height: number } | null;
  /** The camera's position (ECEF metres), to tell that nothing moved it. */
  cameraPosition(): [number, number, number];
  /** Page position (CSS px) of a model point, for clicking it. */
  pagePositionOf(modelId: string, p: [number, number, number]): { x: number; y: number } | null;
}

declare global {
  interface Window {
    __siteTwinBim: MapBimProbe;
  }
}

/**
 * The BIM side of the city map: the BimLayer, the shared element selection and colouring, the element panel, the
 * loading pill and the colour legend, wired together. Selecting an element (here or in a workspace tab) highlights it
 * with the colouring shader and shows its properties; Esc clears it.
 */
export class MapBim implements Tool {
  enabled = true;
  readonly selection = new ElementSelection();
  readonly colouring = new ElementColouring();
  readonly layer: BimLayer;
  private readonly panel: ElementPanel;
  private readonly openLink: HTMLAnchorElement;
  /** The element box when this made it (no dock given), removed on dispose. */
  private readonly ownBox: HTMLElement | null;
  private readonly status: BimStatus;
  private readonly legend: ColourLegend;
  private readonly placement: PlacementNotice;
  private readonly conversion: ConversionStatus;
  private readonly offs: (() => void)[] = [];
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.selection.element) this.selection.clear('map');
  };

  constructor(
    private readonly map: MapView,
    store: ProjectStore,
    overlay: HTMLElement,
    private readonly footprints: () => ProjectLayer | null,
    live?: { onMessage: Event<LiveServerMessage> },
    /** The docked layout's places: the element tab (panel, workspace link, notes) and the loading chip's spot. */
    dock: { detail?: HTMLElement; status?: HTMLElement } = {},
  ) {
    this.layer = new BimLayer(map, store, this.colouring);
    const box = dock.detail ?? h('div', { class: 'bim-detail' });
    if (!dock.detail) overlay.append(box);
    this.ownBox = dock.detail ? null : box;
    this.panel = new ElementPanel(box);
    this.openLink = h('a', {
      class: 'btn open-workspace',
      'data-testid': 'open-workspace',
      target: '_blank',
      hidden: true,
      text: t('bim.openWorkspace'),
    });
    box.append(this.openLink);
    // In the BIM corner, above the element panel: the map's other corners hold the alarms, the legend and the project.
    this.placement = new PlacementNotice(box, this.layer, store);
    this.conversion = new ConversionStatus(box, store);
    this.panel.onClose = () => this.selection.clear('map');
    this.status = new BimStatus(dock.status ?? overlay, this.layer);
    this.legend = new ColourLegend(overlay, this.colouring);
    this.offs.push(
      this.layer.onElementPicked.add((el) => {
        // A click on empty ground clears the element too; a click on a footprint leaves it to the project selection.
        if (el || this.selection.element) this.selection.select(el, 'map');
      }),
      this.selection.onChanged.add((c) => {
        this.colouring.highlight(c.element ? [c.element.globalId] : null);
        void this.panel.show(c.element);
        this.link(c.element);
        this.addOpenButton();
      }),
    );
    if (live) this.offs.push(live.onMessage.add((m) => this.onLive(m)));
    document.addEventListener('keydown', this.onKey);
    const frames = { n: 0 };
    this.offs.push(map.viewer.scene.postRender.addEventListener(() => frames.n++));
    const self = this;
    const renderNow = () =>
      new Promise<void>((resolve) => {
        const off = map.viewer.scene.postRender.addEventListener(() => (off(), resolve()));
        map.requestRender();
      });
    window.__siteTwinBim = {
      get models() {
        return self.layer.loaded.size;
      },
      get modelIds() {
        return [...self.layer.loaded.keys()];
      },
      get settled() {
        return self.layer.allSettled;
      },
      get selectedGlobalId() {
        return self.selection.element?.globalId ?? null;
      },
      get colouredTiles() {
        let n = 0;
        for (const m of self.layer.loaded.values()) n += m.colouring.colouredTiles();
        return n;
      },
      get frames() {
        return frames.n;
      },
      canvasPositionOf: (id, p) => this.layer.canvasPositionOf(id, p),
      setLayers: (l) => {
        const fp = this.footprints();
        if (fp && l.footprints !== undefined) fp.enabled = l.footprints;
        if (l.models !== undefined) this.layer.enabled = l.models;
        return renderNow();
      },
      renderNow: () => renderNow(),
      flyToModel: (id) => this.layer.flyToModel(id, 0),
      lookDownAt: (id, p, r) => this.layer.lookDownAt(id, p, r),
      modelOrigin: (id) => this.layer.originOf(id),
      lonLatOf: (id, p) => this.layer.lonLatOf(id, p),
      cameraPosition: () => {
        const c = map.viewer.camera.positionWC;
        return [c.x, c.y, c.z];
      },
      pagePositionOf: (id, p) => {
        const c = this.layer.canvasPositionOf(id, p);
        if (!c) return null;
        const r = map.viewer.scene.canvas.getBoundingClientRect();
        return { x: r.left + c.x, y: r.top + c.y };
      },
    };
  }

  /** The server's model pushes: a model appears when ready, moves when re-placed, goes when deleted. */
  private onLive(m: LiveServerMessage): void {
    if (m.type === 'model.updated') {
      this.conversion.model(m.model);
      this.layer.modelChanged(m.model);
    } else if (m.type === 'model.progress') this.conversion.progress(m.progress);
    else if (m.type === 'model.deleted') {
      this.conversion.deleted(m.modelId);
      this.layer.remove(m.modelId, m.projectId);
    }
  }

  /** Applies `?model=&element=` of the page URL once the layer can resolve it. */
  applyUrl(): void {
    const ref = elementFromUrl(location.pathname, location.search);
    if (ref.projectId && ref.modelId && ref.globalId)
      this.selection.select({ projectId: ref.projectId, modelId: ref.modelId, globalId: ref.globalId }, 'url');
  }

  private link(el: ElementRef | null): void {
    const search = searchWithElement(location.search, el);
    if (search !== location.search)
      history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  }

  /** "Open in BIM workspace" under the properties, for the selected element. */
  private addOpenButton(): void {
    const el = this.selection.element;
    this.openLink.hidden = !el;
    if (el) this.openLink.href = workspaceUrl(el.projectId, el.modelId, el.globalId);
  }

  dispose(): void {
    document.removeEventListener('keydown', this.onKey);
    for (const off of this.offs) off();
    this.legend.dispose();
    this.placement.dispose();
    this.conversion.dispose();
    this.status.dispose();
    this.panel.dispose();
    this.openLink.remove();
    this.ownBox?.remove();
    this.layer.dispose();
    this.colouring.dispose();
    this.selection.dispose();
  }
}
