import { pino, type Logger } from 'pino';

/** One JSON line per event. Pass ids (projectId, deviceId, modelId) as fields, not inside the message. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'site-twin' } });
}
export type { Logger };
