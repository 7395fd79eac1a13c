import type { DeviceKind } from '../../models/Device.js';
import { DistrictFigureKey } from '../../models/District.js';
import { t, type MessageKey } from '../i18n/i18n.js';
import type { LayerEntry } from './LayerPanel.js';

/** Device kinds in the order the panel lists them. */
const KINDS: readonly DeviceKind[] = ['tower_crane', 'hoist', 'env_monitor', 'pit_gauge', 'camera', 'gate', 'sensor'];

/** What the layer panel switches, as little of each layer as it needs (the page passes the real ones). */
export interface LayerTargets {
  bim?: { enabled: boolean } | undefined;
  site?:
    | {
        kindShown(k: DeviceKind): boolean;
        setKindShown(k: DeviceKind, v: boolean): void;
        env: { heatmapVisible: boolean };
      }
    | undefined;
  placer: { enabled: boolean };
  pulses: { show: boolean };
  requestRender(): void;
  districts: { enabled: boolean; figure: DistrictFigureKey };
  sources: { readonly choices: { value: string; label: string }[]; readonly current: string; show(id: string): void };
  basemap: { enabled: boolean };
}

/**
 * The city tier's layer panel entries, named from the message catalogue in the page's language: models and device
 * kinds only where a site can be opened, then the city layers and the base maps.
 */
export function cityLayerEntries(x: LayerTargets): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const { bim, site } = x;
  if (bim)
    entries.push({
      kind: 'toggle',
      id: 'models',
      group: t('layers.group.models'),
      label: t('layers.models'),
      get: () => bim.enabled,
      set: (v) => (bim.enabled = v),
    });
  if (site) {
    for (const k of KINDS)
      entries.push({
        kind: 'toggle',
        id: `kind:${k}`,
        group: t('layers.group.devices'),
        label: t(`layers.kind.${k}` as MessageKey),
        get: () => site.kindShown(k),
        set: (v) => site.setKindShown(k, v),
      });
    entries.push({
      kind: 'toggle',
      id: 'heatmap',
      group: t('layers.group.devices'),
      label: t('layers.heatmap'),
      get: () => site.env.heatmapVisible,
      set: (v) => (site.env.heatmapVisible = v),
    });
  }
  const city = t('layers.group.city');
  const base = t('layers.group.basemap');
  entries.push(
    {
      kind: 'toggle',
      id: 'labels',
      group: city,
      label: t('layers.labels'),
      get: () => x.placer.enabled,
      set: (v) => (x.placer.enabled = v),
    },
    {
      kind: 'toggle',
      id: 'alarms',
      group: city,
      label: t('layers.alarms'),
      get: () => x.pulses.show,
      set: (v) => ((x.pulses.show = v), x.requestRender()),
    },
    {
      kind: 'toggle',
      id: 'districts',
      group: city,
      label: t('layers.districts'),
      get: () => x.districts.enabled,
      set: (v) => (x.districts.enabled = v),
    },
    {
      kind: 'choice',
      id: 'district-figure',
      group: city,
      label: t('layers.colourBy'),
      options: DistrictFigureKey.options.map((k) => ({ value: k, label: t(`layers.figure.${k}` as MessageKey) })),
      get: () => x.districts.figure,
      set: (v) => (x.districts.figure = DistrictFigureKey.parse(v)),
    },
    {
      kind: 'choice',
      id: 'basemap',
      group: base,
      label: t('layers.basemap'),
      options: x.sources.choices,
      get: () => x.sources.current,
      set: (v) => x.sources.show(v),
    },
    {
      kind: 'toggle',
      id: 'basemap-vector',
      group: base,
      label: t('layers.coast'),
      get: () => x.basemap.enabled,
      set: (v) => (x.basemap.enabled = v),
    },
  );
  return entries;
}
