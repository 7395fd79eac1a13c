import { h } from '../ui/dom.js';
import { locale, switchLocale, t, type Locale } from './i18n.js';

/**
 * The language switch: one button naming the other language in that language ("EN" on a Chinese page, "中文" on an
 * English one). A click saves the choice and reloads the page in it.
 */
export function languageSwitch(): HTMLButtonElement {
  const other: Locale = locale() === 'zh-CN' ? 'en' : 'zh-CN';
  const b = h('button', {
    type: 'button',
    class: 'btn small lang-switch',
    lang: other,
    'data-testid': 'lang-switch',
    'data-lang': other,
    // No aria-label: the visible text ("EN" / "中文", marked with its lang) is the name; the title explains it.
    title: t('lang.switchTitle'),
    text: other === 'en' ? 'EN' : '中文',
  });
  b.addEventListener('click', () => switchLocale(other));
  return b;
}
