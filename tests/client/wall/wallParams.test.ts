import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../../client/i18n/i18n.js';
import {
  DEFAULT_EVERY_S,
  mapResolutionScale,
  parseWallParams,
  wallParamsFor,
  wallScale,
  wallSearchFor,
} from '../../../client/wall/wallParams.js';

const UUID = '0b7c2f4e-5d1a-4c3b-9e8f-1a2b3c4d5e6f';

describe('wall URL', () => {
  it('reads tier, scope, tour interval and tour', () => {
    expect(parseWallParams(`?tier=enterprise&id=${UUID}&every=30&tour=default-city`)).toEqual({
      tier: 'enterprise',
      id: UUID,
      everyS: 30,
      tourId: 'default-city',
      errors: [],
    });
    expect(parseWallParams('')).toEqual({ tier: 'city', id: null, everyS: DEFAULT_EVERY_S, tourId: null, errors: [] });
    expect(parseWallParams('?tier=city&id=370200').id).toBe('370200');
  });

  it('falls back to the whole city and the default interval on bad values, and says why', () => {
    const p = parseWallParams('?tier=project&id=nope&every=1&tour=<script>');
    expect(p).toMatchObject({ tier: 'city', id: null, everyS: DEFAULT_EVERY_S, tourId: null });
    expect(p.errors).toHaveLength(3);
    expect(p.errors[0]).toMatch(/project tier needs id/);
    expect(p.errors[1]).toMatch(/every=1/);
    expect(parseWallParams('?tier=galaxy').errors[0]).toMatch(/tier/);
    expect(parseWallParams('?tier=city&id=abc').errors[0]).toMatch(/region code/);
  });
});

describe('wall scaling', () => {
  it('is 1 at 1920x1080, 2 at 3840x2160, and follows the tighter side otherwise', () => {
    expect(wallScale(1920, 1080)).toBe(1);
    expect(wallScale(3840, 2160)).toBe(2);
    expect(wallScale(3840, 1080)).toBe(1); // ultra-wide: the height limits
    expect(wallScale(1280, 1024)).toBe(0.667);
    expect(wallScale(200, 100)).toBe(0.5); // never below half: text would be unreadable
  });

  it('draws the map 1:1 on a 4K wall and caps it at one 4K frame of drawing buffer', () => {
    expect(mapResolutionScale(1200, 900, 1)).toBe(1);
    expect(mapResolutionScale(2560, 1700, 1)).toBe(1); // the map of a 3840x2160 wall at DPR 1: sharp, not scaled down
    const s = mapResolutionScale(2560, 1700, 2);
    expect(s).toBeLessThan(1);
    expect(2560 * 2 * s * 1700 * 2 * s).toBeLessThanOrEqual(8_300_000 * 1.01);
    expect(mapResolutionScale(5120, 3400, 1)).toBeCloseTo(s, 2); // same device pixels, same cap
  });
});

describe('the wall an account may see', () => {
  const E = '11111111-1111-4111-8111-111111111111';
  const P = '22222222-2222-4222-8222-222222222222';
  const Q = '33333333-3333-4333-8333-333333333333';
  const city = parseWallParams('?tier=city');
  const tierOf = (p: ReturnType<typeof parseWallParams>) => [p.tier, p.id, p.errors.length];
  beforeEach(() => setLocale('en'));
  afterEach(() => setLocale('zh-CN'));

  it('keeps what the account can read, retargets what it cannot, and says so', () => {
    expect(tierOf(wallParamsFor(city, null))).toEqual(['city', null, 0]); // no accounts
    expect(tierOf(wallParamsFor(city, { role: 'admin' }))).toEqual(['city', null, 0]);
    expect(tierOf(wallParamsFor(city, { role: 'viewer', scope: { kind: 'all' } }))).toEqual(['city', null, 0]);
    const ent = wallParamsFor(city, { role: 'enterprise', enterpriseId: E });
    expect(tierOf(ent)).toEqual(['enterprise', E, 1]);
    expect(ent.errors[0]).toMatch(/enterprise only/);
    expect(
      tierOf(wallParamsFor(parseWallParams(`?tier=enterprise&id=${E}`), { role: 'enterprise', enterpriseId: E })),
    ).toEqual(['enterprise', E, 0]);
    expect(tierOf(wallParamsFor(city, { role: 'project', projectIds: [P, Q] }))).toEqual(['project', P, 1]);
    expect(
      tierOf(wallParamsFor(parseWallParams(`?tier=project&id=${Q}`), { role: 'project', projectIds: [P, Q] })),
    ).toEqual(['project', Q, 0]);
    expect(wallParamsFor(city, { role: 'project', projectIds: [] }).errors[0]).toMatch(/not given any project/);
    expect(tierOf(wallParamsFor(city, { role: 'authority', regionPrefix: '3702' }))).toEqual(['city', '3702', 1]);
    expect(
      tierOf(wallParamsFor(parseWallParams('?tier=city&id=370212'), { role: 'authority', regionPrefix: '3702' })),
    ).toEqual(['city', '370212', 0]);
    expect(tierOf(wallParamsFor(city, { role: 'viewer', scope: { kind: 'enterprise', enterpriseId: E } }))).toEqual([
      'enterprise',
      E,
      1,
    ]);
  });

  it('says why in the page language (zh-CN first)', () => {
    setLocale('zh-CN');
    expect(wallParamsFor(city, { role: 'enterprise', enterpriseId: E }).errors[0]).toBe(
      '此账号只能查看本企业：显示企业大屏',
    );
    expect(wallParamsFor(city, { role: 'project', projectIds: [P, Q] }).errors[0]).toContain('2 个项目');
    expect(wallParamsFor(city, { role: 'authority', regionPrefix: '3702' }).errors[0]).toContain('区域 3702');
    setLocale('en');
    expect(wallParamsFor(city, { role: 'project', projectIds: [P, Q] }).errors[0]).toBe(
      'This account sees 2 projects only: showing the first project wall',
    );
  });

  it('writes the retargeted tier into the URL, keeping the other parameters', () => {
    expect(wallSearchFor('?tier=city&every=30&tour=abc', { tier: 'enterprise', id: E })).toBe(
      `?tier=enterprise&every=30&tour=abc&id=${E}`,
    );
  });
});
