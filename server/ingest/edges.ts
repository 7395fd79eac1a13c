import type { AppContext } from '../context.js';
import { unitPolicyFromList } from './hj212/envReading.js';
import { startHj212Server, type RunningHj212Server } from './hj212Server.js';
import { startMqttAdapter, type RunningMqttAdapter } from './mqttAdapter.js';

/** The transports that listen outside the HTTP server: HJ 212 over TCP and the MQTT subscriber, each off when unset. */
export interface RunningEdges {
  hj212?: RunningHj212Server;
  mqtt?: RunningMqttAdapter;
  close(): Promise<void>;
}

/** Starts the edges the config turns on (HJ212_PORT, MQTT_URL). A failure to start one stops the start. */
export async function startEdges(ctx: AppContext): Promise<RunningEdges> {
  const c = ctx.config;
  const hj212 =
    c.HJ212_PORT !== undefined
      ? await startHj212Server(ctx, { port: c.HJ212_PORT, host: c.HOST, units: unitPolicyFromList(c.HJ212_MGM3_CODES), ratePerS: c.RATE_LIMIT_DEVICE_PER_S })
      : undefined;
  let mqtt: RunningMqttAdapter | undefined;
  try {
    mqtt = c.MQTT_URL
      ? await startMqttAdapter(ctx, { url: c.MQTT_URL, topicPrefix: c.MQTT_TOPIC_PREFIX, clientId: c.MQTT_CLIENT_ID, consumers: c.MQTT_CONSUMERS, maxBatch: c.INGEST_MAX_BATCH, ratePerS: c.RATE_LIMIT_DEVICE_PER_S })
      : undefined;
  } catch (err) {
    await hj212?.close();
    throw err;
  }
  return {
    hj212,
    mqtt,
    async close() {
      await Promise.all([hj212?.close(), mqtt?.close()]);
    },
  };
}
