import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built client from `dist/client`, with `index.html` for every non-API path (deep links such as
 * `/?project=…` or `/project/…`). Without a build it says how to make one.
 */
export function staticClient(distDir: string): Router {
  const r = Router();
  const index = join(distDir, 'index.html');
  r.use(
    express.static(distDir, {
      index: false,
      setHeaders(res, path) {
        // Hashed bundles and Cesium's assets never change under one name; index.html must revalidate.
        if (/[\\/]assets[\\/]|[\\/]cesium[\\/]/.test(path)) res.setHeader('Cache-Control', 'public, max-age=86400');
      },
    }),
  );
  r.get(/^(?!\/api\/|\/socket\.io\/).*/, (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The client is not built. Run `npm run build` (npm start does it for you).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
