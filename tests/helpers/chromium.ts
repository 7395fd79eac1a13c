/** Debian's Chromium, driven by playwright-core (never `npx playwright install`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless with SwiftShader WebGL (no GPU here), and nothing that reaches out to the network by itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
