/**
 * Self and inclusive time of .cpuprofile files by function, and self time by source (wasm, node internals, each
 * package, this repo's files), in ms. With several files (runs of the same job), each figure is the median over them:
 * V8 samples wall time, so on a loaded machine a run's profile charges whatever ran when the process was descheduled,
 * and one run's spike says nothing.   npx tsx bench/profileSummary.ts a.cpuprofile [b.cpuprofile ...] [--top N]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const ti = args.indexOf('--top');
const topN = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 40;

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

function sourceOf(cf: { functionName: string; url: string }): string {
  const url = cf.url;
  if (url.startsWith('wasm://')) return 'wasm';
  if (!url) return cf.functionName.startsWith('(') ? cf.functionName : 'native';
  return (
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('node:') ? 'node:' : url.replace(/^.*\/(server|bench|models|tests)\//, '$1/'))
  );
}

function summarise(p: Profile) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    const src = sourceOf(cf);
    return `${cf.functionName || '(anon)'} ${src}${cf.url && src !== 'wasm' ? ':' + (cf.lineNumber + 1) : ''}`;
  };
  const fn = new Map<string, number>();
  const src = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    total += ms;
    const k = keyOf(id);
    fn.set(k, (fn.get(k) ?? 0) + ms);
    const s = sourceOf(byId.get(id)!.callFrame);
    src.set(s, (src.get(s) ?? 0) + ms);
    // Inclusive: each sample counted once for every distinct function on its stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(keyOf(at));
    for (const x of seen) incl.set(x, (incl.get(x) ?? 0) + ms);
  }
  return { total, fn, src, incl };
}

const runs = args.map((f) => summarise(JSON.parse(readFileSync(f, 'utf8')) as Profile));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
function table(pick: (r: (typeof runs)[number]) => Map<string, number>, n: number): string {
  const keys = new Set(runs.flatMap((r) => [...pick(r).keys()]));
  return [...keys]
    .map((k) => [k, median(runs.map((r) => pick(r).get(k) ?? 0))] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v.toFixed(1).padStart(8)}  ${k}`)
    .join('\n');
}
console.log(
  `total ${median(runs.map((r) => r.total)).toFixed(0)} ms (median of ${runs.length})\n-- self by source\n${table((r) => r.src, 25)}\n` +
    `-- self by function\n${table((r) => r.fn, topN)}\n-- inclusive\n${table((r) => r.incl, topN)}`,
);
