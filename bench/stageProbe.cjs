/**
 * Preloaded into bench/city.ts's server (NODE_OPTIONS=--require): where the ingest -> viewer time of each reading
 * goes, from the server's stage stamps (server/ops/stageChannels.ts, published only while this probe subscribes).
 * One histogram per stage, in whole milliseconds, each reading counted once (a transaction's steps count once per row
 * it wrote, so their percentiles are a reading's, as the viewer latency is). Each SIGUSR2 writes one line on stderr,
 * `stage-probe {json}`, with p50 / p99 / max of every stage since the previous SIGUSR2 (or the start), and starts
 * again: the bench signals at the start and at the end of its measured window. Read-only: it changes nothing.
 */
'use strict';
const dc = require('node:diagnostics_channel');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) start();

function start() {
  /** name -> Map(ms -> count) */
  let h = new Map();
  let groups = 0;
  let writes = 0;
  let rowsWritten = 0;
  const add = (name, ms, w = 1) => {
    let m = h.get(name);
    if (!m) h.set(name, (m = new Map()));
    const k = Math.round(ms);
    m.set(k, (m.get(k) ?? 0) + w);
  };
  /** deviceId -> when the listeners of the group holding its newest committed reading returned. */
  const notifiedAt = new Map();
  dc.subscribe('sitetwin:ingest.group', (g) => {
    groups++;
    for (const r of g.rows) {
      add('1 send -> received', r.receivedAt - r.time);
      add('2 received -> group write start (queue)', g.start - r.receivedAt);
      notifiedAt.set(r.deviceId, g.notified);
    }
    const n = g.rows.length;
    add('3 group write (transaction)', g.written - g.start, n);
    add('4 written -> earlier groups announced', g.announced - g.written, n);
    add('5 committed listeners (alarms, fan-out, KPIs)', g.notified - g.announced, n);
  });
  dc.subscribe('sitetwin:ingest.write', (s) => {
    writes++;
    rowsWritten += s.rows;
    add('3a build COPY input', s.built - s.start, s.rows);
    add('3b COPY + latest/rollups, committed', s.committed - s.built, s.rows);
  });
  dc.subscribe('sitetwin:live.emit', (e) => {
    for (const r of e.readings) {
      const n = notifiedAt.get(r.deviceId);
      if (n !== undefined) add('6 listeners -> emitted (fan-out tick)', e.at - n);
      add('send -> emitted (1 to 6)', e.at - r.time);
    }
  });
  const pct = (m, total, p) => {
    const index = Math.min(total - 1, Math.floor((p / 100) * total));
    let seen = 0;
    for (const k of [...m.keys()].sort((a, b) => a - b)) {
      seen += m.get(k);
      if (seen > index) return k;
    }
    return NaN;
  };
  process.on('SIGUSR2', () => {
    const stages = {};
    for (const name of [...h.keys()].sort()) {
      const m = h.get(name);
      let n = 0;
      for (const c of m.values()) n += c;
      stages[name] = { n, p50: pct(m, n, 50), p99: pct(m, n, 99), max: Math.max(...m.keys()) };
    }
    process.stderr.write(`stage-probe ${JSON.stringify({ t: Date.now(), groups, writes, rowsWritten, stages })}\n`);
    h = new Map();
    groups = writes = rowsWritten = 0;
  });
}
