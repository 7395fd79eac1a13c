import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { ErrorCode, type WireError } from '../../models/errors.js';
import { AppError, isRetryLater, toAppError } from '../errors.js';
import { TokenBuckets } from '../security/TokenBuckets.js';
import type { IngestResult } from './Ingest.js';
import type { IngestAdapter, IngestAdapterDeps } from './IngestAdapter.js';

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
  stats: {
    messages: number;
    stored: number;
    duplicates: number;
    rejected: number;
    rateLimited: number;
    wrongProject: number;
    nacked: number;
  };
  close(): Promise<void>;
}

type Ctx = IngestAdapterDeps;

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
  return {
    ok: false,
    error: { code, message: `All ${result.rejected.length} readings were refused; see result.rejected` },
    result,
  };
}

/**
 * The one mapping of an AppError to MQTT: what the PUBACK says and what goes to the ack topic. "Retry later" (store
 * down, queue full) sends no PUBACK at all: a PUBACK with an error code would still end the QoS 1 flow and the broker
 * would drop the message, while a held one is redelivered. A rate limit ends the flow with 0x97 (a held PUBACK would
 * make the broker redeliver the flood). Anything else is acked (redelivering it helps no one) with the error on the
 * ack topic.
 */
export function mqttAnswerOf(e: AppError): { puback: 'hold' } | { puback: number; ack: MqttAck } {
  if (isRetryLater(e)) return { puback: 'hold' };
  return {
    puback: e.code === ErrorCode.RATE_LIMITED ? PUBACK_QUOTA_EXCEEDED : 0,
    ack: { ok: false, error: e.toWire() },
  };
}

/**
 * Parses a payload: one reading, an array of readings, or `{ key?, readings: [...] }`. Readings without `deviceId`
 * are the topic's device; a `key` in the envelope or the `key` user property applies to readings without their own.
 */
