import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { viteStaticCopy } from 'vite-plugin-static-copy';

const root = fileURLToPath(new URL('.', import.meta.url));
const cesiumBuild = 'node_modules/cesium/Build/Cesium';
/** Where Cesium's static files (workers, assets, widgets CSS) are served from; the client sets CESIUM_BASE_URL to it. */
const CESIUM_BASE_URL = '/cesium/';

export default defineConfig({
  root: 'client',
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
    {
      // server/clientBuild.ts calls build({ root: <repo root>, configFile }) meaning "this project"; an inline root
      // would win over `root: 'client'` above and Vite would look for <repo>/index.html. The client's sources live in
      // client/, whoever builds it, so pin it here (a plugin's config result is merged over the inline one).
      name: 'site-twin:client-root',
      apply: 'build', // vitest and the dev server keep the configured roots
      config: () => ({ root: `${root}client` }),
    },
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
          exclude: ['tests/e2e/**', 'node_modules/**'],
          environment: 'node',
          globalSetup: ['tests/helpers/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
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
        },
      },
    ],
  },
});
