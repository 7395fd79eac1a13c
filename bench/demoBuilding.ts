/**
 * Demo building generator benchmark (about 1-2 minutes on 2 cores). For a small, a medium and a large building
 * (BENCH_LARGE_STOREYS storeys of a 41 x 41 column grid, default 50 -> ~100k elements, ~100+ MB), streamed to a
 * temporary file with writeDemoBuilding:
 *  - baseline: web-ifc's own writer cost per STEP line (WriteLine of bare IfcCartesianPoint objects + SaveModel),
 *    measured in the same run;
 *  - generator: microseconds per line and per element, ratio to the baseline (1.0 = no overhead over web-ifc);
 *  - peak RSS (from /proc/self/status VmHWM) and bytes written; then reopens the large file in web-ifc and counts
 *    IFCELEMENT to check it is whole.
 */
import { createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoBuilding, type DemoBuildingOptions } from '../server/ifc/pipeline/demoBuilding.js';
import { createIfcApi, openModel, WebIFC } from '../server/ifc/pipeline/webIfc.js';

const LARGE_STOREYS = Number(process.env.BENCH_LARGE_STOREYS ?? 50);

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const api = await createIfcApi();

// Baseline: the bare writer.
const N = 200_000;
const I = (WebIFC as unknown as { IFC4: Record<string, any> }).IFC4;
const base = api.CreateModel({ schema: 'IFC4' });
let t = performance.now();
for (let i = 0; i < N; i++)
  api.WriteLine(
    base,
    new I.IfcCartesianPoint([new I.IfcLengthMeasure(i), new I.IfcLengthMeasure(0.5), new I.IfcLengthMeasure(3)]),
  );
let baseBytes = 0;
api.SaveModelToCallback(base, (c) => (baseBytes += c.length));
const baseUsPerLine = ((performance.now() - t) * 1000) / N;
api.CloseModel(base);
console.log(
  `baseline  web-ifc WriteLine+Save: ${baseUsPerLine.toFixed(1)} us/line (${N} lines, ${(baseBytes / 1e6).toFixed(1)} MB)`,
);

const cases: Array<[string, DemoBuildingOptions]> = [
  ['small ', { name: 'bench-small', lon: 120.4, lat: 36.07, storeys: 3, widthM: 24, depthM: 16 }],
  [
    'medium',
    { name: 'bench-medium', lon: 120.4, lat: 36.07, storeys: 30, widthM: 96, depthM: 64, baysX: 12, baysY: 8 },
  ],
  [
    'large ',
    {
      name: 'bench-large',
      lon: 120.4,
      lat: 36.07,
      storeys: LARGE_STOREYS,
      widthM: 320,
      depthM: 320,
      baysX: 40,
      baysY: 40,
    },
  ],
];
let largeFile = '';
let largeElements = 0;
for (const [label, opts] of cases) {
  const file = join(tmpdir(), `${opts.name}.ifc`);
  const out = createWriteStream(file);
  t = performance.now();
  // Chunks are copied because web-ifc reuses its buffer; the stream applies backpressure only through memory here.
  const stats = writeDemoBuilding(api, opts, (c) => out.write(Buffer.from(c)));
  const ms = performance.now() - t;
  await new Promise<void>((r) => out.end(r));
  const usLine = (ms * 1000) / stats.lines;
  console.log(
    `${label}  ${stats.elements} elements, ${stats.lines} lines, ${(statSync(file).size / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s: ` +
      `${usLine.toFixed(1)} us/line (ratio to baseline ${(usLine / baseUsPerLine).toFixed(2)}), ${((ms * 1000) / stats.elements).toFixed(0)} us/element, peak RSS so far ${peakRssMb().toFixed(0)} MB`,
  );
  if (label.startsWith('large')) {
    largeFile = file;
    largeElements = stats.elements;
  } else rmSync(file);
}

t = performance.now();
const id = openModel(api, readFileSync(largeFile));
const count = api.GetLineIDsWithType(id, WebIFC.IFCELEMENT, true).size();
console.log(
  `reopen    large file: ${count} IFCELEMENT (${count === largeElements ? 'matches' : 'MISMATCH'}) in ${((performance.now() - t) / 1000).toFixed(1)} s, peak RSS ${peakRssMb().toFixed(0)} MB`,
);
api.CloseModel(id);
rmSync(largeFile);
