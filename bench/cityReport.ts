/** The report of one store's run of bench/city.ts: what the run measured, printed as the bench always has. */
import { writeFileSync } from 'node:fs';
import type { ViewerResult } from './cityViewers.js';
import { CORES, CRANES, GATEWAYS, PROJECTS, REF_EVERY_S, SECONDS, SENSORS, VIEWERS, WARMUP_S } from './cityConfig.js';

export const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;
export const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** What one store's run measured (bench/city.ts `run`). */
export interface CityRun {
  kind: string;
  /** Devices in the city: readings a second at the full rate. */
  rate: number;
  acked: number;
  sent: number;
  statuses: Map<number, number>;
  refused: number;
  failed: number;
  /** Gateway round trips in the measured window, ms. */
  rtt: number[];
  v: { n: number; p50: number; p99: number; max: number } & ViewerResult;
  alarmsRaised: number;
  serverCpuS: number;
  serverCpuPct: number;
  pgCpuS: number;
  pgCpuPct: number;
  ackedInWindow: number;
  wallS: number;
  /** The reference query's backend CPU in the window, s (its parallel workers not counted). */
  refCpuS: number;
  /** bench/cityPg.ts's lines (PostgreSQL only). */
  pgLines: string[];
  rssStart: number;
  rss: { s: number; mb: number }[];
  times: Map<string, number[]>;
  probeFailures: Map<string, number>;
  tMeasure: number;
  tEnd: number;
  /** The server's output (its error lines and bench/soakProbe.cjs's lines). */
  output: string;
}

