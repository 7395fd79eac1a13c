import { en } from './en.js';
import { zhCN } from './zh-CN.js';

/** The languages of the UI. zh-CN first: the product is Chinese-first, English beside it. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof zhCN;
export type Params = Record<string, string | number>;

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
/** Where the user's choice of language is kept (localStorage). */
export const LOCALE_STORAGE_KEY = 'sitetwin.lang';

let current: Locale = 'zh-CN';

/** "zh", "zh-TW", "zh-Hans-CN" -> zh-CN; "en", "en-GB" -> en; anything else null. */
export function normaliseLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const l = tag.trim().toLowerCase();
  if (l.startsWith('zh')) return 'zh-CN';
  if (l === 'en' || l.startsWith('en-')) return 'en';
  return null;
}

/**
 * The locale of a page: `?lang=` first, then the saved choice, then the browser's first preferred language (zh* ->
 * zh-CN, anything else -> en); zh-CN when nothing says otherwise.
 */
export function detectLocale(src: { search: string; saved: string | null; languages: readonly string[] }): Locale {
  const fromUrl = normaliseLocale(new URLSearchParams(src.search).get('lang'));
  if (fromUrl) return fromUrl;
  const saved = normaliseLocale(src.saved);
  if (saved) return saved;
  const first = src.languages.find((l) => l.trim() !== '');
  if (first) return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  return 'zh-CN';
}

function readSaved(): string | null {
  try {
    return window.localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null; // storage disabled: the URL and the browser still decide
  }
}

function save(l: Locale): void {
  try {
    window.localStorage.setItem(LOCALE_STORAGE_KEY, l);
  } catch {
    /* storage disabled: the choice lasts as long as the URL carries it */
  }
}

/**
 * Picks the page's locale from the URL, the saved choice and the browser, and sets `<html lang>`. Call once, before
 * anything renders text. A `?lang=` in the URL is saved, so links to the other pages keep the language.
 */
export function initLocale(): Locale {
  const languages = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [];
  current = detectLocale({ search: window.location.search, saved: readSaved(), languages });
  if (new URLSearchParams(window.location.search).get('lang')) save(current);
  document.documentElement.lang = current;
  return current;
}

/** The current locale. */
export function locale(): Locale {
  return current;
}

/** Sets the current locale without touching the page (tests, and before a reload). */
export function setLocale(l: Locale): void {
  current = l;
}

/** Saves `l` and reloads the page in it (every view renders its text once, at build time). */
export function switchLocale(l: Locale): void {
  save(l);
  const url = new URL(window.location.href);
  url.searchParams.set('lang', l);
  window.location.assign(url.toString());
}

/** True when `key` names a message. */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

/** The message `key` in the current locale, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const msg = CATALOGUES[current][key] ?? zhCN[key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? formatParam(params[name]!) : m));
}

function formatParam(v: string | number): string {
  return typeof v === 'number' ? formatNumber(v) : v;
}

/** The message `key` in a given locale, whatever the page's (a printed notice that is Chinese by law, with English beside). */
export function tIn(l: Locale, key: MessageKey): string {
  return CATALOGUES[l][key] ?? zhCN[key] ?? key;
}

/** `key` if it names a message, else `fallback` (for labels keyed by data, such as field names and trades). */
export function tOr(key: string, fallback: string, params?: Params): string {
  return hasMessage(key) ? t(key, params) : fallback;
}

/** A number in the current locale ("12,345.6" / "12,345.6"). */
export function formatNumber(v: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current, opts).format(v);
}

/** Date and time of an epoch-ms instant in the current locale. */
export function formatDateTime(
  ms: number,
  opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
): string {
  return new Intl.DateTimeFormat(current, opts).format(new Date(ms));
}

/** Time of day of an epoch-ms instant ("14:05:09"). */
export function formatClock(ms: number, seconds = true): string {
  return new Intl.DateTimeFormat(current, {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hour12: false,
  }).format(new Date(ms));
}

/** A date without time ("2026年12月6日" / "6 Dec 2026"). */
export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium' }).format(new Date(ms));
}

/** A calendar day given as "2025-03-12" in the current locale ("2025年3月12日" / "Mar 12, 2025"), whatever the time zone. */
export function formatDay(isoDay: string): string {
  const ms = Date.parse(`${isoDay}T00:00:00Z`);
  if (Number.isNaN(ms)) return isoDay;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(ms));
}
