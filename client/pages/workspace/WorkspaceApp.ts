import type { FragmentsModel } from '@thatopen/fragments';
import * as THREE from 'three';
import type { BimModel } from '../../../models/BimModel.js';
import { fetchProjectModels, fetchTree, storeysOf } from '../../bim/bimApi.js';
import { ColourLegend } from '../../bim/ColourLegend.js';
import { ElementColouring } from '../../bim/ElementColouring.js';
import { ElementPanel } from '../../bim/ElementPanel.js';
import { ElementSelection, type ElementRef } from '../../bim/ElementSelection.js';
import { elementFromUrl, searchWithElement } from '../../bim/elementLink.js';
import { api } from '../../../models/api/index.js';
import { rest } from '../../api/ApiClient.js';
import { ToolRegistry } from '../../core/Tool.js';
import { h } from '../../ui/dom.js';
import { FragmentsColouring } from '../../workspace/FragmentsColouring.js';
import { MeasureTool } from '../../workspace/MeasureTool.js';
import { ModelBrowser } from '../../workspace/ModelBrowser.js';
import { SearchBox } from '../../workspace/SearchBox.js';
import { SectionTool } from '../../workspace/SectionTool.js';
import { Shortcuts } from '../../workspace/Shortcuts.js';
import { Viewer3D } from '../../workspace/Viewer3D.js';
import { ViewpointsPanel } from '../../workspace/ViewpointsPanel.js';
import { publishWorkspaceProbe } from '../../probes/workspaceProbe.js';
import { publishBenchProbe } from '../../probes/benchProbe.js';
import { t } from '../../i18n/i18n.js';
import { applyTopicViewpoint } from '../../topics/workspaceViewpoint.js';

/** The page's containers (the same index.html as the map: sidebar, main area, detail, toasts). */
export interface WorkspaceDom {
  sidebar: HTMLElement;
  main: HTMLElement;
  detail: HTMLElement;
  overlay: HTMLElement;
}

/**
 * The BIM workspace of one project (`/project/<id>?model=<id>&element=<GlobalId>`): the model's Fragments file in a
 * That Open viewer, the spatial tree and classifications, properties, sections, measurements, search, saved
 * viewpoints, and the element selection shared with the map (same page: the same state; other tabs: BroadcastChannel).
 */
export class WorkspaceApp {
  readonly tools = new ToolRegistry();
  readonly selection = new ElementSelection();
  readonly colouring = new ElementColouring();
  viewer!: Viewer3D;
  model: FragmentsModel | null = null;
  bimModel: BimModel | null = null;
  sections!: SectionTool;
  measure!: MeasureTool;
  browser!: ModelBrowser;
  fragmentsColouring: FragmentsColouring | null = null;
  readonly state = {
    ready: false,
    error: null as string | null,
    storeys: [] as string[],
    /** `?topic=<id>`: its viewpoint camera was applied, or the topic had none, or it failed. */
    topicViewpoint: 'none' as 'none' | 'applied' | 'no_camera' | 'failed',
  };

  constructor(private readonly dom: WorkspaceDom) {}

