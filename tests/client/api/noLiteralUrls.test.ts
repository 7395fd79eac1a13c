import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLIENT = join(ROOT, 'client');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|js|html)$/.test(name)) yield p;
  }
}

/**
 * Issue 17 item 3: every REST call of the client goes through the typed client (client/api/ApiClient.ts) and the
 * contract (models/api). A URL spelled by hand elsewhere is how the client and the server drift apart, so outside
 * client/api/ no file may contain `/api/v1`, not even in a comment (name the contract endpoint instead).
 */
describe('client REST calls go through the contract', () => {
  it('no client file outside client/api/ spells /api/v1', () => {
    const offenders: string[] = [];
    let files = 0;
    for (const f of sources(CLIENT)) {
      const rel = relative(ROOT, f);
      if (rel.startsWith('client/api/')) continue;
      files++;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.includes('/api/v1')) offenders.push(`${rel}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(files).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });

  it('no client file outside client/api/ calls fetch() on an API path it built itself', () => {
    const offenders: string[] = [];
    for (const f of sources(CLIENT)) {
      const rel = relative(ROOT, f);
      if (rel.startsWith('client/api/')) continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/fetch\(\s*[`'"]\/api\//.test(line)) offenders.push(`${rel}:${i + 1}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
