import { Router, type Request, type Response } from 'express';
import jpeg from 'jpeg-js';
import { z } from 'zod';
import { notFound } from '../http/HttpError.js';

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
const cameraOf = (raw: string | undefined) => {
  const id = Id.safeParse(raw);
  const cam = id.success ? simCameras.get(id.data) : undefined;
  if (!id.success || !cam) throw notFound('Simulated camera', String(raw));
  return { id: id.data, ...cam };
};

/**
 * `GET /api/v1/sim/cameras/:id/mjpeg` (multipart/x-mixed-replace, what an `<img>` plays as video, like most IP
 * cameras' MJPEG endpoints) and `/snapshot.jpg` (one frame). Only simulated cameras: see `simCameras`.
 */
export function mjpegRouter(): Router {
  const r = Router();
  r.get('/sim/cameras/:id/snapshot.jpg', (req: Request, res: Response) => {
    const cam = cameraOf(req.params.id as string);
    res.set('cache-control', 'no-store').type('image/jpeg').send(renderFrame(cam.seed, Date.now()));
  });
  r.get('/sim/cameras/:id/mjpeg', (req: Request, res: Response) => {
    const cam = cameraOf(req.params.id as string);
    res.writeHead(200, {
      'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'cache-control': 'no-store',
      connection: 'close',
    });
    let stopped = false;
    const send = () => {
      // The stream ends with the viewer, or when the simulator stops feeding this camera.
      if (stopped || !simCameras.has(cam.id)) return void res.end();
      const frame = renderFrame(cam.seed, Date.now());
      res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
      res.write(frame);
      res.write('\r\n');
    };
    send();
    const timer = setInterval(send, 1000 / MJPEG_FPS);
    res.on('close', () => {
      stopped = true;
      clearInterval(timer);
    });
  });
  return r;
}
