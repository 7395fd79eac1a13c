import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../models/errors.js';
import { ApiError, ClientErrorCode } from '../../../client/api/ApiError.js';
import { errorText } from '../../../client/api/errorText.js';
import { en } from '../../../client/i18n/en.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { zhCN } from '../../../client/i18n/zh-CN.js';
import { ROOT_DIR } from '../../../server/Server.js';
import { CJK } from '../fakeDom.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(n) && !/\.d\.ts$/.test(n) ? [p] : [];
  });
}

/**
 * Every error code the server can send: the `ErrorCode.X` it names and the code literals it writes into an error
 * (`new AppError('…'`, `code: '…'` in an error answer), read from server/ the way englishText.test.ts reads client/.
 */
function serverCodes(): Map<string, string> {
  const byName = ErrorCode as Record<string, string>;
  const wire = new Set(Object.values(ErrorCode) as string[]);
  const out = new Map<string, string>();
  for (const file of sources(join(ROOT_DIR, 'server'))) {
    const src = readFileSync(file, 'utf8');
    const rel = relative(ROOT_DIR, file);
    for (const m of src.matchAll(/\bErrorCode\.([A-Z_]+)/g)) {
      const code = byName[m[1]!];
      expect(code, `${rel}: ErrorCode.${m[1]} is not in models/errors.ts`).toBeDefined();
      out.set(code!, rel);
    }
    for (const m of src.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) out.set(m[1]!, rel);
    for (const m of src.matchAll(/\bcode:\s*'([a-z_]+)'/g)) if (wire.has(m[1]!)) out.set(m[1]!, rel);
  }
  return out;
}

afterEach(() => setLocale('zh-CN'));

describe('server errors in the UI language (issue 19)', () => {
  it('every code the server sends, and the client-side ones, has a message in both catalogues', () => {
    const codes = serverCodes();
    expect(codes.size).toBeGreaterThan(10);
    const all = [...codes.keys(), ...Object.values(ClientErrorCode)];
    const missing = all.flatMap((c) =>
      [zhCN, en].flatMap((cat, i) => (`error.${c}` in cat ? [] : [`${i ? 'en' : 'zh-CN'}: error.${c}`])),
    );
    expect(missing).toEqual([]);
  });

  it('shows a known code in the catalogue words, never the server English', () => {
    for (const code of [...Object.values(ErrorCode), ...Object.values(ClientErrorCode)]) {
      const err = new ApiError(code, 'Server English text', 400);
      setLocale('zh-CN');
      const zh = errorText(err);
      expect(zh, code).toMatch(CJK);
      expect(zh, code).not.toContain('Server English text');
      setLocale('en');
      expect(errorText(err), code).not.toMatch(CJK);
      expect(errorText(err), code).not.toContain('Server English text');
    }
  });

  it('names the refused fields of a validation error', () => {
    setLocale('zh-CN');
    const err = new ApiError('validation_failed', 'Invalid tour: name: Required', 400, {
      issues: [
        { path: 'name', message: 'Required' },
        { path: 'viewpoints.0.lat', message: 'Number must be less than or equal to 90' },
      ],
    });
    expect(errorText(err)).toBe('输入不符合要求：name、viewpoints.0.lat');
  });

  it("falls back to the server's text, with its code, for a code the catalogue does not know", () => {
    setLocale('zh-CN');
    const err = new ApiError('quota_exceeded' as ErrorCode, 'Your quota is used up', 403);
    expect(errorText(err)).toBe('Your quota is used up (quota_exceeded)');
    // A store's kept {code, message} (the project list's failure) reads the same way.
    expect(errorText({ code: 'not_found', message: 'Project x not found' })).toBe('未找到：可能已被删除');
    // Not an API error (a bug, a browser refusal): its own message.
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('plain')).toBe('plain');
  });

  it("no client code shows a caught error's own message to the user: each goes through errorText", () => {
    // Where a caught error's message is kept for tests or the console, or is not the server's (Cesium's tile errors).
    const allowed = [
      /console\./,
      /probe\.error =/,
      /this\.note\(/,
      /this\.onError\(`notices:/,
      /new ApiError\(/,
      /store\.fail\(/,
      /onRejected\.trigger/,
      /p\.error = this\.store\.error/,
      /could not be drawn/, // SiteOverlays: a console.warn spanning lines
      /err\.timesRetried === 0/, // Cesium's imagery errors
      /source: 'terrain', message: err\.message/, // Cesium's terrain provider
      /message: e\.message,/, // App: the source error's message, already worded where it was raised
    ];
    const bad: string[] = [];
    for (const file of sources(join(ROOT_DIR, 'client'))) {
      if (file.endsWith(join('api', 'errorText.ts'))) continue; // the one place that reads it, as the fallback
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/\b(err|e|ae|error|ex)\)?(\s+as\s+Error\))?\??\.message\b/.test(line)) return;
        if (allowed.some((a) => a.test(line))) return;
        bad.push(`${relative(ROOT_DIR, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
