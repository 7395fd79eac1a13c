import type { MapBim } from '../../bim/MapBim.js';
import type { Tool } from '../../core/Tool.js';
import type { MapView } from '../../map/MapView.js';
import type { SitePage } from './SitePage.js';

/**
 * One map click picks one thing, in this order: a device of the opened site (the models are see-through for device
 * picks: a hoist behind the building or a crane in front of its facade is the device, not the facade), else a BIM
 * element, else (ProjectLayer, registered after this) a project footprint. Picking a device clears the element
 * selection and picking an element closes the device panel: never both panels from one click.
 */
export class MapClicks implements Tool {
  enabled = true;
  private readonly off: () => void;

  constructor(map: MapView, site: SitePage, bim: MapBim) {
    this.off = map.onClick.add(({ picked, position }) => {
      if (!this.enabled) return;
      const device = site.deviceAt(picked, position, (pick) => bim.layer.withModelsHidden(pick));
      site.lastClickHitDevice = device !== null;
      if (device) {
        bim.layer.lastClickHitElement = false;
        bim.selection.clear('map');
        site.showDevice(device);
        return;
      }
      if (bim.layer.click(picked, position)) site.panel.close();
    });
  }

  dispose(): void {
    this.off();
  }
}
