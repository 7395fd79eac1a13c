import { formatDateTime, formatNumber, t } from '../i18n/i18n.js';
/** Display formatting shared by the panels. */

/** "12,345 m²", or hectares from 10 ha up where m² get unreadable. */
export function formatArea(m2: number): string {
  if (m2 >= 100_000)
    return `${formatNumber(m2 / 10_000, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${t('unit.ha')}`;
  return `${formatNumber(m2, { maximumFractionDigits: 0 })} m²`;
}

export function formatHeight(m: number): string {
  return `${m % 1 === 0 ? m : m.toFixed(1)} m`;
}

/** "36.06750° N, 120.40120° E": 5 decimals is about 1 m, enough to find a site. */
export function formatLatLon(lat: number, lon: number): string {
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'W';
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

/** Local date and time of an epoch-ms instant, for "updated" lines. */
export function formatTime(ms: number): string {
  return formatDateTime(ms);
}
