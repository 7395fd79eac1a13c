/**
 * Preloaded into the soak's server process (NODE_OPTIONS=--require): every SOAK_PROBE_MS (5 s) one line on stderr,
 * `soak-probe {json}`, with process.memoryUsage(), the event-loop delay of that interval (p99, max, ms) and the CPU
 * time used since the previous line. Also keeps one event-loop histogram for the whole run (`all*`). Read-only: it
 * changes nothing in the server.
 */
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
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
    };
    win.reset();
    process.stderr.write(`soak-probe ${JSON.stringify(line)}\n`);
  }, period).unref();
}

// SOAK_CPU_PROFILE=<file>: a CPU profile of the main thread for the whole run, written when the process exits
// (Node refuses --cpu-prof in NODE_OPTIONS). Open it in Chrome DevTools or read it with a script.
if (isMainThread && process.env.SOAK_CPU_PROFILE) {
  const inspector = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // A same-thread session answers synchronously, so the profile is written before the process ends.
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(process.env.SOAK_CPU_PROFILE, JSON.stringify(res.profile));
    });
  });
}
