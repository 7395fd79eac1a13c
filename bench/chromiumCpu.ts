import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) of a process and all its descendants, read from /proc: `total`, and by Chromium process
 * type (`browser`, `renderer`, `gpu-process`, `utility:<sub-type>`, ...), so a browser bench can say which part of
 * Chromium spent it (SwiftShader's WebGL runs in the GPU process). A process that ends between two reads drops out.
 */
export function chromiumCpu(rootPid: number): Record<string, number> & { total: number } {
  const kids = new Map<number, number[]>();
  const info = new Map<number, { type: string; cpu: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      const cpu = (Number(f[11]) + Number(f[12])) / TICK;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
      info.set(Number(d), { type: sub ? `utility:${sub.split('.').pop()}` : type, cpu });
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const sum: Record<string, number> & { total: number } = { total: 0 };
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    const i = info.get(pid);
    if (i) {
      sum.total += i.cpu;
      sum[i.type] = (sum[i.type] ?? 0) + i.cpu;
    }
    stack.push(...(kids.get(pid) ?? []));
  }
  return sum;
}
