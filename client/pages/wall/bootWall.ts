import { fetchMe } from '../../auth/authApi.js';
import { LoginScreen } from '../../auth/LoginScreen.js';
import { FALLBACK_CONFIG, fetchClientConfig } from '../../config.js';
import '../../wall/wall.css';
import { WallApp } from './WallApp.js';
import { parseWallParams, wallParamsFor, wallSearchFor } from '../../wall/wallParams.js';
import { t } from '../../i18n/i18n.js';

/** Starts wall mode in place of the city page (route `/wall`). A wall logs in like any viewer account. */
export async function bootWall(): Promise<WallApp> {
  document.title = t('wall.pageTitle');
  document.body.classList.add('wall-body');
  // A wall is a logged-in viewer account: a 401 shows the login once, then the wall runs on the session cookie.
  const login = new LoginScreen(document.body);
  // Who watches decides which wall can be shown (an enterprise account cannot read the city's figures): log in first.
  let me = await fetchMe().catch(() => null);
  if (me?.auth === 'on' && !me.user) {
    await login.show();
    me = await fetchMe().catch(() => null);
  }
  const asked = parseWallParams(window.location.search);
  const params = wallParamsFor(asked, me?.user?.grant ?? null);
  if (params.tier !== asked.tier || params.id !== asked.id)
    history.replaceState(
      history.state,
      '',
      `${window.location.pathname}${wallSearchFor(window.location.search, params)}`,
    );
  let config = FALLBACK_CONFIG;
  try {
    config = await fetchClientConfig();
  } catch {
    // The wall still comes up (offline globe) and keeps trying to reach the server through its live link.
  }
  const host = document.createElement('div');
  host.className = 'wall-host';
  document.body.prepend(host);
  for (const id of ['topbar-right']) document.getElementById(id)?.closest('header')?.remove();
  document.querySelector('main.layout')?.remove();
  const app = new WallApp(host, params);
  (window as unknown as { __siteTwinWallApp: WallApp }).__siteTwinWallApp = app;
  await app.start(config);
  return app;
}
