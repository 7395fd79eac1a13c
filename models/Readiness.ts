import { z } from 'zod';
import { DeviceKind } from './Device.js';
import { BlacklistedDevice } from './Vendor.js';

/**
 * Smart-site readiness, in the shape provinces grade sites (e.g. Jiangsu 2023): a table of items with points and
 * veto flags, each checked against live data in the store, never a checkbox. A failed veto item fails the site
 * whatever its score.
 */

/** What an item checks, each a fact the store holds. */
export const ReadinessCheck = z.discriminatedUnion('kind', [
  /** Devices of `deviceKind` registered, and every one reporting within its expected interval (`withinMs` overrides). */
  z
    .object({
      kind: z.literal('devices_reporting'),
      deviceKind: DeviceKind,
      withinMs: z.number().int().positive().optional(),
    })
    .strict(),
  /** Devices of `deviceKind` registered, and every one sent all of `fields` within `withinMs` (e.g. PM2.5 + PM10 hourly). */
  z
    .object({
      kind: z.literal('fields_uploaded'),
      deviceKind: DeviceKind,
      fields: z.array(z.string().min(1)).min(1),
      withinMs: z.number().int().positive(),
    })
    .strict(),
  /** Cameras registered, and every one's latest state is `online: true` within its expected interval. */
  z.object({ kind: z.literal('cameras_online') }).strict(),
  /** At least one of the project's IFC models is converted (`ready`). */
  z.object({ kind: z.literal('model_ready') }).strict(),
  /** A schedule is imported and actual element status was recorded within `withinDays`. */
  z.object({ kind: z.literal('progress_recorded'), withinDays: z.number().int().positive() }).strict(),
]);
export type ReadinessCheck = z.infer<typeof ReadinessCheck>;

/**
 * When an item counts: `always`, or only `when_present` (the devices it checks are registered; for pit gauges also
 * when a model holds an earthworks cut, i.e. the site has a pit). An item that does not apply is left out of the
 * maximum instead of scoring zero.
 */
export const ReadinessApplies = z.enum(['always', 'when_present']);

export const ReadinessItem = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
    label: z.string().min(1).max(100),
    points: z.number().int().min(0).max(100),
    veto: z.boolean().default(false),
    applies: ReadinessApplies.default('always'),
    check: ReadinessCheck,
  })
  .strict();
export type ReadinessItem = z.infer<typeof ReadinessItem>;

/** Grades, worst first. */
export const ReadinessGrade = z.enum(['fail', 'pass', 'good', 'excellent']);
export type ReadinessGrade = z.infer<typeof ReadinessGrade>;

/** The whole table: items and the score (0-100, over the items that apply) each grade needs. */
export const ReadinessConfig = z
  .object({
    items: z.array(ReadinessItem).min(1).max(100),
    thresholds: z
      .object({
        pass: z.number().min(0).max(100),
        good: z.number().min(0).max(100),
        excellent: z.number().min(0).max(100),
      })
      .strict()
      .refine((t) => t.pass <= t.good && t.good <= t.excellent, 'thresholds must rise: pass <= good <= excellent'),
  })
  .strict()
  .refine((c) => new Set(c.items.map((i) => i.id)).size === c.items.length, 'item ids must be unique');
export type ReadinessConfig = z.infer<typeof ReadinessConfig>;

