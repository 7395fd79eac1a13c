import type { Server as IoServer } from 'socket.io';
import { ErrorCode } from '../../models/errors.js';
import { TokenBuckets } from './RateLimiter.js';

/**
 * Per device key (the `/devices` handshake's `key`, else the address): at most `perSecond` messages a second with a
 * burst of twice that. Keys are cut to 96 characters so a flood of long made-up keys cannot grow the buckets' memory. A refused message is answered on its ack with `rate_limited` and never reaches the ingest.
 */
export function limitDeviceSockets(io: IoServer, perSecond: number): void {
  if (perSecond <= 0) return;
  const buckets = new TokenBuckets(perSecond, perSecond * 2);
  io.of('/devices').on('connection', (socket) => {
    const auth = socket.handshake.auth as { key?: unknown };
    const key = typeof auth.key === 'string' ? `key:${auth.key.slice(0, 96)}` : `ip:${socket.handshake.address}`;
    socket.use((packet, next) => {
      const t = buckets.take(key);
      if (t.ok) return next();
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function')
        ack({ ok: false, error: { code: ErrorCode.RATE_LIMITED, message: `Too many messages from this device: retry in ${t.retryAfterS} s`, details: { retryAfterS: t.retryAfterS } } });
    });
  });
}
