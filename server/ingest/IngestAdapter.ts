import type { Logger } from '../log.js';
import type { IngestResult, IngestSource } from './Ingest.js';

/**
 * The shared submit path every adapter hands its readings to (Ingest.submit): each reading checked alone, repeats
 * dropped, group commit, resolved only after the commit. Throws what `toAppError` maps (store down, queue full).
 */
export interface IngestSubmit {
  submit(items: unknown[], source: IngestSource): Promise<IngestResult>;
}

/** What an adapter is built with: the submit path and a logger (plus its own options). */
export interface IngestAdapterDeps {
  ingest: IngestSubmit;
  log: Logger;
}

/**
 * One wire format into the ingest: HTTP (`httpAdapter.ts`), Socket.IO `/devices` (`socketDevices.ts`), MQTT
 * (`mqttAdapter.ts`), HJ 212 over TCP (`hj212Server.ts`). Each parses its wire, authenticates and rate-limits what it
 * can before any store work, hands the readings to `ingest.submit`, and maps the outcome once to its own answer (HTTP
 * status, Socket.IO ack, MQTT PUBACK + ack topic, HJ 212 9014 / QnRtn) from the AppError of `toAppError`.
 *
 * `start` begins taking readings (listens, subscribes, attaches); `stop` stops taking new ones and releases what
 * `start` opened. Readings already submitted still commit (the ingest owns them).
 */
export interface IngestAdapter {
  readonly name: IngestSource['transport'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `adapters` in order; when one fails, those already started are stopped and the error is thrown. */
export async function startAll(adapters: IngestAdapter[]): Promise<void> {
  const started: IngestAdapter[] = [];
  try {
    for (const a of adapters) {
      await a.start();
      started.push(a);
    }
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/** Stops `adapters` together; a failure of one does not keep the others running. */
export async function stopAll(adapters: IngestAdapter[]): Promise<void> {
  const failed = (await Promise.allSettled(adapters.map((a) => a.stop()))).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