/** The default table (100 points): lifting machinery, dust and noise, video, attendance, pit, BIM, progress. */
export const DEFAULT_READINESS: ReadinessConfig = ReadinessConfig.parse({
  thresholds: { pass: 60, good: 75, excellent: 90 },
  items: [
    {
      id: 'crane',
      label: 'Tower crane monitoring',
      points: 20,
      veto: true,
      check: { kind: 'devices_reporting', deviceKind: 'tower_crane' },
    },
    {
      id: 'hoist',
      label: 'Hoist monitoring',
      points: 10,
      applies: 'when_present',
      check: { kind: 'devices_reporting', deviceKind: 'hoist' },
    },
    {
      id: 'dust',
      label: 'Dust PM2.5 / PM10 uploaded hourly',
      points: 15,
      veto: true,
      check: {
        kind: 'fields_uploaded',
        deviceKind: 'env_monitor',
        fields: ['pm25Ugm3', 'pm10Ugm3'],
        withinMs: 3_600_000,
      },
    },
    {
      id: 'noise',
      label: 'Noise uploaded hourly',
      points: 10,
      check: { kind: 'fields_uploaded', deviceKind: 'env_monitor', fields: ['noiseDb'], withinMs: 3_600_000 },
    },
    { id: 'video', label: 'Video online', points: 15, check: { kind: 'cameras_online' } },
    {
      id: 'attendance',
      label: 'Real-name attendance',
      points: 10,
      check: { kind: 'devices_reporting', deviceKind: 'gate' },
    },
    {
      id: 'pit',
      label: 'Foundation pit monitoring',
      points: 10,
      veto: true,
      applies: 'when_present',
      check: { kind: 'devices_reporting', deviceKind: 'pit_gauge' },
    },
    { id: 'bim', label: 'BIM model converted', points: 5, check: { kind: 'model_ready' } },
    {
      id: 'progress',
      label: 'Progress recorded this week',
      points: 5,
      check: { kind: 'progress_recorded', withinDays: 7 },
    },
  ],
});

/** Per device kind: how many are registered, and how many pass the check (reporting / uploading / online). */
export interface DeviceFact {
  registered: number;
  passing: number;
  /** Registered devices of a blacklisted vendor (never passing, whatever they report). */
  blacklisted?: number;
}

/** The live facts of one project that the items are scored from (gathered by the store, one per item). */
export interface ReadinessFacts {
  projectId: string;
  /** Per item id: the device fact of a device check. */
  devices: Record<string, DeviceFact>;
  modelsReady: number;
  /** A model of the project holds an earthworks cut / excavation: the site has a pit. */
  pitInModel: boolean;
  scheduled: boolean;
  /** Epoch ms of the newest actual-status record, or null. */
  progressRecordedAt: number | null;
  /** The project's devices of blacklisted vendors (models/Vendor.ts). */
  blacklistedDevices?: BlacklistedDevice[];
}

export const ItemStatus = z.enum(['met', 'partial', 'missing', 'not_applicable']);

export const ItemScore = z.object({
  id: z.string(),
  label: z.string(),
  points: z.number(),
  earned: z.number(),
  veto: z.boolean(),
  status: ItemStatus,
  /** What was found, for people: "2 of 3 registered reporting" (English; clients word `facts` in their language). */
  detail: z.string(),
  /** The same, as facts a client can word in its own language. */
  facts: z
    .object({
      modelsReady: z.number().int().optional(),
      scheduled: z.boolean().optional(),
      progressRecordedAt: z.number().nullable().optional(),
      registered: z.number().int().optional(),
      passing: z.number().int().optional(),
      blacklisted: z.number().int().optional(),
      /** What "passing" means for the item: reporting, online, or uploading `fields`. */
      verb: z.enum(['reporting', 'online', 'uploading']).optional(),
      fields: z.array(z.string()).optional(),
      absent: z.boolean().optional(),
    })
    .optional(),
});
export type ItemScore = z.infer<typeof ItemScore>;

export const ProjectReadiness = z.object({
  projectId: z.string().uuid(),
  /** Points earned / points of the items that apply x 100, rounded. */
  score: z.number(),
  earned: z.number(),
  max: z.number(),
  grade: ReadinessGrade,
  /** Ids of veto items that failed (the grade is `fail` when any). */
  vetoFailed: z.array(z.string()),
  items: z.array(ItemScore),
  /**
   * Devices of a vendor on the authority's blacklist: each counts against the item that checks its kind (registered,
   * never passing), with the vendor and the reason.
   */
  blacklistedDevices: z.array(BlacklistedDevice),
  at: z.number().int(),
});
export type ProjectReadiness = z.infer<typeof ProjectReadiness>;

