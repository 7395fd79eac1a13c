import {
  BoundingSphere,
  CallbackProperty,
  Cartesian2,
  Cartesian3,
  Color,
  ColorMaterialProperty,
  ConstantProperty,
  CustomDataSource,
  DistanceDisplayCondition,
  Entity,
  HorizontalOrigin,
  LabelStyle,
  NearFarScalar,
  PolygonHierarchy,
  SceneTransforms,
  VerticalOrigin,
} from 'cesium';
import type { Project } from '../../models/Project.js';
import { ringCentroid } from '../../models/geo.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { STATUS_STYLE } from '../state/projectStatus.js';
import type { ProjectStore, ProjectStoreChange } from '../state/ProjectStore.js';
import type { SelectionState } from '../state/SelectionState.js';
import type { MapView } from './MapView.js';
import type { LabelItem, LabelSource } from './LabelPlacer.js';
import { truncateLabel } from './labelPlacement.js';
import { PulseFrames } from './PulseFrames.js';
import { PIN_LABEL_DY, PIN_NEAR_M, pulseExtentPx, pulsePoint } from './alarmPulse.js';
import { PIN_SIDES, type LabelSide } from './labelPlacement.js';
import { SIDE_STYLE } from './labelSides.js';

const LABEL_PX = 15;
const labelFont = (px: number) =>
  `600 ${px}px "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif`;
/** Labels shrink a little with distance on a desk screen; a scaled wall keeps its text at its size. */
const LABEL_SCALE_BY_DISTANCE = new NearFarScalar(1_500, 1, 80_000, 0.75);
const SELECTED_OUTLINE = Color.WHITE;
const LABEL_BG = Color.fromCssColorString('#0d1422').withAlpha(0.82);
const LABEL_BG_SELECTED = Color.fromCssColorString('#1f6feb').withAlpha(0.92);
/** Longer names are cut with an ellipsis on the map; the full name shows on hover. */
export const LABEL_MAX_CHARS = 12;
/** Placement priority: a project with an open alarm first, then by status (the selected one above all). */
const STATUS_PRIORITY: Record<Project['status'], number> = {
  under_construction: 40,
  suspended: 30,
  planned: 20,
  completed: 10,
};
const ALARM_PRIORITY = 100;
const PULSE_PERIOD_MS = 1600;

/** Positions of a GeoJSON ring without its closing vertex, on the ellipsoid. */
function ringPositions(ring: readonly (readonly number[])[]): Cartesian3[] {
  const flat: number[] = [];
  for (let i = 0; i + 1 < ring.length; i++) flat.push(ring[i]![0]!, ring[i]![1]!);
  return Cartesian3.fromDegreesArray(flat);
}

/**
 * Every project as an extruded footprint (height = `heightM`), coloured by status, with a name label and a pin that
 * keeps far-away sites visible. Draws from the ProjectStore and follows the selection (highlight); clicking a
 * footprint selects it.
 */
export class ProjectLayer implements Tool, LabelSource {
  /** A footprint was clicked (the app selects it). */
  readonly onPicked = new Event<{ projectId: string | null }>();

  readonly dataSource = new CustomDataSource('projects');
  /** Pulsing rings under the pins of projects with open alarms. */
  readonly pulses = new CustomDataSource('project-alarm-pulses');
  private readonly alarmed = new Set<string>();
  private readonly clusterOf = new Map<string, number>();
  /** The pulses' frames: four a second, at most a quarter of the renderer's time (a 4K wall on software WebGL). */
  private readonly pulseFrames: PulseFrames;
  /** Called when labels changed (the LabelPlacer places again). */
  onLabelsChanged: () => void = () => {};
  private readonly offs: (() => void)[] = [];
  private _enabled = true;
  private _textScale = 1;

  constructor(
    private readonly map: MapView,
    private readonly store: ProjectStore,
    private readonly selection: SelectionState,
  ) {
    void map.viewer.dataSources.add(this.dataSource);
    void map.viewer.dataSources.add(this.pulses);
    this.pulseFrames = new PulseFrames(map.viewer.scene, 250);
    this.offs.push(
      // Render-on-demand: a pulse needs frames; after each one drawn, the next (while a pulse shows).
      map.viewer.scene.postRender.addEventListener(() => {
        if (this.alarmed.size && this._enabled) this.pulseFrames.request();
      }),
      store.onChanged.add((c) => this.sync(c)),
      selection.onChanged.add((c) => {
        for (const id of [c.previous, c.id]) if (id) this.style(id);
        map.requestRender();
      }),
      map.onClick.add(({ picked }) => this.onPicked.trigger({ projectId: this.projectIdOf(picked) })),
      map.onHover.add(({ picked }) => {
        const id = this.projectIdOf(picked);
        map.viewer.canvas.style.cursor = id ? 'pointer' : '';
        // The full name of a label cut on the map, and of a clustered crowd's members.
        const p = id ? this.store.get(id) : undefined;
        const members = id ? (this.lastClusters.get(id) ?? []) : [];
        map.viewer.canvas.title = p ? [p.name, ...members.map((m) => this.store.get(m)?.name ?? m)].join('\n') : '';
      }),
    );
    this.sync({ kind: 'reset' });
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    this.dataSource.show = v;
    this.pulses.show = v;
    this.onLabelsChanged();
    this.map.requestRender();
  }

