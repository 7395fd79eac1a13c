import 'cesium/Build/Cesium/Widgets/widgets.css';
import './styles.css';
import './responsive.css';
import { App } from './pages/map/App.js';
import { MapLayout } from './pages/map/MapLayout.js';
import { LoginScreen } from './auth/LoginScreen.js';
import { UserBadge } from './auth/UserBadge.js';
import { FALLBACK_CONFIG, fetchClientConfig } from './config.js';
import { LoadingOverlay } from './ui/LoadingOverlay.js';
import { initLocale, t } from './i18n/i18n.js';
import { languageSwitch } from './i18n/LanguageSwitch.js';
import { errorText } from './api/errorText.js';

// Cesium reads its base URL (workers, assets) from this global the first time it builds a module URL.
window.CESIUM_BASE_URL = CESIUM_BASE_URL;
// Before anything renders text: the page's language (?lang=, saved choice, browser; zh-CN by default) and <html lang>.
initLocale();

function el(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`index.html lacks #${id}`);
  return e;
}

async function boot(): Promise<void> {
  // Before the first API call: a 401 shows the login and the call continues after it.
  const login = new LoginScreen(document.body);
  document.title = t('map.pageTitle');
  const sub = document.querySelector('.brand-sub');
  if (sub) sub.textContent = t('map.title');
  el('sidebar').setAttribute('aria-label', t('dock.projects'));
  el('topbar-right').append(languageSwitch());
  const badge = new UserBadge(el('topbar-right'), login);
  const loading = new LoadingOverlay(el('map-wrap'));
  loading.step(t('loading.config'));
  let config = FALLBACK_CONFIG;
  let configError: string | null = null;
  try {
    config = await fetchClientConfig();
  } catch (err) {
    // The page must still come up with the offline globe when the server is down.
    configError = errorText(err);
  }
  // Docks around the map: every panel has its place, none floats over the map or another panel.
  const layout = new MapLayout({
    layout: el('sidebar').parentElement!,
    sidebar: el('sidebar'),
    mapWrap: el('map-wrap'),
    detail: el('detail'),
  });
  const { projects, project, ...panes } = layout.panes;
  const app = new App(
    {
      map: el('map'),
      sidebar: projects,
      detail: project,
      overlay: el('map-wrap'),
      topbar: el('topbar-right'),
      toasts: el('toasts'),
      panes,
    },
    loading,
  );
  // Handy in the console and for tests; not an API.
  (window as unknown as { __siteTwinApp: App }).__siteTwinApp = app;
  await app.start(config, configError);
  void badge.refresh();
}

// One SPA: the server serves index.html for every page path; the path picks the page.
const path = window.location.pathname.replace(/\/+$/, '');
const start =
  path === '/wall'
    ? import('./pages/wall/bootWall.js').then((m) => m.bootWall())
    : path.startsWith('/project/')
      ? import('./pages/workspace/bootWorkspace.js').then((m) => m.bootWorkspace())
      : boot();
start.catch((err: Error) => {
  const box = document.getElementById('fatal');
  if (box) {
    box.hidden = false;
    box.textContent = t('app.fatal', { message: errorText(err) });
  }
  throw err;
});
