import { KpiQuery, type KpiTier } from '../../models/Kpis.js';
import { scopeOfGrant, type UserGrant } from '../../models/User.js';
import { t } from '../i18n/i18n.js';

/** What a wall URL asks for: `/wall?tier=city|enterprise|project&id=&every=&tour=`. */
export interface WallParams {
  tier: KpiTier;
  /** Region code (city), enterprise or project UUID; null for the whole city. */
  id: string | null;
  /** Seconds the automatic tour stays on each project. */
  everyS: number;
  /** A tour to run instead of the automatic one. */
  tourId: string | null;
  /** Problems with the URL, shown on the wall instead of failing (a wall has no one to read a console). */
  errors: string[];
}

export const DEFAULT_EVERY_S = 20;
const MIN_EVERY_S = 5;
const MAX_EVERY_S = 3600;

/** Reads the wall's URL; a bad value falls back to the default and is reported in `errors`. */
export function parseWallParams(search: string): WallParams {
  const q = new URLSearchParams(search);
  const errors: string[] = [];
  const rawTier = q.get('tier') ?? 'city';
  const rawId = q.get('id')?.trim() || undefined;
  const parsed = KpiQuery.safeParse({ tier: rawTier, ...(rawId ? { id: rawId } : {}) });
  let tier: KpiTier = 'city';
  let id: string | null = null;
  if (parsed.success) {
    tier = parsed.data.tier;
    id = parsed.data.id ?? null;
  } else errors.push(t('wall.badTier', { message: parsed.error.issues.map((i) => i.message).join('; ') }));
  let everyS = DEFAULT_EVERY_S;
  const rawEvery = q.get('every');
  if (rawEvery !== null) {
    const n = Number(rawEvery);
    if (Number.isFinite(n) && n >= MIN_EVERY_S && n <= MAX_EVERY_S) everyS = n;
    else errors.push(t('wall.badEvery', { value: rawEvery, min: MIN_EVERY_S, max: MAX_EVERY_S, def: DEFAULT_EVERY_S }));
  }
  const tourRaw = q.get('tour')?.trim();
  const tourId = tourRaw && /^[A-Za-z0-9_-]{1,80}$/.test(tourRaw) ? tourRaw : null;
  if (tourRaw && !tourId) errors.push(t('wall.badTour', { value: tourRaw }));
  return { tier, id, everyS, tourId, errors };
}

/** The wall is designed at 1920x1080 CSS px; larger or smaller screens scale it by the tighter side. */
export const WALL_BASE = { width: 1920, height: 1080 };

/**
 * Scale of the wall's root font size (everything is sized in rem): 1 at 1920x1080, 2 at 3840x2160, and the smaller of
 * the two ratios on other aspect ratios so nothing overflows the short side.
 */
export function wallScale(width: number, height: number): number {
  const s = Math.min(width / WALL_BASE.width, height / WALL_BASE.height);
  return Math.max(0.5, Math.round(s * 1000) / 1000);
}

/** Kept here for the wall's callers; the map module owns it. */
export { mapResolutionScale } from '../map/mapResolution.js';

/**
 * The wall this account may see for what the URL asked: a tier it cannot read (the whole city for an enterprise or
 * project account) becomes the widest one it can (its region, enterprise or first project), with a note on the wall
 * saying so; a request it can read is kept. Without an account (AUTH=off) nothing changes.
 */
export function wallParamsFor(params: WallParams, grant: UserGrant | null): WallParams {
  if (!grant) return params;
  const s = scopeOfGrant(grant);
  const { tier, id } = params;
  const say = (to: Pick<WallParams, 'tier' | 'id'>, why: string): WallParams => ({
    ...params,
    ...to,
    errors: [...params.errors, why],
  });
  switch (s.kind) {
    case 'all':
      return params;
    case 'region':
      // Enterprise walls count projects outside a region; projects are checked by the server.
      if (tier === 'project' || (tier === 'city' && id !== null && id.startsWith(s.regionPrefix))) return params;
      return say({ tier: 'city', id: s.regionPrefix }, t('wall.onlyRegion', { region: s.regionPrefix }));
    case 'enterprise':
      if (tier === 'project' || (tier === 'enterprise' && id === s.enterpriseId)) return params;
      return say({ tier: 'enterprise', id: s.enterpriseId }, t('wall.onlyEnterprise'));
    case 'projects': {
      if (tier === 'project' && id !== null && s.projectIds.includes(id)) return params;
      const first = s.projectIds[0];
      if (!first) return say({ tier, id }, t('wall.noProject'));
      return say(
        { tier: 'project', id: first },
        s.projectIds.length === 1 ? t('wall.onlyOneProject') : t('wall.onlyProjects', { n: s.projectIds.length }),
      );
    }
  }
}

/** The wall URL's query for params (after `wallParamsFor` retargeted them), keeping every other parameter. */
export function wallSearchFor(search: string, p: Pick<WallParams, 'tier' | 'id'>): string {
  const q = new URLSearchParams(search);
  q.set('tier', p.tier);
  if (p.id) q.set('id', p.id);
  else q.delete('id');
  return `?${q.toString()}`;
}
