import type { AppContext } from '../context.js';
import { unitPolicyFromList } from './hj212/envReading.js';
import { Hj212IngestAdapter } from './hj212Server.js';
import { startAll, stopAll, type IngestAdapter } from './IngestAdapter.js';
import { MqttIngestAdapter } from './mqttAdapter.js';

/** The transports that listen outside the HTTP server: HJ 212 over TCP and the MQTT subscriber, each off when unset. */
export interface RunningEdges {
  hj212?: Hj212IngestAdapter;
  mqtt?: MqttIngestAdapter;
  close(): Promise<void>;
}

/** Starts the edges the config turns on (HJ212_PORT, MQTT_URL). A failure to start one stops the start. */
export async function startEdges(ctx: AppContext): Promise<RunningEdges> {
  const c = ctx.config;
  const hj212 =
    c.HJ212_PORT !== undefined
      ? new Hj212IngestAdapter(ctx, {
          port: c.HJ212_PORT,
          host: c.HOST,
          units: unitPolicyFromList(c.HJ212_MGM3_CODES),
          ratePerS: c.RATE_LIMIT_DEVICE_PER_S,
        })
      : undefined;
  const mqtt = c.MQTT_URL
    ? new MqttIngestAdapter(ctx, {
        url: c.MQTT_URL,
        topicPrefix: c.MQTT_TOPIC_PREFIX,
        clientId: c.MQTT_CLIENT_ID,
        consumers: c.MQTT_CONSUMERS,
        maxBatch: c.INGEST_MAX_BATCH,
        ratePerS: c.RATE_LIMIT_DEVICE_PER_S,
      })
    : undefined;
  const adapters: IngestAdapter[] = [hj212, mqtt].filter((a) => a !== undefined);
  await startAll(adapters);
  return {
    ...(hj212 ? { hj212 } : {}),
    ...(mqtt ? { mqtt } : {}),
    close: () => stopAll(adapters),
  };
}
