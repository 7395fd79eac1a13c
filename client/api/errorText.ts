import { ApiError } from './ApiError.js';
import { hasMessage, t } from '../i18n/i18n.js';

/** An error that carries a stable code: an ApiError, or a kept `{ code, message }` (a store's failure). */
interface CodedError {
  code: string;
  message: string;
  details?: unknown;
}

const coded = (err: unknown): CodedError | null => {
  if (err instanceof ApiError) return err;
  const e = err as Partial<CodedError> | null;
  return e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string'
    ? { code: e.code, message: e.message, details: e.details }
    : null;
};

/** The field paths of a `validation_failed` answer's `details.issues`, at most five. */
const issuePaths = (details: unknown): string[] => {
  const issues = (details as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return [];
  const paths = issues.flatMap((i) =>
    typeof (i as { path?: unknown })?.path === 'string' ? [(i as { path: string }).path] : [],
  );
  return [...new Set(paths)].slice(0, 5);
};

/**
 * What a failed call says to a person, in the UI's language. The server answers errors with a stable code and an
 * English message for developers: the code picks the catalogue's words (`error.<code>`), a validation error names
 * its fields, and only a code the catalogue does not know shows the server's text, with the code to look up. An
 * error that is not an API error (a bug, a browser refusal) shows its own message.
 */
export function errorText(err: unknown): string {
  const e = coded(err);
  if (!e) return err instanceof Error ? err.message : String(err);
  if (e.code === 'validation_failed') {
    const fields = issuePaths(e.details);
    if (fields.length) return t('error.validation_failedFields', { fields: fields.join(t('common.listSep')) });
  }
  const key = `error.${e.code}`;
  return hasMessage(key) ? t(key) : t('error.unknown', { message: e.message, code: e.code });
}
