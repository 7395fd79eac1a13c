/**
 * The settings of bench/city.ts, read from the environment (the viewers' process, bench/cityViewers.ts, reads the same
 * environment). See bench/city.ts for what each count means.
 */
import os from 'node:os';

export const QUICK = process.argv.includes('--quick');
export const SECONDS = Number(process.env.CITY_SECONDS ?? (QUICK ? 60 : 600));
export const WARMUP_S = Number(process.env.CITY_WARMUP_S ?? Math.min(60, Math.round(SECONDS / 6)));
/** How often the PostgreSQL reference query (a count(*) of the day's telemetry) runs, in seconds. */
export const REF_EVERY_S = Number(process.env.CITY_REF_EVERY_S ?? 60);
export const SCALE = Number(process.env.CITY_SCALE ?? 1);
const n = (name: string, def: number) => Math.max(1, Math.round(Number(process.env[name] ?? def) * SCALE));
export const PROJECTS = n('CITY_PROJECTS', 1000);
export const ENTERPRISES = n('CITY_ENTERPRISES', 20);
export const CRANES = n('CITY_CRANES', 250);
export const SENSORS = n('CITY_SENSORS', 10_000);
export const GATEWAYS = n('CITY_GATEWAYS', 100);
export const VIEWERS = Number(process.env.CITY_VIEWERS ?? 50);
export const STORES = (process.env.CITY_STORE ?? 'both') === 'both' ? ['pg', 'embedded'] : [process.env.CITY_STORE!];
export const BASE =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const DISTRICTS = ['370202', '370203', '370211', '370212', '370213', '370214', '370215'];
export const CORES = os.cpus().length;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
