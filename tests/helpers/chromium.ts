/** Debian's Chromium, driven by playwright-core (never `npx playwright install`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless with SwiftShader WebGL (no GPU here), and nothing that reaches out to the network by itself. The page is
 * composited in software, as Chromium does on a PC without a GPU, instead of through SwiftShader's emulated GL: a
 * frame of the 1600x900 map page at 0.5 MP took 314 ms instead of 449-576 ms (bench/mapBudget.ts with
 * BUDGET_CHROMIUM_ARGS=--disable-gpu-compositing, MSAA off, load 5); WebGL itself is still SwiftShader.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-gpu-compositing',
];