  async start(): Promise<void> {
    const { dom, tools } = this;
    const ref = elementFromUrl(location.pathname, location.search);
    publishWorkspaceProbe(this);
    if (!ref.projectId) return this.fail(t('ws.noProject'));
    const projectId = ref.projectId;
    const models = await fetchProjectModels(projectId);
    const ready = models.filter((m) => m.status === 'ready' && m.fragmentsUrl);
    const bim = ready.find((m) => m.id === ref.modelId) ?? ready[0];
    if (!bim) return this.fail(models.length ? t('ws.notConverted') : t('ws.noModel'));
    this.bimModel = bim;
    document.title = `Site Twin · ${bim.fileName}`;

    this.viewer = tools.add(new Viewer3D(dom.main));
    publishBenchProbe(this.viewer);
    tools.add(this.selection);
    tools.add(this.colouring);
    const res = await fetch(bim.fragmentsUrl!);
    if (!res.ok) return this.fail(t('ws.modelFileFailed', { status: String(res.status) }));
    const model = (this.model = await this.viewer.load(await res.arrayBuffer(), bim.id));
    await this.viewer.fit(model);

    const tree = await fetchTree(bim.id).catch(() => null);
    this.state.storeys = storeysOf(tree).map((s) => s.name ?? s.globalId ?? '');
    this.browser = tools.add(new ModelBrowser(dom.sidebar, model));
    await this.browser.build(tree);
    this.browser.onVisibility.add(() => void this.viewer.updateFragments());
    tools.add(new SearchBox(dom.sidebar, bim.id, (e) => this.select(e.globalId, 'workspace', true)));
    this.sections = tools.add(new SectionTool(this.viewer, () => this.model));
    this.measure = tools.add(new MeasureTool(this.viewer, dom.overlay));
    const panel = tools.add(new ElementPanel(dom.detail));
    panel.onClose = () => this.selection.clear('workspace');
    tools.add(new ColourLegend(dom.overlay, this.colouring));
    const vps = tools.add(
      new ViewpointsPanel(
        dom.sidebar,
        projectId,
        bim.id,
        this.viewer,
        model,
        this.sections,
        () => this.selection.element?.globalId ?? null,
      ),
    );
    void vps.load().catch(() => {});
    this.fragmentsColouring = new FragmentsColouring(model, () => this.viewer.requestRender());
    this.colouring.addTarget(this.fragmentsColouring);

    const follow = (element: ElementRef | null, source: string) => {
      // Only elements of this model concern this view; another model's selection clears ours.
      const mine = element && element.modelId === bim.id ? element : null;
      this.colouring.highlight(mine ? [mine.globalId] : null);
      void panel.show(mine);
      const search = searchWithElement(location.search, mine, { keepModel: true });
      if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}`);
      if (mine && (source === 'url' || source === 'remote')) void this.fitTo(mine.globalId);
    };
    this.selection.onChanged.add((c) => follow(c.element, c.source));
    // Another tab may have answered with its selection while the model was loading.
    if (this.selection.element && !ref.globalId) follow(this.selection.element, 'remote');
    this.wireMouse();
    this.toolbar();
    tools.add(
      new Shortcuts(dom.overlay, [
        { key: 'F', label: t('ws.key.fit'), run: () => void this.fitSelection() },
        { key: 'H', label: t('ws.key.hide'), run: () => void this.hideSelected() },
        { key: 'I', label: t('ws.key.isolate'), run: () => void this.isolateSelected() },
        {
          key: 'S',
          label: t('ws.key.section'),
          run: () => void this.sections.addVerticalThroughCentre(),
        },
        { key: 'M', label: t('ws.key.measure'), run: () => this.cycleMeasure() },
        { key: 'Escape', label: t('ws.key.escape'), run: () => this.escape() },
      ]),
    );
    if (ref.globalId) {
      // The map tab that opened this one answers the selection channel at once, with the same element: it was selected
      // while the model loaded, before `follow` listened, and selecting it again changes nothing. Show it either way.
      const already = this.selection.element;
      this.select(ref.globalId, 'url', true);
      if (already && this.selection.element === already) follow(already, 'url');
    }
    // A topic's link (its viewpoint: the camera of the notice or issue, saved on the map or here).
    const topicId = new URLSearchParams(location.search).get('topic');
    if (topicId)
      this.state.topicViewpoint = await applyTopicViewpoint(this.viewer, model, topicId)
        .then((ok) => (ok ? ('applied' as const) : ('no_camera' as const)))
        .catch((err: unknown) => (console.warn('workspace: topic viewpoint', err), 'failed' as const));
    this.state.ready = true;
    document.body.dataset.workspaceReady = '1';
  }

  /** Selects an element of this model by GlobalId. */
  select(globalId: string | null, source: 'workspace' | 'url', fit = false): void {
    const bim = this.bimModel;
    if (!bim) return;
    const ref: ElementRef | null = globalId ? { projectId: bim.projectId, modelId: bim.id, globalId } : null;
    this.selection.select(ref, source);
    if (fit && globalId && source === 'workspace') void this.fitTo(globalId);
  }

  async localIdOf(globalId: string): Promise<number | null> {
    const [id] = (await this.model?.getLocalIdsByGuids([globalId])) ?? [];
    return id ?? null;
  }

  async fitTo(globalId: string): Promise<void> {
    const id = await this.localIdOf(globalId);
    if (id !== null && this.model) await this.viewer.fit(this.model, [id]);
  }

  private async fitSelection(): Promise<void> {
    const gid = this.selection.element?.globalId;
    if (gid) await this.fitTo(gid);
    else if (this.model) await this.viewer.fit(this.model);
  }

  private async hideSelected(): Promise<void> {
    const gid = this.selection.element?.globalId;
    const id = gid ? await this.localIdOf(gid) : null;
    if (id !== null) await this.browser.setVisible([id], false);
  }

  private async isolateSelected(): Promise<void> {
    const gid = this.selection.element?.globalId;
    const id = gid ? await this.localIdOf(gid) : null;
    if (id !== null) await this.browser.isolate([id]);
  }

  private cycleMeasure(): void {
    this.measure.mode = this.measure.mode === 'off' ? 'length' : this.measure.mode === 'length' ? 'area' : 'off';
    document.querySelector('[data-testid="measure-mode"]')!.textContent = t('ws.measureMode', {
      mode: t(`ws.measure.${this.measure.mode}`),
    });
  }

  private escape(): void {
    if (this.measure.mode !== 'off') this.cycleMeasureTo('off');
    else this.selection.clear('workspace');
  }

  private cycleMeasureTo(m: 'off'): void {
    this.measure.mode = m;
    document.querySelector('[data-testid="measure-mode"]')!.textContent = t('ws.measureMode', {
      mode: t('ws.measure.off'),
    });
  }

  /** Click selects (or adds a measure point), double-click focuses. A drag (orbit/pan) is not a click. */
  private wireMouse(): void {
    const canvas = this.viewer.world.renderer!.three.domElement;
    let down: { x: number; y: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => (down = { x: e.clientX, y: e.clientY }));
    canvas.addEventListener('pointerup', (e) => {
      if (!down || e.button !== 0 || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4) return;
      void this.onClick(e.clientX, e.clientY);
    });
    canvas.addEventListener('dblclick', (e) => {
      if (this.measure.mode === 'area') return this.measure.closeArea();
      void this.viewer.pick(e.clientX, e.clientY).then(async (hit) => {
        if (!hit || !this.model) return;
        await this.viewer.fit(this.model, [hit.localId]);
      });
    });
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.measure.closeArea();
    });
  }

  private async onClick(x: number, y: number): Promise<void> {
    if (await this.measure.click(x, y)) return;
    const hit = await this.viewer.pick(x, y);
    if (!hit) return this.select(null, 'workspace');
    const [gid] = await hit.model.getGuidsByLocalIds([hit.localId]);
    this.select(gid ?? null, 'workspace');
  }

  private toolbar(): void {
    const b = (text: string, testId: string, fn: () => void) => {
      const el = h('button', { class: 'tb-btn', 'data-testid': testId, text });
      el.addEventListener('click', fn);
      return el;
    };
    const bar = h(
      'div',
      { class: 'ws-toolbar', role: 'toolbar', 'aria-label': t('ws.tools') },
      b(t('ws.fit'), 'tb-fit', () => void this.fitSelection()),
      b(t('ws.section'), 'tb-section', () => void this.sections.addVerticalThroughCentre()),
      b(t('ws.planCut'), 'tb-plan', () => void this.planCut()),
      b(t('ws.clearSections'), 'tb-clear-sections', () => this.sections.clear()),
      b(t('ws.measureMode', { mode: t('ws.measure.off') }), 'measure-mode', () => this.cycleMeasure()),
      b(t('ws.clearMeasures'), 'tb-clear-measures', () => this.measure.clear()),
      b('?', 'tb-help', () => this.tools.get(Shortcuts).toggleHelp()),
    );
    this.dom.overlay.append(bar);
  }

  /** A horizontal plan cut a third of the way up the model (the index has no storey elevations to aim at). */
  private async planCut(): Promise<void> {
    const m = this.model;
    if (!m) return;
    const box = m.box;
    await this.sections.addHorizontal(box.min.y + (box.max.y - box.min.y) / 3);
  }

  /** Canvas position (CSS px, relative to the canvas) of an element's box centre, or null. */
  async screenOf(globalId: string): Promise<{ x: number; y: number } | null> {
    const id = await this.localIdOf(globalId);
    if (id === null || !this.model) return null;
    const c = (await this.model.getMergedBox([id])).getCenter(new THREE.Vector3());
    c.project(this.viewer.world.camera.three);
    const canvas = this.viewer.world.renderer!.three.domElement;
    if (c.z > 1) return null;
    return { x: ((c.x + 1) / 2) * canvas.clientWidth, y: ((1 - c.y) / 2) * canvas.clientHeight };
  }

  private fail(message: string): void {
    this.state.error = message;
    this.dom.main.append(
      h(
        'div',
        { class: 'state error ws-error', 'data-testid': 'workspace-error' },
        h('strong', { text: t('ws.unavailable') }),
        h('p', { text: message }),
      ),
    );
    document.body.dataset.workspaceReady = 'error';
  }

  /** For a quick link back: the project's JSON (name) for the header. */
  static async projectName(id: string): Promise<string | null> {
    const p = (await rest.raw(api.projects.get, { params: { id } }).catch(() => null)) as { name?: string } | null;
    return p?.name ?? null;
  }
}
