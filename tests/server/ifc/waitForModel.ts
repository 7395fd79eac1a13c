import type { TestServer } from '../../helpers/server.js';

/** Polls `GET /api/v1/models/:id` until the model is ready or failed. */
export async function waitForModel(ts: TestServer, id: string, timeoutMs = 90_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await ts.api('GET', `/api/v1/models/${id}`);
    if (r.body.status === 'ready' || r.body.status === 'failed') return r.body;
    if (Date.now() > end) throw new Error(`model ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

/** Polls `GET /api/v1/models/:id` until its Fragments file is built or has failed (it follows the model being ready). */
export async function waitForFragments(ts: TestServer, id: string, timeoutMs = 120_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await ts.api('GET', `/api/v1/models/${id}`);
    if (r.body.fragments === 'ready' || r.body.fragments === 'failed') return r.body;
    if (Date.now() > end) throw new Error(`model ${id}: fragments still ${r.body.fragments} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 150));
  }
}
