/**
 * The long tasks of a V8 CPU profile (a `.cpuprofile`, as bench/soakProbe.cjs or `node --cpu-prof` write it): runs of
 * busy samples (anything but `(idle)`) longer than a threshold, each with where its time went. A server's latency
 * tail comes from such stretches: every request and push waits them out.
 *
 *   npx tsx bench/profileStalls.ts <file.cpuprofile> [min ms = 100] [how many = 15]
 *
 * Prints, longest first: start (s into the profile), length, how many samples it holds, the functions with most self
 * time in it and the project functions (server/, models/) on the stack for most of it. Then the same totals over the
 * whole profile, and the longest gaps without any sample.
 *
 * A gap without samples is not busy time: the profiler samples the thread every interval (1 ms in soakProbe.cjs),
 * idle or not, so a gap means the thread was not running at all (descheduled on a loaded box) or its sampler was not.
 * The event loop is late by such a gap too, but no code of the process ran in it: a stretch starts at its first busy
 * sample, and a gap of 20 ms or more ends it. (An earlier version started a stretch at the sample before it, so a
 * busy sample after a long gap counted the whole gap as busy: on a loaded box most "stalls" it listed were gaps.)
 */
import { readFileSync } from 'node:fs';

type Frame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

const [file, minArg, countArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profileStalls.ts <file.cpuprofile> [min ms] [how many]');
  process.exit(2);
}
const MIN_MS = Number(minArg ?? 100);
const COUNT = Number(countArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (f: Frame) => {
  const where = f.url
    ? `${f.url.replace(/^file:\/\//, '').replace(/^.*?\/(server|models|node_modules)\//, '$1/')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};
const ours = (f: Frame) => /\/(server|models)\//.test(f.url) && !f.url.includes('node_modules');

// Sample times: startTime plus the running sum of timeDeltas (microseconds).
const times: number[] = [];
let t = profile.startTime;
for (const d of profile.timeDeltas) times.push((t += d));
const idle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';

type Stall = { from: number; to: number; samples: number[] };
const stalls: Stall[] = [];
let cur: Stall | undefined;
for (let i = 0; i < profile.samples.length; i++) {
  const busy = !idle(profile.samples[i]!);
  // A gap much longer than the sampling interval means the thread was not sampled (it waited): close the run.
  const gap = i > 0 ? times[i]! - times[i - 1]! : 0;
  if (busy && cur && gap < 20_000) {
    cur.to = times[i]!;
    cur.samples.push(i);
  } else {
    if (cur && (cur.to - cur.from) / 1000 >= MIN_MS) stalls.push(cur);
    // From the previous sample when it is one interval away; after a gap, from this sample (the gap was not busy).
    cur = busy ? { from: i > 0 && gap < 20_000 ? times[i - 1]! : times[i]!, to: times[i]!, samples: [i] } : undefined;
  }
}
if (cur && (cur.to - cur.from) / 1000 >= MIN_MS) stalls.push(cur);

/** Self time per function and, per project function, how much of the time it was on the stack. */
/** A sample's weight: the time since the previous sample, up to 20 ms (a longer gap is not counted: see above). */
const weight = (i: number) => {
  const d = (times[i]! - (times[i - 1] ?? times[i]!)) / 1000;
  return d < 20 ? d : 0;
};

function breakdown(indices: number[]) {
  const self = new Map<string, number>();
  const onStack = new Map<string, number>();
  for (const i of indices) {
    const w = weight(i);
    let id: number | undefined = profile.samples[i]!;
    const f0 = byId.get(id)!.callFrame;
    self.set(label(f0), (self.get(label(f0)) ?? 0) + w);
    const seen = new Set<string>();
    while (id !== undefined) {
      const f = byId.get(id)!.callFrame;
      if (ours(f)) seen.add(label(f));
      id = parent.get(id);
    }
    for (const s of seen) onStack.set(s, (onStack.get(s) ?? 0) + w);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${name}`);
  return { self: top(self, 6), ours: top(onStack, 8) };
}

const span = (times.at(-1)! - profile.startTime) / 1e6;
/** The sampling interval: the median time between samples (microseconds). */
const interval = [...profile.timeDeltas].sort((a, b) => a - b)[profile.timeDeltas.length >> 1] ?? 1000;
const busyMs = profile.samples.reduce((a, id, i) => (idle(id) ? a : a + weight(i)), 0);
const gaps: { at: number; ms: number; before: string; after: string }[] = [];
for (let i = 1; i < profile.samples.length; i++) {
  const ms = (times[i]! - times[i - 1]!) / 1000;
  if (ms >= 20)
    gaps.push({
      at: (times[i - 1]! - profile.startTime) / 1e6,
      ms,
      before: byId.get(profile.samples[i - 1]!)!.callFrame.functionName || '(anonymous)',
      after: byId.get(profile.samples[i]!)!.callFrame.functionName || '(anonymous)',
    });
}
console.log(
  `${file}: ${span.toFixed(1)} s profiled, ${profile.samples.length} samples, busy ${(busyMs / 1000).toFixed(1)} s (${(busyMs / 10 / span) | 0} % of one core)`,
);
console.log(`${stalls.length} busy stretches of ${MIN_MS} ms or more; longest ${COUNT}:`);
for (const s of [...stalls].sort((a, b) => b.to - b.from - (a.to - a.from)).slice(0, COUNT)) {
  const b = breakdown(s.samples);
  console.log(
    `\n  at ${((s.from - profile.startTime) / 1e6).toFixed(1)} s: ${((s.to - s.from) / 1000).toFixed(0)} ms busy (${s.samples.length} samples: ~${((s.samples.length * interval) / 1000).toFixed(0)} ms running at the ${(interval / 1000).toFixed(1)} ms interval, the rest shorter gaps)`,
  );
  console.log(`    self:\n      ${b.self.join('\n      ')}`);
  if (b.ours.length) console.log(`    project code on the stack:\n      ${b.ours.join('\n      ')}`);
}
const all = breakdown(profile.samples.map((_, i) => i).filter((i) => !idle(profile.samples[i]!)));
console.log(`\nwhole profile, self:\n  ${all.self.join('\n  ')}`);
console.log(`whole profile, project code on the stack:\n  ${all.ours.join('\n  ')}`);
const gapMs = gaps.reduce((a, g) => a + g.ms, 0);
console.log(
  `\n${gaps.length} gaps of 20 ms or more without a sample (the thread not running), ${(gapMs / 1000).toFixed(1)} s in all; longest:`,
);
for (const g of [...gaps].sort((a, b) => b.ms - a.ms).slice(0, COUNT))
  console.log(`  at ${g.at.toFixed(1)} s: ${g.ms.toFixed(0)} ms, between ${g.before} and ${g.after}`);
