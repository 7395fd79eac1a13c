import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../../models/errors.js';
import { isSafeText } from '../../models/text.js';
import { AppError, isRetryLater, toAppError } from '../errors.js';
import type { Store } from '../store/Store.js';
import { TokenBuckets } from '../security/TokenBuckets.js';
import { knownHj212Pw, verifyHj212Pw } from '../security/deviceSecrets.js';
import {
  DATA_COMMANDS,
  envReadingFrom,
  hj212Seq,
  policyForDevice,
  type UnitPolicy,
  DEFAULT_UNITS,
} from './hj212/envReading.js';
import type { FrameResult } from './hj212/frame.js';
import { FLAG_SPLIT, parsePacket, Hj212PacketError, type Hj212Packet } from './hj212/packet.js';
import { QnRtn, dataResponse, requestResponse, wantsReply } from './hj212/reply.js';
import { Hj212StreamParser } from './hj212/StreamParser.js';
import { PacketAssembler } from './hj212/PacketAssembler.js';
import type { IngestAdapter, IngestAdapterDeps } from './IngestAdapter.js';

export interface Hj212ServerOptions {
  port: number;
  host?: string;
  units?: UnitPolicy;
  /** A connection that sends nothing this long is closed (monitors send every 30-60 s; a dead NAT mapping never does). */
  idleTimeoutMs?: number;
  maxConnections?: number;
  /**
   * Packets a second per device (its MN and PW as presented), with a burst of twice that; 0 or unset = no limit. Same
   * config and buckets as HTTP and Socket.IO (RATE_LIMIT_DEVICE_PER_S). A packet over the limit is dropped (reason
   * `rate_limited`) before any store work; when its Flag asks for a reply it gets 9011 QnRtn=2 (request rejected).
   */
  ratePerS?: number;
}

/** Counters for logs, health and tests. */
export interface Hj212Stats {
  connections: number;
  frames: number;
  stored: number;
  duplicates: number;
  /** Frames or packets dropped, by reason (`bad_crc`, `unknown_mn`, `bad_pw`, `rejected`, …). */
  dropped: Record<string, number>;
}

export interface RunningHj212Server {
  port: number;
  stats: Hj212Stats;
  close(): Promise<void>;
}

type Ctx = IngestAdapterDeps & { store: Pick<Store, 'devices'> };

/**
 * The one mapping of an AppError to HJ 212: the 9011 QnRtn to answer (when the packet's Flag asks for one), or none.
 * "Retry later" (store down, queue full) gets no answer: without its 9014 the device resends. A rate limit is
 * "request rejected" (2); an unknown device "MN wrong" (4), a wrong key "PW wrong" (3).
 */
export function qnRtnOf(e: AppError): QnRtn | undefined {
  if (isRetryLater(e)) return undefined;
  switch (e.code) {
    case ErrorCode.NOT_FOUND:
      return QnRtn.BAD_MN;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.FORBIDDEN:
      return QnRtn.BAD_PW;
    case ErrorCode.INTERNAL:
      return undefined;
    default:
      return QnRtn.REJECTED;
  }
}

/** PW checks that need the KDF (a PW not seen before), per remote address: burst, then per second. */
const KDF_BURST = 20;
const KDF_PER_S = 2;

/** Frames waiting on one connection before it stops reading. */
const MAX_QUEUED = 64;

/**
 * HJ 212-2017 over TCP: each connection gets a stream parser; frames are handled one after another in arrival order
 * (so replies go out in order), MN is looked up, PW checked, the CP mapped to an env_monitor reading and submitted;
 * the 9014 data response goes out only after the commit. Everything dropped is logged with its reason.
 */