  /**
   * Size of labels and pins (1 on a desk screen). The wall sets it from its own scale so that its map's text reads
   * like the rest of the wall from across the room; labels then keep their size at every distance.
   */
  get textScale(): number {
    return this._textScale;
  }
  set textScale(s: number) {
    if (s === this._textScale) return;
    this._textScale = s;
    for (const e of this.dataSource.entities.values) {
      this.sizeLabel(e);
      this.style(e.id);
    }
    this.onLabelsChanged();
    this.map.requestRender();
  }

  private get labelPx(): number {
    return Math.round(LABEL_PX * this._textScale);
  }

  private sizeLabel(e: Entity): void {
    const s = this._textScale;
    const l = e.label!;
    l.font = new ConstantProperty(labelFont(this.labelPx));
    l.backgroundPadding = new ConstantProperty(new Cartesian2(8 * s, 5 * s));
    this.standLabel(e, this.labelSide.get(e.id) ?? 'above');
    l.scaleByDistance = s === 1 ? new ConstantProperty(LABEL_SCALE_BY_DISTANCE) : undefined;
  }

  /** Puts a project's name on `side` of its pin, as the placer measured it (the gap: PIN_LABEL_DY at this scale). */
  private standLabel(e: Entity, side: LabelSide): void {
    const l = e.label!;
    const gap = PIN_LABEL_DY * this._textScale;
    const st = SIDE_STYLE[side];
    if (side === 'above') this.labelSide.delete(e.id);
    else this.labelSide.set(e.id, side);
    l.horizontalOrigin = new ConstantProperty(st.h);
    l.verticalOrigin = new ConstantProperty(st.v);
    l.pixelOffset = new ConstantProperty(new Cartesian2(st.dx * gap, st.dy * gap));
  }

  /** The project id of a pick result, if it is one of ours. */
  projectIdOf(picked: unknown): string | null {
    const id = (picked as { id?: unknown } | undefined)?.id;
    return id instanceof Entity && this.dataSource.entities.contains(id) ? id.id : null;
  }

  /**
   * Projects whose geometry is built and shown. Cesium builds extruded polygons in workers, so an entity counts only
   * once the data source display reports its batches ready.
   */
  drawnCount(): number {
    if (!this.dataSource.show || !this.map.entitiesReady) return 0;
    return this.dataSource.entities.values.length;
  }

  /**
   * Where a project's footprint (centroid, half-way up) is on the page, in CSS pixels, or null when off screen or
   * behind the globe. For tests that click the map and for tooltips.
   */
  pagePositionOf(id: string): { x: number; y: number } | null {
    const p = this.store.get(id);
    if (!p) return null;
    const c = ringCentroid(p.footprint);
    const scene = this.map.viewer.scene;
    const w = SceneTransforms.worldToWindowCoordinates(scene, Cartesian3.fromDegrees(c.lon, c.lat, p.heightM / 2));
    if (!w) return null;
    const r = scene.canvas.getBoundingClientRect();
    if (w.x < 0 || w.y < 0 || w.x > r.width || w.y > r.height) return null;
    return { x: r.left + w.x, y: r.top + w.y };
  }

  /** Flies to a tilted view of one site. */
  flyTo(id: string, durationS = 2): boolean {
    const p = this.store.get(id);
    if (!p) return false;
    const ring = p.footprint.coordinates[0]!;
    const flat: number[] = [];
    for (const [lon, lat] of ring) flat.push(lon!, lat!, 0, lon!, lat!, p.heightM);
    const sphere = BoundingSphere.fromPoints(Cartesian3.fromDegreesArrayHeights(flat));
    // Far enough back to see the site's surroundings, tilted so the extrusion reads as a building, and steep enough
    // that the top edge stays on nearby ground (-28 grazed the horizon: a strip of squashed, cut names under the top
    // bar at 1080p; a portrait screen's 60 degree field of view needs a pitch below -35).
    this.map.flyToSphere(
      sphere,
      { headingDeg: 25, pitchDeg: -37, rangeM: Math.max(sphere.radius * 5, 600) },
      durationS,
    );
    return true;
  }

