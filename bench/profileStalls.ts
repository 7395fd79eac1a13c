/**
 * The long tasks of a V8 CPU profile (a `.cpuprofile`, as bench/soakProbe.cjs or `node --cpu-prof` write it): runs of
 * busy samples (anything but `(idle)`) longer than a threshold, each with where its time went. A server's latency
 * tail comes from such stretches: every request and push waits them out.
 *
 *   npx tsx bench/profileStalls.ts <file.cpuprofile> [min ms = 100] [how many = 15]
 *
 * Prints, longest first: start (s into the profile), length, the functions with most self time in it and the
 * project functions (server/, models/) on the stack for most of it. Then the same totals over the whole profile.
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
    cur = busy ? { from: times[i - 1] ?? times[i]!, to: times[i]!, samples: [i] } : undefined;
  }
}
if (cur && (cur.to - cur.from) / 1000 >= MIN_MS) stalls.push(cur);

/** Self time per function and, per project function, how much of the time it was on the stack. */
function breakdown(indices: number[]) {
  const self = new Map<string, number>();
  const onStack = new Map<string, number>();
  for (const i of indices) {
    const w = (times[i]! - (times[i - 1] ?? times[i]!)) / 1000;
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
const busyMs = profile.samples.reduce(
  (a, id, i) => (idle(id) ? a : a + (times[i]! - (times[i - 1] ?? times[i]!)) / 1000),
  0,
);
console.log(
  `${file}: ${span.toFixed(1)} s profiled, ${profile.samples.length} samples, busy ${(busyMs / 1000).toFixed(1)} s (${(busyMs / 10 / span) | 0} % of one core)`,
);
console.log(`${stalls.length} busy stretches of ${MIN_MS} ms or more; longest ${COUNT}:`);
for (const s of [...stalls].sort((a, b) => b.to - b.from - (a.to - a.from)).slice(0, COUNT)) {
  const b = breakdown(s.samples);
  console.log(
    `\n  at ${((s.from - profile.startTime) / 1e6).toFixed(1)} s: ${((s.to - s.from) / 1000).toFixed(0)} ms busy`,
  );
  console.log(`    self:\n      ${b.self.join('\n      ')}`);
  if (b.ours.length) console.log(`    project code on the stack:\n      ${b.ours.join('\n      ')}`);
}
const all = breakdown(profile.samples.map((_, i) => i).filter((i) => !idle(profile.samples[i]!)));
console.log(`\nwhole profile, self:\n  ${all.self.join('\n  ')}`);
console.log(`whole profile, project code on the stack:\n  ${all.ours.join('\n  ')}`);
