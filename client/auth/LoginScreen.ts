import './auth.css';
import type { User } from '../../models/User.js';
import { ApiError, setUnauthenticatedHandler } from '../api/ApiError.js';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { h } from '../ui/dom.js';
import { login } from './authApi.js';
import { sessionChanged } from './session.js';
import { t } from '../i18n/i18n.js';
import { languageSwitch } from '../i18n/LanguageSwitch.js';
import { errorText } from '../api/errorText.js';

/** Why a login failed, in words a person at a wall can act on. */
export function loginErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('login.failed', { message: errorText(err) });
  if (err.code === 'unauthenticated' || err.code === 'forbidden') return t('login.wrong');
  if (err.code === 'rate_limited' || err.status === 429) return t('login.rateLimited');
  if (err.code === 'network_error') return t('login.network');
  if (err.code === 'validation_failed') return t('login.empty');
  return t('login.failed', { message: errorText(err) });
}

/**
 * The login screen, shown when an API call answers 401 `unauthenticated`; the call continues once logged in. It keeps
 * nothing itself (no username, no token in storage): the server's httpOnly cookie is the session.
 */
export class LoginScreen implements Tool {
  enabled = true;
  /** A login succeeded (the badge shows the account). */
  readonly onLogin = new Event<User>();
  private readonly root: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly error: HTMLElement;
  private waiters: (() => void)[] = [];

  constructor(private readonly container: HTMLElement) {
    this.error = h('p', { class: 'login-error', role: 'alert', 'data-testid': 'login-error' });
    this.error.hidden = true;
    this.form = h(
      'form',
      { class: 'login-card', 'data-testid': 'login-form' },
      h(
        'div',
        { class: 'brand login-brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }),
        h('span', { class: 'brand-name', text: t('app.name') }),
      ),
      languageSwitch(),
      h('p', { class: 'login-sub', text: t('login.sub') }),
      h(
        'label',
        { text: t('login.username') },
        h('input', { name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-username' }),
      ),
      h(
        'label',
        { text: t('login.password') },
        h('input', {
          name: 'password',
          type: 'password',
          autocomplete: 'current-password',
          required: true,
          'data-testid': 'login-password',
        }),
      ),
      this.error,
      h('button', { class: 'btn primary', type: 'submit', text: t('login.submit'), 'data-testid': 'login-submit' }),
    );
    this.root = h(
      'div',
      {
        class: 'login-screen',
        'data-testid': 'login-screen',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-label': t('login.submit'),
      },
      this.form,
    );
    this.root.hidden = true;
    container.append(this.root);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    setUnauthenticatedHandler(() => this.show());
  }

  /** Shows the form; resolves once a login succeeded. */
  show(): Promise<void> {
    this.root.hidden = false;
    document.body.dataset.login = 'shown';
    (this.form.elements.namedItem('username') as HTMLInputElement).focus();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  private async submit(): Promise<void> {
    const user = (this.form.elements.namedItem('username') as HTMLInputElement).value.trim();
    const pw = this.form.elements.namedItem('password') as HTMLInputElement;
    const button = this.form.querySelector('button')!;
    button.disabled = true;
    this.error.hidden = true;
    try {
      const u = await login(user, pw.value);
      pw.value = '';
      this.root.hidden = true;
      document.body.dataset.login = 'done';
      const ws = this.waiters;
      this.waiters = [];
      // Before the waiting calls resume: the live socket reconnects with the new session cookie.
      sessionChanged(u);
      for (const w of ws) w();
      this.onLogin.trigger(u);
    } catch (err) {
      this.error.textContent = loginErrorText(err);
      this.error.hidden = false;
      pw.select();
    } finally {
      button.disabled = false;
    }
  }

  dispose(): void {
    setUnauthenticatedHandler(null);
    this.onLogin.reset();
    this.root.remove();
    void this.container;
  }
}