  /** Flies to fit every project (the home view); the default city view when there are none. */
  flyToAll(durationS = 2): void {
    const list = this.store.list();
    if (list.length === 0) return this.map.flyToDefault(durationS);
    const sphere = BoundingSphere.fromPoints(
      list.map((p) => Cartesian3.fromDegrees(p.location.lon, p.location.lat, 0)),
    );
    this.map.flyToSphere(
      sphere,
      { headingDeg: 0, pitchDeg: -45, rangeM: Math.max(sphere.radius * 2.5, 4000) },
      durationS,
    );
  }

  private sync(c: ProjectStoreChange): void {
    const entities = this.dataSource.entities;
    entities.suspendEvents();
    try {
      if (c.kind === 'reset') {
        for (const e of [...entities.values])
          if (!this.store.get(e.id)) {
            entities.remove(e);
            this.labelSide.delete(e.id);
          }
        for (const p of this.store.list()) this.upsert(p);
      } else if (c.kind === 'delete') {
        entities.removeById(c.id);
        this.labelSide.delete(c.id);
      } else {
        const p = this.store.get(c.id);
        if (p) this.upsert(p);
      }
    } finally {
      entities.resumeEvents();
    }
    this.map.requestRender();
  }

  private upsert(p: Project): void {
    const [outer, ...holes] = p.footprint.coordinates;
    const hierarchy = new PolygonHierarchy(
      ringPositions(outer!),
      holes.map((h) => new PolygonHierarchy(ringPositions(h))),
    );
    const c = ringCentroid(p.footprint);
    const top = Cartesian3.fromDegrees(c.lon, c.lat, p.heightM + 8);
    let e = this.dataSource.entities.getById(p.id);
    if (!e) {
      e = this.dataSource.entities.add({
        id: p.id,
        polygon: { height: 0, outline: true, outlineWidth: 1 },
        label: {
          fillColor: Color.WHITE,
          outlineColor: Color.BLACK,
          outlineWidth: 3,
          style: LabelStyle.FILL_AND_OUTLINE,
          showBackground: true,
          verticalOrigin: VerticalOrigin.BOTTOM,
          horizontalOrigin: HorizontalOrigin.CENTER,
          // Labels stay readable over the footprints (font, padding, offset and scale: sizeLabel).
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        },
        point: {
          pixelSize: 11,
          outlineColor: Color.fromCssColorString('#05080f'),
          outlineWidth: 2,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
          // Far away a site is a few pixels; the pin marks it. Close up the building itself does.
          distanceDisplayCondition: new DistanceDisplayCondition(PIN_NEAR_M, Number.POSITIVE_INFINITY),
        },
      });
      this.sizeLabel(e);
    }
    e.name = p.name;
    e.position = new ConstantProperty(top) as never;
    e.polygon!.hierarchy = new ConstantProperty(hierarchy);
    e.polygon!.extrudedHeight = new ConstantProperty(p.heightM);
    e.label!.text = new ConstantProperty(this.labelText(p.id));
    this.style(p.id);
    this.onLabelsChanged();
  }

  private labelText(id: string): string {
    const p = this.store.get(id);
    const n = this.clusterOf.get(id) ?? 0;
    const name = truncateLabel(p?.name ?? id, LABEL_MAX_CHARS);
    return n ? `${name} +${n}` : name;
  }

  /** Projects with open alarms: their pins pulse and their labels win placement. */
  setAlarmed(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (next.size === this.alarmed.size && [...next].every((id) => this.alarmed.has(id))) return;
    this.alarmed.clear();
    for (const id of next) this.alarmed.add(id);
    const ents = this.pulses.entities;
    ents.suspendEvents();
    ents.removeAll();
    const color = Color.fromCssColorString('#ff3b30');
    for (const id of this.alarmed) {
      const p = this.store.get(id);
      if (!p) continue;
      const c = ringCentroid(p.footprint);
      const phase = () => (Date.now() % PULSE_PERIOD_MS) / PULSE_PERIOD_MS;
      ents.add({
        id: `pulse:${id}`,
        position: Cartesian3.fromDegrees(c.lon, c.lat, p.heightM + 8),
        point: pulsePoint(phase, () => this._textScale, color),
        // The ring at its widest, outline included: the page probe (window.__siteTwinPulses) reports it to tests.
        properties: { pulseMaxPx: new CallbackProperty(() => pulseExtentPx(this._textScale), false) },
      });
    }
    ents.resumeEvents();
    if (!this.alarmed.size) this.pulseFrames.cancel();
    this.onLabelsChanged();
    this.map.requestRender();
  }

