import type { BimModel, ElementPage } from '../../models/BimModel.js';
import { fetchElements, fetchProjectModels } from '../bim/bimApi.js';
import type { Tool } from '../core/Tool.js';
import { needsElementAnchor, placeOnElement } from './devicePlacement.js';
import type { DeviceStore } from './DeviceStore.js';

/** The two API calls the placer makes (injectable so a node test can point them at a real server). */
export interface PlacerApi {
  models(projectId: string): Promise<BimModel[]>;
  /** Elements whose name or GlobalId contains `q` (the element index search). */
  elements(modelId: string, q: string): Promise<ElementPage>;
}

const defaultApi: PlacerApi = {
  models: (projectId) => fetchProjectModels(projectId),
  elements: (modelId, q) => fetchElements(modelId, { q, limit: 20 }),
};

/**
 * Places the devices bound to an IFC element (an `ifcGlobalId` and no location of their own): it looks the GlobalId
 * up in the element index of the project's ready models and sets the device at its element's box, placed by the
 * model's georeference (devicePlacement.ts), in the DeviceStore. Runs for each snapshot and for each added or
 * updated device; an element not found leaves the device unplaced (not drawn on the map, still listed).
 */
export class DevicePlacer implements Tool {
  enabled = true;
  private readonly off: () => void;
  /** The project's models, fetched once per snapshot. */
  private models: { projectId: string; list: Promise<BimModel[]> } | null = null;
  private readonly busy = new Set<string>();
  /** Placements finished (for tests and the page probe). */
  placed = 0;

  constructor(
    private readonly store: DeviceStore,
    private readonly api: PlacerApi = defaultApi,
  ) {
    this.off = store.onChanged.add((c) => {
      if (c.kind === 'reset') {
        this.models = null;
        for (const s of store.list()) void this.place(s.device.id);
      } else if (c.kind === 'added' || c.kind === 'updated') void this.place(c.id);
    });
  }

  /** Resolves one device's place, if it needs one it does not have yet. Resolves when done (never rejects). */
  async place(id: string): Promise<void> {
    const pid = this.store.projectId;
    const rec = this.store.record(id);
    if (!pid || !rec || !needsElementAnchor(rec) || this.store.placementOf(id) || this.busy.has(id)) return;
    const gid = rec.ifcGlobalId;
    this.busy.add(id);
    try {
      if (this.models?.projectId !== pid) this.models = { projectId: pid, list: this.api.models(pid) };
      const models = (await this.models.list).filter((m) => m.status === 'ready' && m.georeference);
      const found = await Promise.all(
        models.map(async (model) => ({
          model,
          element: (await this.api.elements(model.id, gid)).items.find((e) => e.globalId === gid) ?? null,
        })),
      );
      // The project or the binding may have changed while we asked.
      if (this.store.projectId !== pid || this.store.record(id)?.ifcGlobalId !== gid) return;
      const p = placeOnElement(rec, found);
      if (!p)
        return console.warn(
          `device ${id}: element ${gid} is in no ready, georeferenced model of the project; not drawn on the map`,
        );
      this.placed++;
      this.store.placeAt(id, p);
    } catch (err) {
      if (this.models?.projectId === pid) this.models = null; // ask again next time
      console.warn(`device ${id}: element ${gid} could not be looked up: ${(err as Error).message}`);
    } finally {
      this.busy.delete(id);
    }
  }

  dispose(): void {
    this.off();
  }
}
