import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { ErrorCode, type WireError } from '../../models/errors.js';
import type { AppContext } from '../context.js';
import { StoreUnavailableError } from '../store/errors.js';
import { TokenBuckets } from '../auth/RateLimiter.js';
import type { IngestResult } from './Ingest.js';

export interface MqttAdapterOptions {
  url: string;
  /** First topic level; `sitetwin` in production, a unique one per test run. */
  topicPrefix?: string;
  /** Fixed client id so the broker keeps our session (and unacked QoS 1 messages) across restarts. */
  clientId?: string;
  /** How long the broker keeps the session while we are away, in seconds. */
  sessionExpiryS?: number;
  /** Wait before reconnecting after a store outage (the reconnect is what makes the broker redeliver). */
  retryAfterMs?: number;
  maxBatch?: number;
  /**
   * Subscriber connections sharing the subscription (`$share/…`). mqtt.js hands a client its next message only after
   * the previous PUBACK, so one connection commits one message at a time; several spread the load.
   */
  consumers?: number;
  /**
   * Messages a second per device (its key, else the topic's device), with a burst of twice that; 0 or unset = no
   * limit. Same config and buckets as HTTP and Socket.IO (RATE_LIMIT_DEVICE_PER_S).
   */
  ratePerS?: number;
}

/** PUBACK reason code 0x97 "Quota exceeded" (MQTT 5, 3.4.2.1): ends the QoS 1 flow, so the broker drops the message. */
export const PUBACK_QUOTA_EXCEEDED = 0x97;

export interface RunningMqttAdapter {
  /** The subscriber connections (the first also publishes the acks). */
  clients: MqttClient[];
  /** `wrongProject`: readings refused because their device is not in the topic's project (counted in `rejected` too). */
  stats: { messages: number; stored: number; duplicates: number; rejected: number; rateLimited: number; wrongProject: number; nacked: number };
  close(): Promise<void>;
}

type Ctx = Pick<AppContext, 'ingest' | 'log'>;

/**
 * The answer published on `<prefix>/<projectId>/<deviceId>/ack`. `ok: false` when nothing was stored: a refused
 * payload, or a batch whose readings were all refused (then with `result`, as the HTTP answer carries it).
 */
export type MqttAck = { ok: true; result: IngestResult } | { ok: false; error: WireError; result?: IngestResult };

/** The ack of a committed batch: `ok: false` with the readings' common code when every one was refused. */
export function ackOf(result: IngestResult): MqttAck {
  if (!result.rejected.length || result.accepted + result.duplicates > 0) return { ok: true, result };
  const codes = new Set(result.rejected.map((r) => r.code));
  const code = codes.size === 1 ? result.rejected[0]!.code : ErrorCode.VALIDATION_FAILED;
  return { ok: false, error: { code, message: `All ${result.rejected.length} readings were refused; see result.rejected` }, result };
}

/**
 * Parses a payload: one reading, an array of readings, or `{ key?, readings: [...] }`. Readings without `deviceId`
 * are the topic's device; a `key` in the envelope or the `key` user property applies to readings without their own.
 */
export function readingsOf(payload: Buffer, topicDeviceId: string, propKey: string | undefined): { items: unknown[]; key?: string } | { error: WireError } {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return { error: { code: ErrorCode.BAD_REQUEST, message: `Payload is not JSON: ${(e as Error).message}` } };
  }
  let list: unknown[];
  let key = propKey;
  if (Array.isArray(body)) list = body;
  else if (body && typeof body === 'object' && Array.isArray((body as { readings?: unknown }).readings)) {
    list = (body as { readings: unknown[] }).readings;
    const k = (body as { key?: unknown }).key;
    if (typeof k === 'string') key = k;
  } else list = [body];
  const items = list.map((x) => (x && typeof x === 'object' && !Array.isArray(x) && !('deviceId' in x) ? { ...x, deviceId: topicDeviceId } : x));
  return { items, ...(key ? { key } : {}) };
}

/**
 * Subscribes to `<prefix>/+/+/telemetry` at QoS 1 (MQTT 5) and hands each message to the ingest. The PUBACK is held
 * back with mqtt.js `customHandleAcks` until the batch is committed. When the store is down no PUBACK is sent at all
 * (a PUBACK with an error code would still end the QoS 1 flow and the broker would drop the message), and the
 * connection is cycled after `retryAfterMs` so the broker redelivers from our persistent session; the ingest's
 * dedupe makes the redelivery safe. The result goes to `<prefix>/<projectId>/<deviceId>/ack`.
 */
