import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { viteStaticCopy } from 'vite-plugin-static-copy';

const root = fileURLToPath(new URL('.', import.meta.url));
const cesiumBuild = 'node_modules/cesium/Build/Cesium';
/** Where Cesium's static files (workers, assets, widgets CSS) are served from; the client sets CESIUM_BASE_URL to it. */
const CESIUM_BASE_URL = '/cesium/';
/**
 * Node test files that need a fresh worker each (the 'node-isolated' project): they mock modules (vi.mock), or, as the
 * client tests do, put a fake DOM, window or fake timers on globalThis and switch the UI language module-wide.
 */
const NODE_ISOLATED = ['tests/server/ingest/deviceKeyCache.test.ts', 'tests/client/devices/DeviceQualityView.test.ts'];

export default defineConfig({
  // Absolute, so the build finds client/index.html from any working directory (npm start, tests, CI).
  root: `${root}client`,
  publicDir: false,
  define: {
    CESIUM_BASE_URL: JSON.stringify(CESIUM_BASE_URL),
  },
  build: {
    outDir: `${root}dist/client`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  plugins: [
    viteStaticCopy({
      targets: ['Workers', 'ThirdParty', 'Assets', 'Widgets'].map((d) => ({
        src: `${root}${cesiumBuild}/${d}`,
        dest: 'cesium',
      })),
    }),
  ],
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
  test: {
    root,
    projects: [
      {
        test: {
          name: 'node',
          root,
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'node_modules/**', ...NODE_ISOLATED],
          environment: 'node',
          globalSetup: ['tests/helpers/globalSetup.ts'],
          setupFiles: ['tests/helpers/fileSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          // The two workers run file after file without a fresh process each: the server's modules, web-ifc, PGlite
          // and the rest are imported once per worker instead of once per file. Files that mock modules or install
          // globals run in node-isolated. Vitest still restores spies between files.
          isolate: false,
        },
      },
      {
        test: {
          name: 'node-isolated',
          root,
          include: NODE_ISOLATED,
          environment: 'node',
          globalSetup: ['tests/helpers/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Same workers as 'node' (one pool of two: vitest runs both projects' files together).
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          root,
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/e2eSetup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          // One worker runs the files one after another without a fresh process each: the server's modules and
          // playwright-core are imported once per run instead of once per file, and the Chromium connection is kept
          // (cityStates + placementNotice at load 12-15: import 13.9 -> 7.3 s, vitest's own CPU 42.7 -> 36.9 s).
          // Every file still starts its own server and browser context; no e2e file stubs globals or the environment.
          isolate: false,
        },
      },
    ],
  },
});
