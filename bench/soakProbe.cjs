/**
 * Preloaded into the soak's server process (NODE_OPTIONS=--require): every SOAK_PROBE_MS (5 s) one line on stderr,
 * `soak-probe {json}`, with process.memoryUsage(), the event-loop delay of that interval (p99, max, ms) and the CPU
 * time used since the previous line. Also keeps one event-loop histogram for the whole run (`all*`). Read-only: it
 * changes nothing in the server.
 */
'use strict';
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

// NODE_OPTIONS reaches worker threads too: only the main thread reports (memoryUsage and CPU are per process anyway).
if (isMainThread) start();

function start() {
  const period = Number(process.env.SOAK_PROBE_MS || 5000);
  const win = monitorEventLoopDelay({ resolution: 10 });
  const all = monitorEventLoopDelay({ resolution: 10 });
  win.enable();
  all.enable();
  let cpu = process.cpuUsage();
  let at = process.hrtime.bigint();
  // Garbage collection pauses of the interval: count, total and longest (ms), to tell GC stalls from long tasks.
  let gc = { n: 0, total: 0, max: 0, kind: '' };
  const GC_KINDS = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.n += 1;
      gc.total += e.duration;
      if (e.duration > gc.max) {
        gc.max = e.duration;
        gc.kind = GC_KINDS[e.detail?.kind] ?? String(e.detail?.kind);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  setInterval(() => {
    const m = process.memoryUsage();
    const now = process.hrtime.bigint();
    const c = process.cpuUsage(cpu);
    const wallUs = Number(now - at) / 1000;
    cpu = process.cpuUsage();
    at = now;
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      eldP99: ms(win.percentile(99)),
      eldMax: ms(win.max),
      allEldP99: ms(all.percentile(99)),
      allEldMax: ms(all.max),
      cpuPct: Math.round(((c.user + c.system) / wallUs) * 1000) / 10,
      gcN: gc.n,
      gcMs: Math.round(gc.total),
      gcMax: Math.round(gc.max * 10) / 10,
      gcMaxKind: gc.kind,
    };
    gc = { n: 0, total: 0, max: 0, kind: '' };
    win.reset();
    process.stderr.write(`soak-probe ${JSON.stringify(line)}\n`);
  }, period).unref();
}

// SOAK_CPU_PROFILE=<file>: a CPU profile of the main thread (Node refuses --cpu-prof in NODE_OPTIONS). Open it in
// Chrome DevTools, or list its long tasks with `npx tsx bench/profileStalls.ts <file>`.
// SOAK_CPU_PROFILE_AFTER_S / SOAK_CPU_PROFILE_FOR_S: profile only that window (seconds from the server's start) and
// write the file when it ends. Without them the whole run is profiled and written when the process exits, which a
// server killed by a signal never does.
if (isMainThread && process.env.SOAK_CPU_PROFILE) {
  const inspector = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const session = new inspector.Session();
  session.connect();
  const file = process.env.SOAK_CPU_PROFILE;
  const after = Number(process.env.SOAK_CPU_PROFILE_AFTER_S || 0);
  const forS = Number(process.env.SOAK_CPU_PROFILE_FOR_S || 0);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // A same-thread session answers synchronously, so the profile is written before the process ends.
    session.post('Profiler.stop', (err, res) => {
      if (err) process.stderr.write(`soak-probe profile failed: ${err.message}\n`);
      else {
        writeFileSync(file, JSON.stringify(res.profile));
        process.stderr.write(`soak-probe profile written: ${file}\n`);
      }
    });
  };
  const begin = () => {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
    // The wall clock of the profile's start, to line its times up with the probe lines' `t`.
    process.stderr.write(`soak-probe profile started ${Date.now()}\n`);
    if (forS > 0) setTimeout(stop, forS * 1000).unref();
  };
  if (after > 0) setTimeout(begin, after * 1000).unref();
  else begin();
  process.on('exit', stop);
}