export async function startMqttAdapter(ctx: Ctx, opts: MqttAdapterOptions): Promise<RunningMqttAdapter> {
  const prefix = opts.topicPrefix ?? 'sitetwin';
  const log = ctx.log.child({ transport: 'mqtt' });
  const stats = { messages: 0, stored: 0, duplicates: 0, rejected: 0, rateLimited: 0, wrongProject: 0, nacked: 0 };
  const clients: MqttClient[] = [];

  const publishAck = (projectId: string, deviceId: string, ack: MqttAck) => {
    clients[0]!.publish(`${prefix}/${projectId}/${deviceId}/ack`, JSON.stringify(ack), { qos: 1 }, (err) => {
      if (err) log.warn({ err, deviceId }, 'mqtt: ack publish failed');
    });
  };

  const cycling = new Set<MqttClient>();
  const cycle = (client: MqttClient) => {
    if (cycling.has(client)) return;
    cycling.add(client);
    setTimeout(() => {
      // Dropping the socket (not `end()`) keeps mqtt.js reconnecting; the broker then resends what we did not ack.
      log.info('mqtt: reconnecting so the broker redelivers unacknowledged messages');
      client.stream?.destroy();
      cycling.delete(client);
    }, opts.retryAfterMs ?? 2000).unref();
  };

  const rate = opts.ratePerS ? new TokenBuckets(opts.ratePerS, opts.ratePerS * 2) : undefined;
  const warnOf = new TokenBuckets(1 / 60, 1); // one warning a minute per limited device; every drop is counted

  const handle = async (client: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): Promise<'ack' | 'hold' | typeof PUBACK_QUOTA_EXCEEDED> => {
    stats.messages++;
    const parts = topic.split('/');
    const [projectId, deviceId] = [parts[parts.length - 3]!, parts[parts.length - 2]!];
    const prop = packet.properties?.userProperties?.key;
    const parsed = readingsOf(payload, deviceId, Array.isArray(prop) ? prop[0] : prop);
    if ('error' in parsed) {
      stats.rejected++;
      log.warn({ deviceId, projectId, error: parsed.error }, 'mqtt: payload refused');
      publishAck(projectId, deviceId, { ok: false, error: parsed.error });
      return 'ack'; // a broken payload stays broken: redelivering it helps no one
    }
    const limit = rate?.take(parsed.key ? `key:${parsed.key.slice(0, 96)}` : `device:${deviceId.slice(0, 96)}`);
    if (limit && !limit.ok) {
      // Dropped, not held: a held PUBACK would make the broker redeliver the flood. The device learns it on its ack topic.
      stats.rateLimited++;
      if (warnOf.take(deviceId.slice(0, 96)).ok) log.warn({ deviceId, projectId, code: ErrorCode.RATE_LIMITED, dropped: stats.rateLimited }, 'mqtt: message dropped: over the device rate limit');
      const error = { code: ErrorCode.RATE_LIMITED, message: `Too many messages from this device: retry in ${limit.retryAfterS} s`, details: { retryAfterS: limit.retryAfterS } };
      publishAck(projectId, deviceId, { ok: false, error });
      return PUBACK_QUOTA_EXCEEDED;
    }
    if (parsed.items.length > (opts.maxBatch ?? 10_000)) {
      const error = { code: ErrorCode.PAYLOAD_TOO_LARGE, message: `At most ${opts.maxBatch ?? 10_000} readings per message` };
      publishAck(projectId, deviceId, { ok: false, error });
      return 'ack';
    }
    try {
      // The topic names the project: a device of another project may not write through it (wrong_project).
      const result = await ctx.ingest.submit(parsed.items, { transport: 'mqtt', projectId, ...(parsed.key ? { deviceKey: parsed.key } : {}) });
      stats.stored += result.accepted;
      stats.duplicates += result.duplicates;
      stats.rejected += result.rejected.length;
      const foreign = result.rejected.filter((r) => r.code === ErrorCode.WRONG_PROJECT);
      if (foreign.length) {
        stats.wrongProject += foreign.length;
        log.warn({ topic, projectId, devices: [...new Set(foreign.map((r) => r.deviceId))].slice(0, 10), refused: foreign.length }, 'mqtt: readings refused: their device is not in the topic\'s project');
      }
      publishAck(projectId, deviceId, ackOf(result));
      return 'ack';
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        stats.nacked++;
        log.warn({ deviceId, projectId }, 'mqtt: store unavailable, holding the PUBACK for redelivery');
        cycle(client);
        return 'hold';
      }
      log.error({ err, deviceId, projectId }, 'mqtt: ingest failed');
      publishAck(projectId, deviceId, { ok: false, error: { code: ErrorCode.INTERNAL, message: 'Ingest failed' } });
      return 'ack';
    }
  };

  const n = Math.max(1, opts.consumers ?? 1);
  const baseId = opts.clientId ?? `sitetwin-ingest-${randomBytes(4).toString('hex')}`;
  const topicFilter = `${prefix}/+/+/telemetry`;
  const filter = n > 1 ? `$share/${baseId.replace(/[/#+]/g, '_')}/${topicFilter}` : topicFilter;
  try {
    for (let i = 0; i < n; i++) clients.push(await connectConsumer(n > 1 ? `${baseId}-${i}` : baseId));
  } catch (err) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw err;
  }

  async function connectConsumer(clientId: string): Promise<MqttClient> {
    let client!: MqttClient;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpiryS ?? 3600 },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      customHandleAcks: (topic, message, packet, done) => {
        handle(client, topic, message, packet).then(
          (what) => (what === 'ack' ? done(0) : what === 'hold' ? done(new Error('store unavailable: PUBACK held for redelivery')) : done(what)),
          (err) => done(err as Error),
        );
      },
    };
    client = mqtt.connect(opts.url, options);
    client.on('error', (err) => {
      if (!/PUBACK held/.test(err.message)) log.warn({ err: err.message, clientId }, 'mqtt: client error');
    });
    client.on('reconnect', () => log.debug({ clientId }, 'mqtt: reconnecting'));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        client.end(true);
        reject(new Error(`MQTT_URL ${opts.url}: no connection within 10 s`));
      }, 10_000);
      client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await client.subscribeAsync(filter, { qos: 1 });
    // A persistent session keeps the subscription, but subscribing again after a reconnect is harmless and covers a
    // session the broker expired while we were away.
    client.on('connect', () => void client.subscribeAsync(filter, { qos: 1 }).catch((err) => log.warn({ err: err.message }, 'mqtt: resubscribe failed')));
    return client;
  }
  log.info({ url: opts.url, filter }, 'mqtt: subscribed');
  return {
    clients,
    stats,
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
