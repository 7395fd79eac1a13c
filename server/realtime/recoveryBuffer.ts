import type { Namespace } from 'socket.io';
import { PreEncoded } from './liveEncoder.js';

/** What Socket.IO's in-memory SessionAwareAdapter keeps for connection state recovery (socket.io-adapter 2.5). */
interface RecoveryAdapter {
  packets?: Array<{ emittedAt: number; data?: unknown }>;
  broadcast(packet: unknown, opts: unknown): void;
}

export interface RecoveryBufferOptions {
  /** Most packets kept; past that the oldest go (a viewer away longer gets no replay and resubscribes: a snapshot). */
  maxPackets: number;
  /**
   * Most readings kept across the kept packets (a `telemetry.batch` weighs its readings, any other packet 1). Packets
   * vary in size by orders of magnitude: a city room's batch carries every reading of the tick, a project's a few.
   * Unset: packets are counted only.
   */
  maxReadings?: number;
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
  const maxReadings = opts.maxReadings ?? Infinity;
  const highReadings = maxReadings + Math.max(1, Math.ceil(maxReadings / 10));
  // Readings in the kept packets, counted as they come; it can run high when packets leave by another path (Socket.IO's
  // own sweep), which only makes the next cut come early, and each cut recounts what it keeps.
  let readings = 0;
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, o) => {
    broadcast(packet, o);
    const packets = adapter.packets!;
    if (packets.length > high) packets.splice(0, packets.length - opts.maxPackets);
    if (maxReadings === Infinity) return;
    readings += weightOf(packet);
    if (readings <= highReadings) return;
    // Keep the newest packets that fit in maxReadings.
    let kept = 0;
    let i = packets.length;
    while (i > 0 && kept + weightOf(packets[i - 1]) <= maxReadings) kept += weightOf(packets[--i]);
    if (i > 0) packets.splice(0, i);
    readings = kept;
  };
  const timer = setInterval(() => {
    const packets = adapter.packets!;
    const threshold = Date.now() - opts.maxAgeMs;
    let n = 0;
    while (n < packets.length && packets[n]!.emittedAt < threshold) n++;
    if (n) {
      if (maxReadings !== Infinity) for (let i = 0; i < n; i++) readings -= weightOf(packets[i]);
      packets.splice(0, n);
    }
  }, opts.everyMs ?? 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    adapter.broadcast = broadcast;
  };
}

/** A kept packet's weight: the readings of a `telemetry.batch` (`data` is ['msg', message]), else 1. */
function weightOf(packet: unknown): number {
  const data = (packet as { data?: unknown } | undefined)?.data;
  const m = Array.isArray(data) ? (data[1] as { readings?: unknown } | undefined) : undefined;
  if (m instanceof PreEncoded) return Math.max(1, m.weight);
  return Array.isArray(m?.readings) ? Math.max(1, m.readings.length) : 1;
}
