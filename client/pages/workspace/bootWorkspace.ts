import { LoginScreen } from '../../auth/LoginScreen.js';
import { h } from '../../ui/dom.js';
import { WorkspaceApp } from './WorkspaceApp.js';
import { t } from '../../i18n/i18n.js';
import { languageSwitch } from '../../i18n/LanguageSwitch.js';

/** True for the workspace's paths: `/project/<id>`. */
export const isWorkspacePath = (pathname: string): boolean => /^\/project\/[^/]+\/?$/.test(pathname);

/**
 * Starts the BIM workspace page in index.html's containers: the project list becomes the model browser, the map area
 * holds the 3D viewer, the detail box the properties.
 */
export async function bootWorkspace(): Promise<WorkspaceApp | null> {
  const byId = (id: string) => {
    const e = document.getElementById(id);
    if (!e) throw new Error(`index.html lacks #${id}`);
    return e;
  };
  document.body.classList.add('workspace');
  // Logged out (a shared link, or Back after Log out): a 401 shows the login and the workspace carries on after it.
  new LoginScreen(document.body);
  if (new URLSearchParams(location.search).has('baseline')) {
    const { bootFragmentsBaseline } = await import('../../workspace/FragmentsBaseline.js');
    await bootFragmentsBaseline(byId('map'));
    return null;
  }
  const sub = document.querySelector('.brand-sub');
  if (sub) sub.textContent = t('ws.title');
  byId('sidebar').setAttribute('aria-label', t('ws.sidebar'));
  const projectId = location.pathname.split('/')[2] ?? '';
  byId('topbar-right').append(
    h('a', { class: 'btn', href: `/?project=${encodeURIComponent(projectId)}`, text: t('ws.backToMap') }),
    languageSwitch(),
  );
  const app = new WorkspaceApp({
    sidebar: byId('sidebar'),
    main: byId('map'),
    detail: byId('detail'),
    overlay: byId('map-wrap'),
  });
  (window as unknown as { __siteTwinWorkspaceApp: WorkspaceApp }).__siteTwinWorkspaceApp = app;
  await app.start();
  return app;
}
