import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('loadConfig', () => {
  it('has sensible defaults: embedded store, port 8080, demo seeded and simulated', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, DATA_DIR: './data', SEED: true, SIMULATE: true });
    expect(c.DATABASE_URL).toBeUndefined();
  });
  it('turns switches off with 0 and treats empty URLs as unset', () => {
    const c = loadConfig({ SIMULATE: '0', SEED: 'false', IMAGERY_URL: '', DATABASE_URL: '' });
    expect(c).toMatchObject({ SIMULATE: false, SEED: false });
    expect(c.IMAGERY_URL).toBeUndefined();
    expect(c.DATABASE_URL).toBeUndefined();
  });
  it('stops with a message that names the wrong variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ TERRAIN_URL: 'not a url' })).toThrow(/TERRAIN_URL/);
    expect(() => loadConfig({ SIMULATE: 'maybe' })).toThrow(/SIMULATE/);
  });
});