/**
 * Scores a project. An item earns its points only when fully met (every registered device passing); partly met
 * earns nothing but says so, because provinces score items whole.
 */
export function scoreReadiness(cfg: ReadinessConfig, f: ReadinessFacts, now: number): ProjectReadiness {
  const items: ItemScore[] = cfg.items.map((item) => {
    const base = { id: item.id, label: item.label, points: item.points, veto: item.veto };
    const c = item.check;
    if (c.kind === 'model_ready') {
      return {
        ...base,
        earned: f.modelsReady > 0 ? item.points : 0,
        status: f.modelsReady > 0 ? 'met' : 'missing',
        detail: `${f.modelsReady} model(s) converted`,
        facts: { modelsReady: f.modelsReady },
      };
    }
    if (c.kind === 'progress_recorded') {
      const fresh =
        f.scheduled && f.progressRecordedAt !== null && now - f.progressRecordedAt <= c.withinDays * 86_400_000;
      const detail = !f.scheduled
        ? 'no schedule imported'
        : f.progressRecordedAt === null
          ? 'schedule imported, no status recorded'
          : `last status recorded ${new Date(f.progressRecordedAt).toISOString()}`;
      return {
        ...base,
        earned: fresh ? item.points : 0,
        status: fresh ? 'met' : f.scheduled ? 'partial' : 'missing',
        detail,
        facts: { scheduled: f.scheduled, progressRecordedAt: f.progressRecordedAt },
      };
    }
    const d = f.devices[item.id] ?? { registered: 0, passing: 0 };
    const present =
      d.registered > 0 || (c.kind === 'devices_reporting' && c.deviceKind === 'pit_gauge' && f.pitInModel);
    if (item.applies === 'when_present' && !present)
      return {
        ...base,
        earned: 0,
        status: 'not_applicable',
        detail: 'not present on this site',
        facts: { absent: true },
      };
    const met = d.registered > 0 && d.passing === d.registered;
    const status = met ? 'met' : d.passing > 0 ? 'partial' : 'missing';
    const black = d.blacklisted ? `; ${d.blacklisted} of a blacklisted vendor` : '';
    const verb = c.kind === 'cameras_online' ? 'online' : c.kind === 'fields_uploaded' ? 'uploading' : 'reporting';
    const fields = c.kind === 'fields_uploaded' ? c.fields : undefined;
    const verbText = fields ? `uploading ${fields.join(' + ')}` : verb;
    return {
      ...base,
      earned: met ? item.points : 0,
      status,
      detail: d.registered ? `${d.passing} of ${d.registered} registered ${verbText}${black}` : 'none registered',
      facts: {
        registered: d.registered,
        passing: d.passing,
        blacklisted: d.blacklisted ?? 0,
        verb,
        ...(fields ? { fields: [...fields] } : {}),
      },
    };
  });
  const applicable = items.filter((i) => i.status !== 'not_applicable');
  const max = applicable.reduce((s, i) => s + i.points, 0);
  const earned = applicable.reduce((s, i) => s + i.earned, 0);
  const score = max === 0 ? 0 : Math.round((earned / max) * 100);
  const vetoFailed = applicable.filter((i) => i.veto && i.status !== 'met').map((i) => i.id);
  const t = cfg.thresholds;
  const grade: ReadinessGrade =
    vetoFailed.length || score < t.pass ? 'fail' : score < t.good ? 'pass' : score < t.excellent ? 'good' : 'excellent';
  const blacklistedDevices = f.blacklistedDevices ?? [];
  return { projectId: f.projectId, score, earned, max, grade, vetoFailed, items, blacklistedDevices, at: now };
}