export async function startHj212Server(ctx: Ctx, opts: Hj212ServerOptions): Promise<RunningHj212Server> {
  const stats: Hj212Stats = { connections: 0, frames: 0, stored: 0, duplicates: 0, dropped: {} };
  const units = opts.units ?? DEFAULT_UNITS;
  const log = ctx.log.child({ transport: 'hj212' });
  const sockets = new Set<Socket>();
  const drop = (reason: string, fields: Record<string, unknown>) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
    log.warn({ reason, ...fields }, 'hj212: dropped');
  };

  const rate = opts.ratePerS ? new TokenBuckets(opts.ratePerS, opts.ratePerS * 2) : undefined;
  // PWs never seen before cost one scrypt run each: per remote address, at most KDF_BURST at once and KDF_PER_S after.
  // Without it a client varying the PW (so the per MN+PW bucket above is always fresh) guessed freely and kept the
  // thread pool busy. A known PW (right or wrong) costs no run, so a device that verified once is never held back.
  const kdfRuns = new TokenBuckets(KDF_PER_S, KDF_BURST);
  const warnOf = new TokenBuckets(1 / 60, 1); // one `rate_limited` warning a minute per MN; every drop is counted

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    stats.connections++;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const parser = new Hj212StreamParser();
    const assembler = new PacketAssembler();
    let chain = Promise.resolve();
    let queued = 0;
    // Backpressure: a device (or a replayed log) that sends faster than the store commits is paused, not buffered.
    const enqueue = (results: FrameResult[]) => {
      for (const r of results) {
        queued++;
        chain = chain
          .then(() => handle(r))
          .catch((err) => {
            // Counted so health and the fuzz suite see it: every input should end in a named drop, never here.
            stats.dropped.internal_error = (stats.dropped.internal_error ?? 0) + 1;
            log.error({ err, remote }, 'hj212: frame handler failed');
          })
          .finally(() => {
            if (--queued <= MAX_QUEUED / 4 && socket.isPaused()) socket.resume();
          });
      }
      if (queued >= MAX_QUEUED) socket.pause();
    };
    socket.setTimeout(opts.idleTimeoutMs ?? 15 * 60_000, () => socket.destroy());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => enqueue(parser.push(chunk)));
    socket.on('end', () => {
      enqueue(parser.end());
      void chain.then(() => socket.end());
    });
    socket.on('error', (err) => log.debug({ err, remote }, 'hj212: socket error'));
    socket.on('close', () => {
      sockets.delete(socket);
      stats.connections--;
    });
    log.info({ remote }, 'hj212: connected');

    const send = (frame: Buffer) => {
      if (!socket.destroyed && socket.writable) socket.write(frame);
    };

    async function handle(r: FrameResult): Promise<void> {
      stats.frames++;
      if (!r.ok) {
        drop(r.reason, { remote, detail: r.detail });
        // A bad CRC still names its QN and MN: answer QnRtn=9 so the device resends rather than waits.
        if (r.data) {
          try {
            const p = parsePacket(r.data);
            if (wantsReply(p)) send(requestResponse(p, QnRtn.BAD_CRC));
          } catch {
            /* not even a packet: nothing to answer */
          }
        }
        return;
      }
      let p: Hj212Packet;
      try {
        p = parsePacket(r.frame.data);
      } catch (err) {
        return drop('bad_packet', { remote, detail: err instanceof Hj212PacketError ? err.message : String(err) });
      }
      const quirks = [...r.frame.quirks, ...p.quirks];
      if (quirks.length) log.debug({ remote, mn: p.mn, quirks }, 'hj212: tolerated quirks');
      const answer = (rtn: QnRtn) => wantsReply(p) && send(requestResponse(p, rtn));
      const answerError = (e: AppError) => {
        const rtn = qnRtnOf(e);
        if (rtn !== undefined) answer(rtn);
      };
      const rateLimited = (retryAfterS: number) =>
        new AppError(ErrorCode.RATE_LIMITED, `Too many packets: retry in ${retryAfterS} s`, undefined, { retryAfterS });
      if (!p.mn) return void (drop('no_mn', { remote, cn: p.cn }), answer(QnRtn.BAD_MN));
      const limit = rate?.take(`${p.mn.slice(0, 64)}\u0000${(p.pw ?? '').slice(0, 64)}`);
      if (limit && !limit.ok) {
        stats.dropped.rate_limited = (stats.dropped.rate_limited ?? 0) + 1;
        if (warnOf.take(p.mn.slice(0, 64)).ok)
          log.warn(
            {
              reason: 'rate_limited',
              remote,
              mn: p.mn,
              retryAfterS: limit.retryAfterS,
              dropped: stats.dropped.rate_limited,
            },
            'hj212: dropped',
          );
        return void answerError(rateLimited(limit.retryAfterS));
      }

      // A NUL (latin1 byte 0) cannot even be looked up (PostgreSQL text refuses it), and no registered MN has one.
      const device = isSafeText(p.mn) ? await ctx.store.devices.findByHj212Mn(p.mn) : null;
      if (!device) return void (drop('unknown_mn', { remote, mn: p.mn }), answer(QnRtn.BAD_MN));
      const kdf =
        knownHj212Pw(device, p.pw ?? '') === undefined ? kdfRuns.take(socket.remoteAddress ?? remote) : undefined;
      if (kdf && !kdf.ok) {
        stats.dropped.rate_limited = (stats.dropped.rate_limited ?? 0) + 1;
        if (warnOf.take(`kdf:${socket.remoteAddress}`).ok)
          log.warn(
            { reason: 'rate_limited', remote, mn: p.mn, deviceId: device.id },
            'hj212: dropped: too many new PWs from this address',
          );
        return void answerError(rateLimited(kdf.retryAfterS));
      }
      if (!(await verifyHj212Pw(device, p.pw ?? ''))) {
        return void (drop('bad_pw', { remote, mn: p.mn, deviceId: device.id }), answer(QnRtn.BAD_PW));
      }
      const fields = { remote, mn: p.mn, deviceId: device.id, projectId: device.projectId, cn: p.cn };
      if (!p.cn || !DATA_COMMANDS.has(p.cn)) {
        // Requests (set time, set interval, …) flow from a platform to a device; a device sending one is answered
        // "CN not supported" so it does not wait for an execution that will never come.
        log.info(fields, 'hj212: command not handled');
        return void answer(QnRtn.BAD_CN);
      }
      if (device.kind !== 'env_monitor')
        return void (drop('not_env_monitor', { ...fields, kind: device.kind }), answer(QnRtn.REJECTED));

      // Split packets (Flag bit D): wait for all parts of the QN, then store them as one reading.
      const whole =
        p.flag !== undefined && p.flag & FLAG_SPLIT && (p.pnum ?? 1) > 1 ? assembler.add(p, Date.now()) : [p];
      if (!whole) return;
      const merged = whole.length === 1 ? whole[0]! : PacketAssembler.merge(whole);
      const m = envReadingFrom(merged, policyForDevice(units, device));
      if (m.dropped.length) log.info({ ...fields, dropped: m.dropped }, 'hj212: values not mapped');
      if (Object.keys(m.values).length === 0) {
        drop('no_values', fields);
        for (const part of whole) if (wantsReply(part)) send(dataResponse(part));
        return;
      }
      const time = m.time ?? Date.now();
      // Keyed by (DataTime, CN): real-time data and the minute / hour / day averages of the same DataTime all count.
      const reading = { deviceId: device.id, time, seq: hj212Seq(time, p.cn), values: m.values };
      try {
        const raw = r.frame.text; // of a split command, its last part
        const res = await ctx.ingest.submit([reading], { transport: 'hj212', deviceId: device.id, raw });
        stats.stored += res.accepted;
        stats.duplicates += res.duplicates;
        if (res.rejected.length) {
          drop('rejected', { ...fields, rejection: res.rejected[0] });
          // A refused reading is kept aside with its frame (the data-quality view): it was received and recorded, so
          // it is answered 9014 like a stored one; unanswered, the device would resend it forever. Anything else
          // refused was not recorded: no 9014.
          if (res.rejected[0]!.code !== ErrorCode.VALIDATION_FAILED) return;
        }
        for (const part of whole) if (wantsReply(part)) send(dataResponse(part));
      } catch (err) {
        const e = toAppError(err);
        if (e.code === ErrorCode.INTERNAL) throw err; // counted as internal_error, logged with its stack
        drop(isRetryLater(e) ? 'store_unavailable' : e.code, fields); // no 9014: the device resends
        answerError(e);
      }
    }
  });
  server.maxConnections = opts.maxConnections ?? 2000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'hj212: listening');
  return {
    port,
    stats,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The HJ 212 listener as an ingest adapter: `start` listens on `opts.port`, `stop` closes it and its connections. */
export class Hj212IngestAdapter implements IngestAdapter {
  readonly name = 'hj212' as const;
  private running: RunningHj212Server | undefined;

  constructor(
    private readonly deps: Ctx,
    private readonly opts: Hj212ServerOptions,
  ) {}

  async start(): Promise<void> {
    this.running ??= await startHj212Server(this.deps, this.opts);
  }

  async stop(): Promise<void> {
    await this.running?.close();
  }

  /** The port it listens on (the one asked for, or the one the system chose for 0). */
  get port(): number {
    return this.started.port;
  }

  /** Counters (kept after `stop`). */
  get stats(): Hj212Stats {
    return this.started.stats;
  }

  private get started(): RunningHj212Server {
    if (!this.running) throw new Error('The HJ 212 adapter is not started');
    return this.running;
  }
}