export function readingsOf(
  payload: Buffer,
  topicDeviceId: string,
  propKey: string | undefined,
): { items: unknown[]; key?: string } | { error: WireError } {
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
  const items = list.map((x) =>
    x && typeof x === 'object' && !Array.isArray(x) && !('deviceId' in x) ? { ...x, deviceId: topicDeviceId } : x,
  );
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

  /** Hands one message to the ingest; an AppError (refused payload, rate limit, store down) comes back as it is. */
  const submit = async (
    client: MqttClient,
    topic: string,
    payload: Buffer,
    packet: IPublishPacket,
  ): Promise<
    { projectId: string; deviceId: string; ack: MqttAck } | { projectId: string; deviceId: string; error: AppError }
  > => {
    const parts = topic.split('/');
    const [projectId, deviceId] = [parts[parts.length - 3]!, parts[parts.length - 2]!];
    const at = { projectId, deviceId };
    const prop = packet.properties?.userProperties?.key;
    const parsed = readingsOf(payload, deviceId, Array.isArray(prop) ? prop[0] : prop);
    if ('error' in parsed) {
      stats.rejected++;
      log.warn({ deviceId, projectId, error: parsed.error }, 'mqtt: payload refused');
      return { ...at, error: AppError.fromWire(parsed.error) }; // a broken payload stays broken: acked, not redelivered
    }
    const limit = rate?.take(parsed.key ? `key:${parsed.key.slice(0, 96)}` : `device:${deviceId.slice(0, 96)}`);
    if (limit && !limit.ok) {
      // Dropped, not held: a held PUBACK would make the broker redeliver the flood. The device learns it on its ack topic.
      stats.rateLimited++;
      if (warnOf.take(deviceId.slice(0, 96)).ok)
        log.warn(
          { deviceId, projectId, code: ErrorCode.RATE_LIMITED, dropped: stats.rateLimited },
          'mqtt: message dropped: over the device rate limit',
        );
      return {
        ...at,
        error: new AppError(
          ErrorCode.RATE_LIMITED,
          `Too many messages from this device: retry in ${limit.retryAfterS} s`,
          { retryAfterS: limit.retryAfterS },
          { retryAfterS: limit.retryAfterS },
        ),
      };
    }
    if (parsed.items.length > (opts.maxBatch ?? 10_000)) {
      return {
        ...at,
        error: new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `At most ${opts.maxBatch ?? 10_000} readings per message`),
      };
    }
    try {
      // The topic names the project: a device of another project may not write through it (wrong_project).
      const result = await ctx.ingest.submit(parsed.items, {
        transport: 'mqtt',
        projectId,
        ...(parsed.key ? { deviceKey: parsed.key } : {}),
      });
      stats.stored += result.accepted;
      stats.duplicates += result.duplicates;
      stats.rejected += result.rejected.length;
      const foreign = result.rejected.filter((r) => r.code === ErrorCode.WRONG_PROJECT);
      if (foreign.length) {
        stats.wrongProject += foreign.length;
        log.warn(
          {
            topic,
            projectId,
            devices: [...new Set(foreign.map((r) => r.deviceId))].slice(0, 10),
            refused: foreign.length,
          },
          "mqtt: readings refused: their device is not in the topic's project",
        );
      }
      return { ...at, ack: ackOf(result) };
    } catch (err) {
      const e = toAppError(err);
      if (isRetryLater(e)) {
        stats.nacked++;
        log.warn({ deviceId, projectId }, 'mqtt: store unavailable, holding the PUBACK for redelivery');
        cycle(client);
      } else log.error({ err, deviceId, projectId }, 'mqtt: ingest failed');
      return { ...at, error: e.code === ErrorCode.INTERNAL ? new AppError(ErrorCode.INTERNAL, 'Ingest failed') : e };
    }
  };

  const handle = async (
    client: MqttClient,
    topic: string,
    payload: Buffer,
    packet: IPublishPacket,
  ): Promise<'hold' | number> => {
    stats.messages++;
    const out = await submit(client, topic, payload, packet);
    const answer = 'error' in out ? mqttAnswerOf(out.error) : { puback: 0, ack: out.ack };
    if ('ack' in answer) publishAck(out.projectId, out.deviceId, answer.ack);
    return answer.puback;
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
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpiryS ?? 3600 },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      customHandleAcks: (topic, message, packet, done) => {
        handle(client, topic, message, packet).then(
          (puback) =>
            puback === 'hold' ? done(new Error('store unavailable: PUBACK held for redelivery')) : done(puback),
          (err) => done(err as Error),
        );
      },
    };
    // `customHandleAcks` above runs only after the connect, when `client` is set.
    const client: MqttClient = mqtt.connect(opts.url, options);
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
    client.on(
      'connect',
      () =>
        void client
          .subscribeAsync(filter, { qos: 1 })
          .catch((err) => log.warn({ err: err.message }, 'mqtt: resubscribe failed')),
    );
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

/** The MQTT subscriber as an ingest adapter: `start` connects and subscribes, `stop` disconnects. */
export class MqttIngestAdapter implements IngestAdapter {
  readonly name = 'mqtt' as const;
  private running: RunningMqttAdapter | undefined;

  constructor(
    private readonly deps: IngestAdapterDeps,
    private readonly opts: MqttAdapterOptions,
  ) {}

  async start(): Promise<void> {
    this.running ??= await startMqttAdapter(this.deps, this.opts);
  }

  async stop(): Promise<void> {
    await this.running?.close();
  }

  /** Counters of the subscriber (kept after `stop`). */
  get stats(): RunningMqttAdapter['stats'] {
    return this.started.stats;
  }

  /** The subscriber connections. */
  get clients(): MqttClient[] {
    return this.started.clients;
  }

  private get started(): RunningMqttAdapter {
    if (!this.running) throw new Error('The MQTT adapter is not started');
    return this.running;
  }
}
