import type { UserGrant } from '../../models/User.js';
import { hashPassword } from '../auth/passwords.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';
import { DEMO_ENTERPRISES, DEMO_PROJECTS } from './demoCity.js';

/** The password of every demo account (README). Demo only: they exist only when SEED=1 seeded the demo city. */
export const DEMO_PASSWORD = 'sitetwin-demo';

/** The demo accounts, one per tier, over the demo city (names in the README). */
export async function demoAccounts(
  store: Store,
): Promise<Array<{ username: string; displayName: string; grant: UserGrant }>> {
  const enterprises = await Promise.all(DEMO_ENTERPRISES.map((e) => store.enterprises.findByName(e.name)));
  const projects = await store.projects.list();
  const byName = new Map(projects.map((p) => [p.name, p.id]));
  const first = byName.get(DEMO_PROJECTS[0]!.name);
  const out: Array<{ username: string; displayName: string; grant: UserGrant }> = [
    {
      username: 'authority.qingdao',
      displayName: '青岛市住建局 (demo)',
      grant: { role: 'authority', regionPrefix: '3702' },
    },
    {
      username: 'viewer.qingdao',
      displayName: 'Qingdao wall display (demo)',
      grant: { role: 'viewer', scope: { kind: 'region', regionPrefix: '3702' } },
    },
  ];
  enterprises.forEach((e, i) => {
    if (e)
      out.push({
        username: `enterprise${i + 1}`,
        displayName: `${e.name} (demo)`,
        grant: { role: 'enterprise', enterpriseId: e.id },
      });
  });
  if (first)
    out.push({
      username: 'project.fushan',
      displayName: `${DEMO_PROJECTS[0]!.name} site office (demo)`,
      grant: { role: 'project', projectIds: [first] },
    });
  return out;
}

/** Creates the demo accounts once (SEED=1 only), all with DEMO_PASSWORD. Returns how many it created. */
export async function seedDemoAccounts(store: Store, log: Logger): Promise<number> {
  if (!(await store.meta.setOnce('demo_users_seeded', { at: Date.now() }))) return 0;
  const hash = await hashPassword(DEMO_PASSWORD);
  let n = 0;
  for (const a of await demoAccounts(store)) {
    if (await store.users.findByUsername(a.username)) continue;
    await store.users.create({ ...a, passwordHash: hash });
    n++;
  }
  log.warn(
    { accounts: n },
    `auth: demo accounts created with the documented demo password (README): not for production`,
  );
  return n;
}
