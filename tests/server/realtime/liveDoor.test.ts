import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 17 item 1: the live hub is the one door to browsers. No server module but server/realtime/LiveHub.ts reaches
// the /live namespace or emits to a room; the others push through its LivePublisher, which routes by project.
// (server/ingest/socketDevices.ts is the /devices namespace, for devices: it neither emits to rooms nor sees /live.)
const ROOT = join(import.meta.dirname, '..', '..', '..');
const HUB = 'server/realtime/LiveHub.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const DOORS: Array<[string, RegExp]> = [
  ['the /live namespace', /of\(\s*['"]\/live['"]\s*\)/],
  ['a hub namespace', /\.nsp\b/],
  ['a room emit', /\.(?:to|in|except)\(/],
  ['a namespace-wide emit', /\bnsp\.emit\(/],
];

describe('the live hub is the one door to browsers', () => {
  it('no server module but the hub opens /live or emits to a room', () => {
    const found: string[] = [];
    for (const file of sources(join(ROOT, 'server'))) {
      const path = relative(ROOT, file);
      if (path === HUB) continue;
      const text = readFileSync(file, 'utf8');
      for (const [what, re] of DOORS) if (re.test(text)) found.push(`${path}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('the hub itself still holds the door (the checks above look for something real)', () => {
    const hub = readFileSync(join(ROOT, HUB), 'utf8');
    expect(DOORS.filter(([, re]) => re.test(hub)).map(([what]) => what)).toEqual([
      'the /live namespace',
      'a hub namespace',
      'a room emit',
    ]);
  });
});
