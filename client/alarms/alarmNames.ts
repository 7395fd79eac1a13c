import { fetchDevice } from '../devices/deviceApi.js';
import { humanField } from '../devices/deviceFields.js';
import { t, tOr } from '../i18n/i18n.js';

/** Readable names of the alarm rules (models/alarmRules/*, server/alarms/CraneClearanceTracker.ts). */
const RULES: Record<string, string> = {
  'crane.load': 'Crane load',
  'crane.moment': 'Crane load moment',
  'crane.wind': 'Wind at the crane',
  'crane.tilt': 'Crane mast tilt',
  'crane.collision': 'Crane collision risk',
  'hoist.load': 'Hoist cage load',
  'hoist.persons': 'Persons in the hoist cage',
  'env.noise': 'Noise',
  'env.tsp': 'Dust (TSP)',
  'env.pm10': 'Dust (PM10)',
  'env.pm25': 'Dust (PM2.5)',
  'pit.settlement': 'Pit settlement',
  'pit.displacement': 'Pit displacement',
  'pit.rate': 'Pit deformation rate',
  'pit.strut_force': 'Pit strut force',
};

/**
 * A rule id as people read it: `crane.collision:<otherCraneId>` -> "Crane collision risk with <other crane's name>"
 * (the id is a UUID nobody can read; without the name, no id at all). Unknown rules keep their id.
 */
export function ruleLabel(rule: string, deviceName: (id: string) => string | undefined): string {
  const [base, arg] = rule.split(':', 2) as [string, string | undefined];
  const label = RULES[base]
    ? tOr(`rule.${base}`, RULES[base])
    : base.startsWith('sensor.')
      ? t('rule.sensor', { name: humanField(base.slice(7)) })
      : base;
  if (base === 'crane.collision' && arg) {
    const other = deviceName(arg);
    return other ? t('rule.collisionWith', { rule: label, other }) : label;
  }
  return arg && !RULES[base] ? rule : label;
}

/**
 * Device names for alarm rows of any project: the opened site's devices are known locally; others are read once
 * from `api.devices.get` and kept (a name rarely changes, and the feed holds at most a few hundred alarms).
 */
export class DeviceNames {
  private readonly known = new Map<string, string | null>();

  constructor(
    private readonly local: (id: string) => string | undefined,
    private readonly changed: () => void,
  ) {}

  get(id: string): string | undefined {
    const l = this.local(id);
    if (l) return l;
    if (!this.known.has(id)) {
      this.known.set(id, null); // asked once: a refused or missing device stays unnamed rather than asked again
      fetchDevice(id)
        .then((d) => {
          this.known.set(id, d.name);
          this.changed();
        })
        .catch(() => {});
    }
    return this.known.get(id) ?? undefined;
  }
}
