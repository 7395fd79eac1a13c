import { connect, type Socket as TcpSocket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { DeviceAck } from '../../../models/protocol.js';
import { encodeFrame } from '../../ingest/hj212/frame.js';
import { buildPacket, formatChinaTime } from '../../ingest/hj212/packet.js';
import type { SimDevice } from './apiClient.js';

export type TransportName = 'http' | 'socket' | 'mqtt' | 'hj212';

/** One reading to send, with the device that made it. */
export interface Outgoing {
  dev: SimDevice;
  time: number;
  values: Record<string, unknown>;
}

/** Counts of what a transport sent and what the server said. */
export interface SendStats {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: number;
}

export interface Transport {
  send(batch: Outgoing[]): Promise<void>;
  close(): Promise<void>;
}

export interface TransportOptions {
  url: string;
  mqttUrl: string;
  mqttPrefix: string;
  hj212: { host: string; port: number };
}

const reading = (o: Outgoing) => ({ deviceId: o.dev.device.id, time: o.time, values: o.values });

/** HTTP: one POST per tick with every device's reading, each with its own key. */
function httpTransport(opts: TransportOptions, stats: SendStats): Transport {
  return {
    async send(batch) {
      if (!batch.length) return;
      stats.sent += batch.length;
      const res = await fetch(`${opts.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch.map((o) => ({ ...reading(o), key: o.dev.apiKey }))),
      });
      const body = (await res.json().catch(() => ({}))) as {
        accepted?: number;
        duplicates?: number;
        rejected?: unknown[];
      };
      if (res.status >= 500 || body.accepted === undefined) stats.errors++;
      stats.accepted += body.accepted ?? 0;
      stats.duplicates += body.duplicates ?? 0;
      stats.rejected += body.rejected?.length ?? 0;
    },
    async close() {},
  };
}

/** Socket.IO `/devices`: one connection per device (as real gateways do), acked after commit. */
function socketTransport(opts: TransportOptions, stats: SendStats): Transport {
  const sockets = new Map<string, Socket>();
  const socketOf = (o: Outgoing) => {
    let s = sockets.get(o.dev.device.id);
    if (!s) {
      s = io(`${opts.url}/devices`, {
        auth: { deviceId: o.dev.device.id, key: o.dev.apiKey },
        transports: ['websocket'],
      });
      sockets.set(o.dev.device.id, s);
    }
    return s;
  };
  return {
    async send(batch) {
      await Promise.all(
        batch.map(async (o) => {
          stats.sent++;
          try {
            const ack = (await socketOf(o)
              .timeout(10_000)
              .emitWithAck('reading', { time: o.time, values: o.values })) as DeviceAck;
            if (!ack.ok) stats.errors++;
            else {
              stats.accepted += ack.result.accepted;
              stats.duplicates += ack.result.duplicates;
              stats.rejected += ack.result.rejected.length;
            }
          } catch {
            stats.errors++;
          }
        }),
      );
    },
    async close() {
      for (const s of sockets.values()) s.close();
    },
  };
}

/** MQTT: QoS 1 to `<prefix>/<projectId>/<deviceId>/telemetry`; the server's IngestResult comes back on `…/ack`. */
async function mqttTransport(opts: TransportOptions, stats: SendStats): Promise<Transport> {
  const client: MqttClient = await mqtt.connectAsync(opts.mqttUrl, { protocolVersion: 5, clean: true });
  await client.subscribeAsync(`${opts.mqttPrefix}/+/+/ack`, { qos: 1 });
  client.on('message', (_t, payload) => {
    try {
      const ack = JSON.parse(payload.toString()) as {
        ok: boolean;
        result?: { accepted: number; duplicates: number; rejected: unknown[] };
      };
      if (!ack.ok || !ack.result) return void stats.errors++;
      stats.accepted += ack.result.accepted;
      stats.duplicates += ack.result.duplicates;
      stats.rejected += ack.result.rejected.length;
    } catch {
      stats.errors++;
    }
  });
  return {
    async send(batch) {
      await Promise.all(
        batch.map((o) => {
          stats.sent++;
          const topic = `${opts.mqttPrefix}/${o.dev.device.projectId}/${o.dev.device.id}/telemetry`;
          return client
            .publishAsync(
              topic,
              JSON.stringify({ key: o.dev.apiKey, readings: [{ time: o.time, values: o.values }] }),
              { qos: 1 },
            )
            .catch(() => void stats.errors++);
        }),
      );
    },
    close: () => client.endAsync(),
  };
}

const HJ212_CODES: Record<string, string> = {
  tspUgm3: 'a34001',
  pm10Ugm3: 'a34002',
  pm25Ugm3: 'a34004',
  noiseDb: 'LA',
  temperatureC: 'a01001',
  humidityPct: 'a01002',
  pressureKpa: 'a01006',
  windSpeedMps: 'a01007',
  windDirDeg: 'a01008',
};

/**
 * HJ 212 over TCP for env monitors (one connection each, real-time data CN=2011 with Flag=5 so the server answers
 * 9014); every other kind has no HJ 212 dialect and goes over HTTP.
 */
function hj212Transport(opts: TransportOptions, stats: SendStats): Transport {
  const http = httpTransport(opts, stats);
  const conns = new Map<string, TcpSocket>();
  const connOf = (o: Outgoing) => {
    let s = conns.get(o.dev.device.id);
    if (!s || s.destroyed) {
      s = connect(opts.hj212.port, opts.hj212.host);
      s.on('data', (chunk) => {
        // Each 9014 in the reply stream is one stored (or repeated) reading.
        stats.accepted += (chunk.toString('latin1').match(/CN=9014/g) ?? []).length;
      });
      s.on('error', () => void stats.errors++);
      conns.set(o.dev.device.id, s);
    }
    return s;
  };
  let qn = 0;
  return {
    async send(batch) {
      const viaHj212 = batch.filter((o) => o.dev.hj212);
      await http.send(batch.filter((o) => !o.dev.hj212));
      for (const o of viaHj212) {
        stats.sent++;
        const cp = Object.entries(o.values)
          .filter(([k]) => HJ212_CODES[k])
          .map(
            ([k, v]) =>
              [
                [`${HJ212_CODES[k]}-Rtd`, v as number],
                [`${HJ212_CODES[k]}-Flag`, 'N'],
              ] as Array<[string, string | number]>,
          );
        const data = buildPacket({
          qn: formatChinaTime(o.time, true).slice(0, 14) + String(qn++ % 1000).padStart(3, '0'),
          st: '22',
          cn: '2011',
          pw: o.dev.hj212!.pw,
          mn: o.dev.hj212!.mn,
          flag: 5,
          cp: [[['DataTime', formatChinaTime(o.time)]], ...cp],
        });
        connOf(o).write(encodeFrame(data));
      }
    },
    async close() {
      await http.close();
      for (const s of conns.values()) s.end();
    },
  };
}

export async function createTransport(
  name: TransportName,
  opts: TransportOptions,
  stats: SendStats,
): Promise<Transport> {
  switch (name) {
    case 'http':
      return httpTransport(opts, stats);
    case 'socket':
      return socketTransport(opts, stats);
    case 'mqtt':
      return mqttTransport(opts, stats);
    case 'hj212':
      return hj212Transport(opts, stats);
  }
}
