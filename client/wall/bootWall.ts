import { LoginScreen } from '../auth/LoginScreen.js';
import { FALLBACK_CONFIG, fetchClientConfig } from '../config.js';
import './wall.css';
import { WallApp } from './WallApp.js';
import { parseWallParams } from './wallParams.js';

/** Starts wall mode in place of the city page (route `/wall`). A wall logs in like any viewer account. */
export async function bootWall(): Promise<WallApp> {
  document.title = 'Site Twin · Wall';
  document.body.classList.add('wall-body');
  // A wall is a logged-in viewer account: a 401 shows the login once, then the wall runs on the session cookie.
  new LoginScreen(document.body);
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
  const app = new WallApp(host, parseWallParams(window.location.search));
  (window as unknown as { __siteTwinWallApp: WallApp }).__siteTwinWallApp = app;
  await app.start(config);
  return app;
}
