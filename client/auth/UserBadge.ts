import type { User } from '../../models/User.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { fetchMe, grantLabel, logout } from './authApi.js';
import type { LoginScreen } from './LoginScreen.js';
import { t } from '../i18n/i18n.js';

/**
 * The account in the top bar: name, role and a logout button. Hidden when the server runs without accounts
 * (AUTH=off). Logging out reloads the page, which then asks for a login again.
 */
export class UserBadge implements Tool {
  enabled = true;
  private readonly root: HTMLElement;
  private readonly off: () => void;

  constructor(container: HTMLElement, login: LoginScreen) {
    this.root = h('span', { class: 'user-badge', 'data-testid': 'user-badge' });
    this.root.hidden = true;
    container.append(this.root);
    this.root.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('[data-action="logout"]'))
        void logout().finally(() => window.location.reload());
    });
    this.off = login.onLogin.add((u) => this.show(u));
  }

  /** Asks the server who is logged in (after the first successful API call). */
  async refresh(): Promise<void> {
    try {
      const me = await fetchMe();
      this.show(me.user);
    } catch {
      // The badge is optional: a failure here must not hold up the page.
    }
  }

  private show(u: User | null): void {
    this.root.hidden = !u;
    if (!u) return void this.root.replaceChildren();
    this.root.dataset.role = u.grant.role;
    this.root.replaceChildren(
      h('span', { class: 'user-name', text: u.displayName || u.username }),
      h('span', { class: 'user-role', 'data-testid': 'user-role', text: grantLabel(u.grant) }),
      h('button', { class: 'btn small', 'data-action': 'logout', text: t('auth.logout') }),
    );
  }

  dispose(): void {
    this.off();
    this.root.remove();
  }
}
