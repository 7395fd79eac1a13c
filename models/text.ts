import { z } from 'zod';

// A NUL, or a UTF-16 surrogate without its partner: PostgreSQL text and jsonb cannot hold either (NUL is refused,
// a lone surrogate has no UTF-8 form), so such a string made the store throw and the request answer 500.
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BAD_TEXT_ALL = new RegExp(BAD_TEXT.source, 'g');

/** Why `isSafeText` refuses a string, as a field issue says it. */
export const BAD_TEXT_MESSAGE = 'text must not contain NUL (\\u0000) or a lone UTF-16 surrogate';

/** True when `s` can be stored as text: no NUL and no lone surrogate. */
export function isSafeText(s: string): boolean {
  return !BAD_TEXT.test(s);
}

/**
 * A string schema that refuses NUL and lone surrogates. Use it for every free text a client sends
 * (`safeText().trim().min(1).max(200)`), so the refusal is a 400 with the field named, never a store error.
 */
export function safeText() {
  return z.string().refine(isSafeText, BAD_TEXT_MESSAGE);
}

/**
 * The path of the first string or object key inside a JSON value that `isSafeText` refuses (`values.operatorId`),
 * or null when there is none. Walks plain arrays and objects only, to `maxDepth` levels (JSON parsed from a body is
 * bounded by the body limit; deeper values are not walked and are left to their schema).
 */
export function unsafeTextPath(v: unknown, path: string, maxDepth = 32): string | null {
  if (typeof v === 'string') return isSafeText(v) ? null : path;
  if (maxDepth <= 0 || v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unsafeTextPath(v[i], `${path}.${i}`, maxDepth - 1);
      if (p) return p;
    }
    return null;
  }
  for (const k in v as Record<string, unknown>) {
    if (!isSafeText(k)) return `${path}.${k.replace(BAD_TEXT_ALL, '?')}`;
    const p = unsafeTextPath((v as Record<string, unknown>)[k], `${path}.${k}`, maxDepth - 1);
    if (p) return p;
  }
  return null;
}
