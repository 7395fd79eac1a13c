import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';
import { hashPassword, oneTimePassword } from './passwords.js';

/**
 * On a store without accounts: creates `admin` with a one-time password and hands it to `announce` (stdout, once,
 * never the JSON log). Several nodes starting together create it once (a meta marker decides who). Returns the
 * password when this call created the admin.
 */
export async function ensureAdmin(store: Store, log: Logger, announce: (text: string) => void): Promise<string | null> {
  if ((await store.users.count()) > 0) return null;
  if (!(await store.meta.setOnce('admin_bootstrapped', { at: Date.now() }))) return null;
  const password = oneTimePassword();
  await store.users.create({
    username: 'admin',
    displayName: 'Administrator',
    passwordHash: await hashPassword(password),
    grant: { role: 'admin' },
  });
  log.info({ username: 'admin' }, 'auth: first admin created; its one-time password was printed to stdout');
  announce(
    `\n  First start: an administrator account was created.\n    username: admin\n    password: ${password}\n` +
      `  This password is shown once. Log in and change it (PATCH /api/v1/users/<id> { "password": ... }).\n\n`,
  );
  return password;
}
