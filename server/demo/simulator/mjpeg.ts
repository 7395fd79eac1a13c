import { Router, type Request, type Response } from 'express';
import jpeg from 'jpeg-js';
import { z } from 'zod';
import { ErrorCode } from '../../../models/errors.js';
import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { api, routePath } from '../../../models/api/index.js';

/** Size and rate of the generated picture: small enough to encode in pure JS in a few ms on one core. */
export const MJPEG_WIDTH = 320;
export const MJPEG_HEIGHT = 180;
export const MJPEG_FPS = 2;
const BOUNDARY = 'sitetwinframe';

/**
 * Simulated cameras that have a stream. The in-app simulation registers its demo cameras here and removes them on
 * stop, so the routes answer 404 for any other id and for everything once the simulator is off. Keyed by device id
 * (UUIDs), so several servers in one test process cannot collide.
 */
export const simCameras = new Map<string, { seed: number }>();

/**
 * One generated frame: a site seen from a pole camera (sky, ground, a building that rises, a crane whose jib
 * swings with time) and a bar that sweeps once every few seconds, so consecutive frames always differ.
 */
export function renderFrame(seed: number, t: number, width = MJPEG_WIDTH, height = MJPEG_HEIGHT): Buffer {
  const data = Buffer.alloc(width * height * 4);
  const horizon = Math.round(height * 0.62);
  const s = t / 1000;
  const jibAngle = Math.sin(s / 6 + seed) * 0.9; // radians, as seen from the camera
  const mastX = Math.round(width * (0.3 + 0.1 * ((seed % 7) / 7)));
  const mastTop = Math.round(height * 0.18);
  const jibLen = width * 0.45;
  const sweepX = Math.floor(((s * 40) % (width + 40)) - 20);
  const bx0 = Math.round(width * 0.55);
  const bx1 = Math.round(width * 0.85);
  const by0 = horizon - Math.round(height * 0.35);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      if (y < horizon) {
        const k = y / horizon;
        [r, g, b] = [90 + 60 * k, 140 + 50 * k, 200 + 30 * k];
      } else {
        const n = ((x * 13 + y * 7 + seed) % 11) - 5; // gravel texture
        [r, g, b] = [120 + n, 105 + n, 80 + n];
      }
      if (x >= bx0 && x < bx1 && y >= by0 && y < horizon) {
        const floor = (horizon - y) % 12 < 2;
        [r, g, b] = floor ? [90, 90, 95] : [170, 170, 165];
      }
      if (Math.abs(x - mastX) <= 2 && y >= mastTop && y < horizon) [r, g, b] = [240, 190, 30];
      // The jib: a thick line from the mast top at the current angle (seen in perspective as a shortening arm).
      const dx = x - mastX;
      const dy = y - mastTop;
      const along = dx * Math.cos(jibAngle) + dy * Math.sin(jibAngle) * 0.2;
      const across = Math.abs(dy - dx * Math.sin(jibAngle) * 0.05);
      if (along >= -jibLen * 0.3 && along <= jibLen && across <= 2) [r, g, b] = [245, 200, 40];
      if (Math.abs(x - sweepX) <= 3 && y >= height - 10) [r, g, b] = [230, 60, 50];
      const i = (y * width + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    }
  }
  return jpeg.encode({ width, height, data }, 60).data;
}

const Id = z.string().uuid();

/**
 * One frame per camera per tick, shared by every viewer of that camera: rendering costs ~10-300 ms of pure JS (the
 * latter on a loaded 2-core machine), so it must scale with cameras, not with viewers.
 */
const frames = new Map<string, { tick: number; jpeg: Buffer }>();
function frameOf(id: string, seed: number, now: number): Buffer {
  const tick = Math.floor(now / (1000 / MJPEG_FPS));
  const hit = frames.get(id);
  if (hit && hit.tick === tick) return hit.jpeg;
  const jpeg = renderFrame(seed, now);
  frames.set(id, { tick, jpeg });
  return jpeg;
}

/** Caps on open streams: per user (per address without a login) and in total. */
export interface MjpegLimits {
  maxStreams: number;
  maxStreamsPerUser: number;
}

/**
 * `GET /api/v1/sim/cameras/:id/mjpeg` (multipart/x-mixed-replace, what an `<img>` plays as video, like most IP
 * cameras' MJPEG endpoints) and `/snapshot.jpg` (one frame). Only simulated cameras: see `simCameras`. A camera is
 * read like its device: a session that reads the camera's project (the camera panel's `<img>` sends the cookie);
 * an unknown camera and one out of the requester's scope answer the same 404. Open streams are capped (each holds a
 * connection and a timer): over the per-user cap 429 `rate_limited`, over the total 503 `overloaded`, both with
 * Retry-After.
 */
export function mjpegRouter(ctx: Pick<AppContext, 'access' | 'store'>, limits: MjpegLimits): Router {
  const r = Router();
  const open = new Map<string, number>();
  let total = 0;

  const cameraOf = async (req: Request) => {
    const raw = String(req.params.id);
    const id = Id.safeParse(raw);
    // The session is checked before anything is said about the id.
    await ctx.access.require(req, 'read', { type: 'device' });
    const cam = id.success ? simCameras.get(id.data) : undefined;
    const device = cam ? await ctx.store.devices.get(id.data!) : null;
    if (!id.success || !cam || !device) throw notFound('Simulated camera', raw);
    try {
      await ctx.access.require(req, 'read', { type: 'device', id: device.id, projectId: device.projectId });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw notFound('Simulated camera', raw);
      throw err;
    }
    return { id: id.data!, ...cam };
  };

  r.get(routePath(api.simCameras.snapshot), async (req: Request, res: Response) => {
    const cam = await cameraOf(req);
    res
      .set('cache-control', 'no-store')
      .type('image/jpeg')
      .send(frameOf(cam.id, cam.seed, Date.now()));
  });
  r.get(routePath(api.simCameras.mjpeg), async (req: Request, res: Response) => {
    const cam = await cameraOf(req);
    const p = await ctx.access.principalOf(req);
    const who = p?.grant ? `user:${p.id}` : `ip:${req.socket.remoteAddress ?? 'unknown'}`;
    const mine = open.get(who) ?? 0;
    if (mine >= limits.maxStreamsPerUser)
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        `You have ${mine} camera streams open (MJPEG_MAX_STREAMS_PER_USER): close one first`,
        { open: mine },
        { retryAfterS: 5 },
      );
    if (total >= limits.maxStreams)
      throw new AppError(
        ErrorCode.OVERLOADED,
        'The server streams as many cameras as it may (MJPEG_MAX_STREAMS): try again later',
        { open: total },
        { retryAfterS: 10 },
      );
    open.set(who, mine + 1);
    total++;
    res.writeHead(200, {
      'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'cache-control': 'no-store',
      connection: 'close',
    });
    let stopped = false;
    const send = () => {
      // The stream ends with the viewer, or when the simulator stops feeding this camera.
      if (stopped || !simCameras.has(cam.id)) return void res.end();
      const frame = frameOf(cam.id, cam.seed, Date.now());
      res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
      res.write(frame);
      res.write('\r\n');
    };
    send();
    const timer = setInterval(send, 1000 / MJPEG_FPS);
    res.on('close', () => {
      stopped = true;
      clearInterval(timer);
      total--;
      const n = (open.get(who) ?? 1) - 1;
      if (n > 0) open.set(who, n);
      else open.delete(who);
      if (!simCameras.has(cam.id)) frames.delete(cam.id);
    });
  });
  return r;
}
