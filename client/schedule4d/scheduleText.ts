import { errorText } from '../api/errorText.js';
import { hasMessage, t } from '../i18n/i18n.js';

/** One refused task of a schedule import, as the server answers it (models/api/progress.ts ScheduleImportAnswer). */
export interface ScheduleRefusal {
  code: string;
  message: string;
  problem?: string;
  params?: Record<string, string>;
}

/**
 * Why a schedule row was refused, in the UI's language: worded from its problem key and params
 * (models/ScheduleCsv.ts CsvRowProblem); a refusal without a known key reads as its error code does.
 */
export function refusalText(x: ScheduleRefusal): string {
  const key = `progress.row.${x.problem ?? ''}`;
  return x.problem && hasMessage(key) ? t(key, x.params ?? {}) : errorText(x);
}
