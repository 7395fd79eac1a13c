import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { convertIfc } from '../server/ifc/pipeline/convert.js';
import { ifcToFragments } from '../server/ifc/pipeline/fragments.js';
import { TwinSession } from '../server/ifc/pipeline/twinSession.js';
await import('@thatopen/fragments');
const path = process.argv[2]!;
const bytes = readFileSync(path);
const ins = new Session(); ins.connect();
for (let k = 0; k < 3; k++) {
  const s2 = await TwinSession.open(bytes);
  await convertIfc({ ifcPath: path, outDir: '/tmp/profout', skipFragments: true, session: s2 }, { progress() {}, elements() {} });
  if (k === 2) { await ins.post('Profiler.enable'); await ins.post('Profiler.start'); }
  const t0 = process.cpuUsage();
  await ifcToFragments(bytes, undefined, { writer: process.env.W as 'own' }, s2);
  const u = process.cpuUsage(t0); console.log('job cpu', ((u.user + u.system) / 1000).toFixed(0));
  if (k === 2) { const { profile } = await ins.post('Profiler.stop'); writeFileSync('/tmp/frag.cpuprofile', JSON.stringify(profile)); }
  s2.close();
}