export function printReport(r: CityRun): void {
  const { kind, rate, acked, sent, statuses, refused, failed, rtt, v, alarmsRaised } = r;
  const { serverCpuS, serverCpuPct, pgCpuS, pgCpuPct, ackedInWindow, wallS, rssStart, rss, times, probeFailures } = r;
  const { tMeasure, tEnd, output, refCpuS, pgLines } = r;
  const win = Math.min(60, Math.max(10, SECONDS / 6));
  const warmRss = mean(rss.filter((x) => x.s >= WARMUP_S && x.s < WARMUP_S + win).map((x) => x.mb));
  const endRss = mean(rss.filter((x) => x.s >= SECONDS - win).map((x) => x.mb));
  const health = pct(times.get('/api/health (baseline)') ?? [], 50);
  const errorLines = output.split('\n').filter((l) => /"level":(50|60)/.test(l));
  console.log(
    `\n[${kind}] ${SECONDS} s (measured after ${WARMUP_S} s warm-up), ${PROJECTS} projects, ${CRANES} cranes + ${SENSORS} sensors at 1 Hz = ${rate} readings/s by ${GATEWAYS} gateways, ${VIEWERS} viewers`,
  );
  console.log(
    `  acknowledged        ${acked} of ${sent} sent (${((acked / Math.max(1, sent)) * 100).toFixed(2)} %); answers ${JSON.stringify(Object.fromEntries(statuses))}, refused ${refused}, no answer ${failed}; target: all`,
  );
  console.log(
    `  ingest round trip   p50 ${pct(rtt, 50).toFixed(0)} ms, p99 ${pct(rtt, 99).toFixed(0)} ms (one gateway batch of ~${Math.round(rate / GATEWAYS)} readings)`,
  );
  console.log(
    `  ingest -> viewer    p50 ${v.p50} ms, p99 ${v.p99} ms, max ${v.max} ms over ${v.n} deliveries (${v.telemetry} telemetry batches); target p99 < 250 ms`,
  );
  // Where that time goes (bench/stageProbe.cjs, server-side stamps over the same window; each stage's percentile is
  // taken alone, so the parts' p99s do not add up to the whole's).
  const stageLine = output
    .split('\n')
    .filter((l) => l.startsWith('stage-probe {'))
    .at(-1);
  if (stageLine) {
    const sp = JSON.parse(stageLine.slice('stage-probe '.length)) as {
      groups: number;
      writes: number;
      rowsWritten: number;
      stages: Record<string, { n: number; p50: number; p99: number; max: number }>;
    };
    console.log(
      `  stages (per reading) ${sp.groups} group transactions, ${sp.writes} COPY writes, ${(sp.rowsWritten / Math.max(1, sp.writes)).toFixed(0)} rows each on average`,
    );
    for (const [name, x] of Object.entries(sp.stages))
      console.log(
        `    ${name.padEnd(46)} p50 ${String(x.p50).padStart(5)} ms, p99 ${String(x.p99).padStart(5)} ms, max ${String(x.max).padStart(5)} ms`,
      );
    const e = sp.stages['send -> emitted (1 to 6)'];
    if (e)
      console.log(
        `    ${'7 emitted -> viewer (viewer minus send -> emitted)'.padEnd(46)} p50 ${String(v.p50 - e.p50).padStart(5)} ms, p99 ${String(v.p99 - e.p99).padStart(5)} ms (difference of percentiles, not per reading)`,
      );
  }
  console.log(
    `  pushed to viewers   ${v.kpis} KPI messages, ${v.alarms} alarm messages; ${alarmsRaised} alarms listed; viewer disconnects ${v.disconnects}`,
  );
  console.log(
    `  CPU (% of the ${CORES}-core box)  server ${serverCpuPct.toFixed(0)} %${kind === 'pg' ? `, PostgreSQL backends ${pgCpuPct.toFixed(0)} %` : ' (embedded database included)'}, viewers ${(v.cpuPct / CORES).toFixed(0)} %; target server < 50 % on PostgreSQL`,
  );
  console.log(
    `  CPU per 1 000 readings  server ${((serverCpuS / ackedInWindow) * 1e6).toFixed(0)} ms${kind === 'pg' ? `, PostgreSQL backends ${((pgCpuS / ackedInWindow) * 1e6).toFixed(0)} ms` : ''} (${ackedInWindow} acknowledged in the measured window, ${(ackedInWindow / wallS).toFixed(0)}/s)`,
  );
  console.log(
    `  server RSS          start ${rssStart.toFixed(0)} MB, after warm-up ${warmRss.toFixed(0)} MB, end ${endRss.toFixed(0)} MB: growth after warm-up ${((endRss / warmRss - 1) * 100).toFixed(1)} % (target < 10 %)`,
  );
  let slowest = ['', 0] as [string, number];
  for (const [name, xs] of times) {
    const p99 = pct(xs, 99);
    if (!name.startsWith('/api/health') && !name.startsWith('count') && p99 > slowest[1]) slowest = [name, p99];
    console.log(
      `  ${name.padEnd(28)} p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms, p99 ${p99.toFixed(0).padStart(5)} ms  (${xs.length} calls; p50 ${(pct(xs, 50) / health).toFixed(1)}x /api/health)${probeFailures.get(name) ? `; ${probeFailures.get(name)} failed or over 30 s` : ''}`,
    );
  }
  for (const [name, failures] of probeFailures)
    if (!times.has(name)) console.log(`  ${name.padEnd(28)} every call failed or took over 30 s (${failures} calls)`);
  if (kind === 'pg')
    console.log(
      `  reference query     count(*) of today's telemetry every ${REF_EVERY_S} s (not counted in PostgreSQL backends above): ${(times.get('count(*) today (PostgreSQL)') ?? []).length} calls, its backend ${refCpuS.toFixed(1)} s CPU = ${((refCpuS / ackedInWindow) * 1e6).toFixed(1)} ms per 1 000 readings (parallel workers not counted)`,
    );
  for (const l of pgLines) console.log(`  ${l}`);
  console.log(`  slowest endpoint    ${slowest[0]}: p99 ${slowest[1].toFixed(0)} ms; city KPIs target < 100 ms`);
  // The server's own event loop (bench/soakProbe.cjs, every 5 s): where a latency tail comes from the server's one
  // thread (a stall delays every request and push behind it) rather than from the store.
  const loopProbes = output
    .split('\n')
    .filter((l) => l.startsWith('soak-probe {'))
    .map(
      (l) =>
        JSON.parse(l.slice('soak-probe '.length)) as {
          t: number;
          eldP99: number;
          eldMax: number;
          allEldP99: number;
          allEldMax: number;
          heapUsed: number;
          gcN: number;
          gcMs: number;
          gcMax: number;
          gcMaxKind: string;
        },
    );
  // The probe's 5 s windows that lie in the measured window (a line at `t` covers the 5 s before it). The whole
  // run's figures include the start: the viewers subscribing, each city viewer's snapshot of every device.
  const inWindow = loopProbes.filter((p) => p.t - 5000 >= tMeasure && p.t <= tEnd + 5000);
  if (loopProbes.length)
    console.log(
      `  server event loop   measured window: max ${Math.max(...inWindow.map((p) => p.eldMax))} ms, worst 5 s window p99 ${Math.max(...inWindow.map((p) => p.eldP99))} ms (${inWindow.length} windows); whole run, start included: p99 ${loopProbes.at(-1)!.allEldP99} ms, max ${loopProbes.at(-1)!.allEldMax} ms; JS heap at end ${(loopProbes.at(-1)!.heapUsed / 2 ** 20).toFixed(0)} MB`,
    );
  if (inWindow.length) {
    const worst = inWindow.reduce((a, b) => (b.gcMax > a.gcMax ? b : a));
    const gcMs = inWindow.reduce((a, b) => a + b.gcMs, 0);
    const gcN = inWindow.reduce((a, b) => a + b.gcN, 0);
    console.log(
      `  server GC           measured window: ${gcN} pauses, ${(gcMs / 1000).toFixed(1)} s in all; longest ${worst.gcMax} ms (${worst.gcMaxKind}); 5 s windows with a pause over 100 ms: ${inWindow.filter((p) => p.gcMax > 100).length} of ${inWindow.length}`,
    );
  }
  // CITY_PROBE_LOG=<file>: the probe's lines (one per 5 s: event-loop delay, GC, heap), to line up with a profile.
  if (process.env.CITY_PROBE_LOG)
    writeFileSync(
      process.env.CITY_PROBE_LOG,
      output
        .split('\n')
        .filter((l) => l.startsWith('soak-probe'))
        .join('\n') + '\n',
    );
  const profile = output
    .split('\n')
    .find((l) => l.startsWith('soak-probe profile') && !l.startsWith('soak-probe profile started'));
  if (profile) console.log(`  ${profile}`);
  for (const l of errorLines.slice(0, 5)) console.log(`  server error: ${l.slice(0, 300)}`);
}
