import type { Device } from '../../models/Device.js';
import { api } from '../../models/api/index.js';
import type { Project } from '../../models/Project.js';
import { rest } from '../api/ApiClient.js';
import type { Tool } from '../core/Tool.js';
import { CameraView } from '../devices/CameraView.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

/** At most this many live pictures at once: each MJPEG stream is a connection and a decoder. */
export const MAX_CAMERAS = 9;
/** Projects whose devices are listed to find cameras (a city wall shows the first ones by name). */
const MAX_PROJECTS = 24;

/** Columns of a grid of `n` panels: 1, 2x1, 2x2, 3x2, 3x3. */
export function gridColumns(n: number): number {
  return n <= 1 ? 1 : n <= 4 ? 2 : 3;
}

/**
 * The wall's camera tier (`/wall?view=cameras`): the map cell becomes a grid of live camera panels (up to nine), each
 * captioned with its project and camera, for the tier's projects. Cameras are devices of kind `camera` with a stream
 * URL (see devices/CameraView.ts).
 */
export class CameraGrid implements Tool {
  enabled = true;
  readonly root: HTMLElement;
  private views: CameraView[] = [];
  private shownKey = '';

  constructor(container: HTMLElement) {
    this.root = h('section', { class: 'wall-cameras', 'data-testid': 'camera-grid', 'aria-label': t('cameras.title') });
    container.append(this.root);
  }

  /** Lists the cameras of `projects` and shows them (again only when the set changed). */
  async show(projects: readonly Project[]): Promise<number> {
    const list = [...projects].sort((a, b) => a.name.localeCompare(b.name, 'zh')).slice(0, MAX_PROJECTS);
    const found: { project: Project; device: Device }[] = [];
    for (const project of list) {
      if (found.length >= MAX_CAMERAS) break;
      try {
        const devices = await rest.call(api.devices.listOfProject, { params: { id: project.id } });
        for (const device of devices)
          if (device.kind === 'camera' && found.length < MAX_CAMERAS) found.push({ project, device });
      } catch {
        // A project the account may not read, or a failed call: the others still show.
      }
    }
    const key = found.map((f) => f.device.id).join(',');
    if (key === this.shownKey && this.root.childElementCount) return found.length;
    this.shownKey = key;
    for (const v of this.views) v.dispose();
    this.views = [];
    this.root.style.setProperty('--cols', String(gridColumns(found.length)));
    if (!found.length) {
      this.root.replaceChildren(
        h('p', { class: 'cameras-empty', 'data-testid': 'cameras-empty', text: t('cameras.none') }),
      );
      return 0;
    }
    this.root.replaceChildren(
      ...found.map(({ project, device }) => {
        const view = new CameraView(device.params, true);
        this.views.push(view);
        return h(
          'figure',
          { class: 'camera-tile', 'data-testid': 'camera-tile', 'data-device-id': device.id },
          view.root,
          h('figcaption', { text: `${project.name} · ${device.name}` }),
        );
      }),
    );
    return found.length;
  }

  dispose(): void {
    for (const v of this.views) v.dispose();
    this.root.remove();
  }
}
