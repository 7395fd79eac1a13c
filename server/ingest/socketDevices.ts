import type { Server as IoServer, Namespace } from 'socket.io';
import { ErrorCode, validationError, type WireError } from '../../models/errors.js';
import { DeviceHandshake, type DeviceAck, type DeviceClientToServer, type DeviceServerToClient } from '../../models/protocol.js';
import type { AppContext } from '../context.js';
import { toHttpError } from '../http/errorHandler.js';
import { verifyApiKey } from './deviceSecrets.js';
import { ingestHttpError } from './GroupCommit.js';

const wireError = (w: WireError) => Object.assign(new Error(w.message), { data: w });

/**
 * Socket.IO namespace `/devices`: a device (or gateway) connects with `auth: { deviceId, key }`, then emits
 * `reading` with one reading or an array; the ack carries the IngestResult and is sent only after the commit.
 * Readings without `deviceId` are the socket's device; readings of other devices need their own `key`.
 */
export function attachDeviceSockets(io: IoServer, ctx: AppContext): Namespace<DeviceClientToServer, DeviceServerToClient> {
  const nsp = io.of('/devices') as Namespace<DeviceClientToServer, DeviceServerToClient>;
  nsp.use(async (socket, next) => {
    const hs = DeviceHandshake.safeParse(socket.handshake.auth);
    if (!hs.success) return next(wireError({ ...validationError(hs.error, 'handshake'), message: 'Connect with auth: { deviceId, key }' }));
    try {
      const d = await ctx.store.devices.get(hs.data.deviceId);
      // The device API key only: an HJ 212 PW is valid on the HJ 212 listener alone.
      if (!d || !verifyApiKey(d, hs.data.key)) {
        ctx.log.warn({ deviceId: hs.data.deviceId }, 'devices: handshake refused');
        return next(wireError({ code: ErrorCode.UNAUTHENTICATED, message: 'Unknown device or wrong key' }));
      }
      socket.data.deviceId = d.id;
      next();
    } catch (err) {
      next(wireError(toHttpError(err).toWire()));
    }
  });
  nsp.on('connection', (socket) => {
    const deviceId: string = socket.data.deviceId;
    ctx.log.info({ deviceId, socket: socket.id }, 'devices: connected');
    socket.on('reading', async (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: DeviceAck) => void) : () => {};
      const list = Array.isArray(payload) ? payload : [payload];
      if (list.length > ctx.config.INGEST_MAX_BATCH) {
        return reply({ ok: false, error: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: `At most ${ctx.config.INGEST_MAX_BATCH} readings per message`, details: { got: list.length } } });
      }
      const items = list.map((x) => (x && typeof x === 'object' && !Array.isArray(x) && !('deviceId' in x) ? { ...x, deviceId } : x));
      try {
        reply({ ok: true, result: await ctx.ingest.submit(items, { transport: 'socket', deviceId }) });
      } catch (err) {
        const e = ingestHttpError(err);
        if (e.code === ErrorCode.INTERNAL) ctx.log.error({ err, deviceId }, 'devices: ingest failed');
        reply({ ok: false, error: e.toWire() });
      }
    });
  });
  return nsp;
}