  /** Project ids with a pulse (tests). */
  alarmedIds(): string[] {
    return [...this.alarmed];
  }

  private lastClusters: ReadonlyMap<string, readonly string[]> = new Map();
  /** Labels the placer stood elsewhere than above their pin (project id -> side). */
  private readonly labelSide = new Map<string, Exclude<LabelSide, 'above'>>();

  labelItems(out: LabelItem[]): void {
    if (!this._enabled) return;
    const now = this.map.viewer.clock.currentTime;
    for (const e of this.dataSource.entities.values) {
      const p = this.store.get(e.id);
      const pos = e.position?.getValue(now);
      if (!p || !pos) continue;
      out.push({
        id: e.id,
        position: pos,
        text: this.labelText(e.id),
        font: labelFont(this.labelPx),
        padX: 8 * this._textScale,
        padY: 5 * this._textScale,
        priority:
          (this.selection.selectedId === e.id ? 1000 : 0) +
          (this.alarmed.has(e.id) ? ALARM_PRIORITY : 0) +
          STATUS_PRIORITY[p.status],
        pin: true,
        // The dot is drawn from 2.5 km out (its distance condition); closer, the footprint itself is the mark. An
        // alarmed pin's pulse ring is part of it: no other label may stand under the ring.
        pinPx:
          Cartesian3.distance(this.map.viewer.camera.positionWC, pos) > PIN_NEAR_M
            ? Math.max(
                ((this.clusterOf.get(e.id) ? 16 : 11) + 6) * this._textScale,
                this.alarmed.has(e.id) ? pulseExtentPx(this._textScale) : 0,
              )
            : 0,
        dy: PIN_LABEL_DY * this._textScale,
        sides: PIN_SIDES,
      });
    }
  }

  applyPlacement(
    shown: ReadonlySet<string>,
    absorbed: ReadonlySet<string>,
    clusters: ReadonlyMap<string, readonly string[]>,
    _moved: ReadonlyMap<string, number>,
    sides: ReadonlyMap<string, Exclude<LabelSide, 'above'>>,
  ): void {
    this.lastClusters = clusters;
    for (const e of this.dataSource.entities.values) {
      const n = clusters.get(e.id)?.length ?? 0;
      if ((this.clusterOf.get(e.id) ?? 0) !== n) {
        if (n) this.clusterOf.set(e.id, n);
        else this.clusterOf.delete(e.id);
        e.label!.text = new ConstantProperty(this.labelText(e.id));
      }
      const showLabel = shown.has(e.id);
      const showPin = !absorbed.has(e.id);
      if (e.label!.show?.getValue(this.map.viewer.clock.currentTime) !== showLabel)
        e.label!.show = new ConstantProperty(showLabel);
      const side = (showLabel && sides.get(e.id)) || 'above';
      if ((this.labelSide.get(e.id) ?? 'above') !== side) this.standLabel(e, side);
      if (e.point!.show?.getValue(this.map.viewer.clock.currentTime) !== showPin)
        e.point!.show = new ConstantProperty(showPin);
      const pulse = this.pulses.entities.getById(`pulse:${e.id}`);
      if (pulse) pulse.show = showPin;
    }
  }

  /** Status colour, plus a highlight for the selected project. */
  private style(id: string): void {
    const e = this.dataSource.entities.getById(id);
    const p = this.store.get(id);
    if (!e || !p) return;
    const selected = this.selection.selectedId === id;
    const color = Color.fromCssColorString(STATUS_STYLE[p.status].color);
    e.polygon!.material = new ColorMaterialProperty(color.withAlpha(selected ? 0.95 : 0.78));
    e.polygon!.outlineColor = new ConstantProperty(selected ? SELECTED_OUTLINE : color.brighten(0.35, new Color()));
    e.point!.color = new ConstantProperty(color);
    e.point!.pixelSize = new ConstantProperty((selected ? 15 : this.clusterOf.get(id) ? 16 : 11) * this._textScale);
    e.label!.backgroundColor = new ConstantProperty(selected ? LABEL_BG_SELECTED : LABEL_BG);
  }

  dispose(): void {
    this.pulseFrames.dispose();
    for (const off of this.offs) off();
    this.onPicked.reset();
    if (!this.map.viewer.isDestroyed()) {
      this.map.viewer.dataSources.remove(this.dataSource, true);
      this.map.viewer.dataSources.remove(this.pulses, true);
    }
  }
}
