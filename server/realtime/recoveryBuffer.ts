import type { Namespace } from 'socket.io';

/** What Socket.IO's in-memory SessionAwareAdapter keeps for connection state recovery (socket.io-adapter 2.5). */
interface RecoveryAdapter {
  packets?: Array<{ emittedAt: number }>;
  broadcast(packet: unknown, opts: unknown): void;
}

export interface RecoveryBufferOptions {
  /** Most packets kept; past that the oldest go (a viewer away longer gets no replay and resubscribes: a snapshot). */
  maxPackets: number;
  /** Packets older than this go too: the recovery window (connectionStateRecovery.maxDisconnectionDuration). */
  maxAgeMs: number;
  /** How often old packets are dropped, in ms (Socket.IO itself does it once a minute). */
  everyMs?: number;
}

/**
 * Bounds the packet buffer of Socket.IO's connection state recovery. The in-memory adapter keeps every emitted event
 * (to any room, even an empty one) until it is older than the recovery window, and only looks once a minute: memory
 * grows with the emit rate times up to 3 minutes (the soak: ~1 000 emits/s, ~150 MB of heap). Here the buffer is cut
 * to `maxPackets` as it grows and to `maxAgeMs` every `everyMs`. A viewer whose blink outlasts the kept packets is not
 * recovered: it reconnects as new and its resubscribe sends a fresh snapshot (LiveClient resubscribes on every
 * connect). No-op for adapters without this buffer (the Redis adapter). Returns the stop function.
 */
export function boundRecoveryBuffer(nsp: Namespace<any, any, any, any>, opts: RecoveryBufferOptions): () => void {
  const adapter = nsp.adapter as unknown as RecoveryAdapter;
  if (!Array.isArray(adapter.packets)) return () => {};
  // Cut in steps of 10 % so the splice (O(n)) is paid once per maxPackets / 10 emits, not on every emit.
  const high = opts.maxPackets + Math.max(1, Math.ceil(opts.maxPackets / 10));
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, o) => {
    broadcast(packet, o);
    const packets = adapter.packets!;
    if (packets.length > high) packets.splice(0, packets.length - opts.maxPackets);
  };
  const timer = setInterval(() => {
    const packets = adapter.packets!;
    const threshold = Date.now() - opts.maxAgeMs;
    let n = 0;
    while (n < packets.length && packets[n]!.emittedAt < threshold) n++;
    if (n) packets.splice(0, n);
  }, opts.everyMs ?? 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    adapter.broadcast = broadcast;
  };
}
