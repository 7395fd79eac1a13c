import type { ItemScore } from '../../models/Readiness.js';
import { formatDateTime, formatNumber, t, tOr } from '../i18n/i18n.js';

/**
 * What a readiness item found, in the page's language ("3 台中 2 台在线" / "2 of 3 registered online"), from the
 * item's facts; the server's English `detail` only when an older server sent no facts.
 */
export function readinessDetail(i: Pick<ItemScore, 'detail' | 'facts'>): string {
  const f = i.facts;
  if (!f) return i.detail;
  if (f.absent) return t('readiness.detail.absent');
  if (f.modelsReady !== undefined) return t('readiness.detail.models', { n: formatNumber(f.modelsReady) });
  if (f.scheduled !== undefined) {
    if (!f.scheduled) return t('readiness.detail.noSchedule');
    return f.progressRecordedAt == null
      ? t('readiness.detail.noStatus')
      : t('readiness.detail.statusAt', { at: formatDateTime(f.progressRecordedAt) });
  }
  if (!f.registered) return t('readiness.detail.noneRegistered');
  const n = { passing: formatNumber(f.passing ?? 0), registered: formatNumber(f.registered) };
  const line =
    f.verb === 'online'
      ? t('readiness.detail.online', n)
      : f.verb === 'uploading'
        ? t('readiness.detail.uploading', {
            ...n,
            fields: (f.fields ?? []).map((k) => tOr(`field.${k}`, k)).join(' + '),
          })
        : t('readiness.detail.reporting', n);
  return f.blacklisted ? `${line}${t('readiness.detail.blacklisted', { n: formatNumber(f.blacklisted) })}` : line;
}
