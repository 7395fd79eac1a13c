import type { MapBim } from '../../bim/MapBim.js';
import type { ToolRegistry } from '../../core/Tool.js';
import type { LiveClient } from '../../live/LiveClient.js';
import type { MapView } from '../../map/MapView.js';
import { ProgressPanel } from '../../schedule4d/ProgressPanel.js';
import { ReadinessCard } from '../../readiness/ReadinessCard.js';
import { ReadinessTable } from '../../readiness/ReadinessTable.js';
import type { SelectionState } from '../../state/SelectionState.js';
import { fetchTour } from '../../api/toursApi.js';
import { DEFAULT_CITY_TOUR_ID } from '../../../models/Tour.js';
import { TourControls } from '../../tour/TourControls.js';
import { VendorPanel } from '../../vendors/VendorPanel.js';
import { linkedStep, parseTourLink, searchWithTour, type TourLink } from '../../tour/tourLink.js';
import { cameraPose, TourPlayer, type CameraPose, type TourState } from '../../tour/TourPlayer.js';
import { h } from '../../ui/dom.js';
import { t } from '../../i18n/i18n.js';

/** The city page's tour, for tests: `window.__siteTwinTour`. */
export interface TourProbe {
  state: TourState;
  camera(): CameraPose;
}

declare global {
  interface Window {
    __siteTwinTour: TourProbe;
  }
}

export interface CommandToolsDom {
  overlay: HTMLElement;
  /** The docked layout's 4D tab (else the panel floats over the map). */
  progress?: HTMLElement;
  detail: HTMLElement;
  topbar: HTMLElement;
}

/** The command-center tools of the city page: tour player, 4D progress panel, readiness card and city table. */
export interface CommandTools {
  player: TourPlayer;
  progress: ProgressPanel;
  readiness: ReadinessTable;
  /** Applies `?tour=&step=` and `?progress=` of the page URL; returns true when a tour set the first view. */
  applyUrl(): Promise<boolean>;
}

/**
 * Adds the tour player (with `?tour=<id>&step=<n>` links), the 4D progress panel (`?progress=1` or `=YYYY-MM-DD`), the
 * readiness card under the project panel and the readiness table, with their top-bar buttons.
 */
export function addCommandCenterTools(
  tools: ToolRegistry,
  map: MapView,
  selection: SelectionState,
  bim: MapBim,
  live: LiveClient,
  dom: CommandToolsDom,
): CommandTools {
  const player = tools.add(new TourPlayer(map));
  const controls = tools.add(new TourControls(dom.overlay, player, { onClose: () => player.stop() }));
  const progress = tools.add(
    new ProgressPanel(dom.progress ?? dom.overlay, selection, bim.colouring, bim.selection, live),
  );
  tools.add(new ReadinessCard(dom.detail, selection));
  const readiness = tools.add(new ReadinessTable(document.body));
  readiness.onPick.add((id) => selection.select(id, 'user'));
  const vendors = tools.add(new VendorPanel(document.body));
  const probe: TourProbe = { state: player.state, camera: () => cameraPose(map) };
  window.__siteTwinTour = probe;
  player.onState.add((s) => (probe.state = s));
  // Keep the address bar on the current step, so copying it shares where the tour is.
  player.onState.add((s) => {
    const search = searchWithTour(
      window.location.search,
      s.tourId ? { tourId: s.tourId, step: s.step, at: s.at } : null,
    );
    if (search !== window.location.search)
      window.history.replaceState(
        window.history.state,
        '',
        `${window.location.pathname}${search}${window.location.hash}`,
      );
  });
  // A shared link opens paused on its stop (found by its project, else by index): the viewer came to see that stop.
  const startTour = async (id: string, step: number, instant: boolean, link?: TourLink) => {
    try {
      const tour = await fetchTour(id);
      if (link) player.load(tour, linkedStep(tour.viewpoints, link), { instant, autoplay: false });
      else player.load(tour, step, { instant });
      return true;
    } catch (err) {
      controls.hide();
      console.warn(`tour ${id}: ${(err as Error).message}`);
      return false;
    }
  };
  dom.topbar.prepend(
    h('button', { class: 'btn small', 'data-action': 'city-tour', 'data-testid': 'open-tour', text: t('cmd.tour') }),
    h('button', {
      class: 'btn small',
      'data-action': 'progress',
      'data-testid': 'open-progress',
      text: t('progress.title'),
    }),
    h('button', {
      class: 'btn small',
      'data-action': 'readiness',
      'data-testid': 'open-readiness',
      text: t('cmd.readiness'),
    }),
  );
  dom.topbar.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (a === 'city-tour') void startTour(DEFAULT_CITY_TOUR_ID, 0, false);
    else if (a === 'progress') progress.toggle();
    else if (a === 'readiness') void readiness.open();
  });
  return {
    player,
    progress,
    readiness,
    async applyUrl() {
      const q = new URLSearchParams(window.location.search);
      // The device-vendor registry and blacklist (issue 16): `?vendors=1`.
      if (q.get('vendors') === '1') void vendors.open();
      const p = q.get('progress');
      if (p) progress.toggle(true, /^\d{4}-\d{2}-\d{2}$/.test(p) ? p : undefined);
      const link = parseTourLink(window.location.search);
      return link ? startTour(link.tourId, link.step, true, link) : false;
    },
  };
}
