import type { Server as IoServer, Namespace } from 'socket.io';
import { ErrorCode, validationError, type WireError } from '../../models/errors.js';
import {
  DeviceHandshake,
  type DeviceAck,
  type DeviceClientToServer,
  type DeviceServerToClient,
} from '../../models/protocol.js';
import { AppError, toAppError } from '../errors.js';
import { verifyApiKey } from '../security/deviceSecrets.js';
import { TokenBuckets } from '../security/TokenBuckets.js';
import type { Store } from '../store/Store.js';
import type { IngestAdapter, IngestAdapterDeps } from './IngestAdapter.js';

export interface SocketDevicesOptions {
  /** Most readings in one `reading` message (INGEST_MAX_BATCH). */
  maxBatch: number;
  /** Messages a second per device key (else address), burst twice that; 0 = no limit (RATE_LIMIT_DEVICE_PER_S). */
  ratePerS: number;
}

export type SocketDevicesDeps = IngestAdapterDeps & { store: Pick<Store, 'devices'> };

type DevicesNamespace = Namespace<DeviceClientToServer, DeviceServerToClient>;

/** The one mapping of an AppError to Socket.IO `/devices`: the ack of a `reading`, `{ ok: false, error }`. */
export const deviceAckOf = (e: AppError): DeviceAck => ({ ok: false, error: e.toWire() });

/** A refused handshake: Socket.IO hands `data` to the client's `connect_error`. */
const handshakeError = (w: WireError) => Object.assign(new Error(w.message), { data: w });

/**
 * Socket.IO namespace `/devices` as an ingest adapter: a device (or gateway) connects with `auth: { deviceId, key }`,
 * then emits `reading` with one reading or an array; the ack carries the IngestResult and is sent only after the
 * commit. Readings without `deviceId` are the socket's device; readings of other devices need their own `key`.
 */
export class SocketDevicesAdapter implements IngestAdapter {
  readonly name = 'socket' as const;
  private devicesNsp: DevicesNamespace | undefined;

  constructor(
    private readonly io: IoServer,
    private readonly deps: SocketDevicesDeps,
    private readonly opts: SocketDevicesOptions,
  ) {}

  async start(): Promise<void> {
    if (this.devicesNsp) return;
    limitDeviceSockets(this.io, this.opts.ratePerS);
    this.devicesNsp = attachDeviceSockets(this.io, this.deps, this.opts.maxBatch);
  }

  /** Disconnects the devices; the namespace itself goes with the Socket.IO server (Server.close stops it right after). */
  async stop(): Promise<void> {
    this.devicesNsp?.disconnectSockets(true);
  }
}

/**
 * Per device key (the `/devices` handshake's `key`, else the address): at most `perSecond` messages a second with a
 * burst of twice that. Keys are cut to 96 characters so a flood of long made-up keys cannot grow the buckets' memory.
 * A refused message is answered on its ack with `rate_limited` and never reaches the ingest.
 */
function limitDeviceSockets(io: IoServer, perSecond: number): void {
  if (perSecond <= 0) return;
  const buckets = new TokenBuckets(perSecond, perSecond * 2);
  io.of('/devices').on('connection', (socket) => {
    const auth = socket.handshake.auth as { key?: unknown };
    const key = typeof auth.key === 'string' ? `key:${auth.key.slice(0, 96)}` : `ip:${socket.handshake.address}`;
    socket.use((packet, next) => {
      const t = buckets.take(key);
      if (t.ok) return next();
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') {
        ack(
          deviceAckOf(
            new AppError(
              ErrorCode.RATE_LIMITED,
              `Too many messages from this device: retry in ${t.retryAfterS} s`,
              { retryAfterS: t.retryAfterS },
              { retryAfterS: t.retryAfterS },
            ),
          ),
        );
      }
    });
  });
}

function attachDeviceSockets(io: IoServer, deps: SocketDevicesDeps, maxBatch: number): DevicesNamespace {
  const nsp = io.of('/devices') as DevicesNamespace;
  nsp.use(async (socket, next) => {
    const hs = DeviceHandshake.safeParse(socket.handshake.auth);
    if (!hs.success)
      return next(
        handshakeError({ ...validationError(hs.error, 'handshake'), message: 'Connect with auth: { deviceId, key }' }),
      );
    try {
      const d = await deps.store.devices.get(hs.data.deviceId);
      // The device API key only: an HJ 212 PW is valid on the HJ 212 listener alone.
      if (!d || !verifyApiKey(d, hs.data.key)) {
        deps.log.warn({ deviceId: hs.data.deviceId }, 'devices: handshake refused');
        return next(handshakeError({ code: ErrorCode.UNAUTHENTICATED, message: 'Unknown device or wrong key' }));
      }
      socket.data.deviceId = d.id;
      next();
    } catch (err) {
      next(handshakeError(toAppError(err).toWire()));
    }
  });
  nsp.on('connection', (socket) => {
    const deviceId: string = socket.data.deviceId;
    deps.log.info({ deviceId, socket: socket.id }, 'devices: connected');
    socket.on('reading', async (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: DeviceAck) => void) : () => {};
      const list = Array.isArray(payload) ? payload : [payload];
      if (list.length > maxBatch) {
        return reply(
          deviceAckOf(
            new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `At most ${maxBatch} readings per message`, { got: list.length }),
          ),
        );
      }
      const items = list.map((x) =>
        x && typeof x === 'object' && !Array.isArray(x) && !('deviceId' in x) ? { ...x, deviceId } : x,
      );
      try {
        reply({ ok: true, result: await deps.ingest.submit(items, { transport: 'socket', deviceId }) });
      } catch (err) {
        const e = toAppError(err);
        if (e.code === ErrorCode.INTERNAL) deps.log.error({ err, deviceId }, 'devices: ingest failed');
        reply(deviceAckOf(e));
      }
    });
  });
  return nsp;
}
