import type { Request, RequestHandler, Response } from 'express';
import type { AccessPolicy } from './access.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';
import { ipOf } from './authRouter.js';

/** A write the audit log records: method + path pattern -> action name. Ingest and login are recorded elsewhere. */
const WRITES: Array<[string, RegExp, string]> = [
  ['POST', /^\/projects$/, 'project.create'],
  ['PATCH', /^\/projects\/([^/]+)$/, 'project.update'],
  ['DELETE', /^\/projects\/([^/]+)$/, 'project.delete'],
  ['PUT', /^\/projects\/([^/]+)\/alarm-thresholds$/, 'thresholds.update'],
  ['POST', /^\/projects\/([^/]+)\/devices$/, 'device.create'],
  ['PATCH', /^\/devices\/([^/]+)$/, 'device.update'],
  ['DELETE', /^\/devices\/([^/]+)$/, 'device.delete'],
  ['POST', /^\/devices\/([^/]+)\/key$/, 'device.key'],
  ['POST', /^\/alarms\/([^/]+)\/ack$/, 'alarm.ack'],
  ['POST', /^\/enterprises$/, 'enterprise.create'],
  ['POST', /^\/vendors$/, 'vendor.create'],
  ['POST', /^\/vendors\/([^/]+)\/models$/, 'vendor.model'],
  ['PATCH', /^\/vendors\/([^/]+)\/blacklist$/, 'vendor.blacklist'],
  ['POST', /^\/projects\/([^/]+)\/models$/, 'model.upload'],
  ['PATCH', /^\/models\/([^/]+)$/, 'model.update'],
  ['DELETE', /^\/models\/([^/]+)$/, 'model.delete'],
  ['POST', /^\/models\/([^/]+)\/schedule$/, 'schedule.import'],
  ['POST', /^\/models\/([^/]+)\/progress$/, 'progress.record'],
  ['POST', /^\/(?:projects\/([^/]+)\/)?tours$/, 'tour.create'],
  ['PATCH', /^\/tours\/([^/]+)$/, 'tour.update'],
  ['DELETE', /^\/tours\/([^/]+)$/, 'tour.delete'],
  ['POST', /^\/users$/, 'user.create'],
  ['PATCH', /^\/users\/([^/]+)$/, 'user.update'],
  ['DELETE', /^\/users\/([^/]+)$/, 'user.delete'],
];

/** What of a body goes into the entry: field names always, and the few values that say what happened. */
function detailsOf(req: Request, res: Response, action: string): Record<string, unknown> {
  const body =
    req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  const d: Record<string, unknown> = { fields: Object.keys(body).filter((k) => k !== 'password') };
  // The name the router signed with (an account's own), not one the body offered.
  if (action === 'alarm.ack') Object.assign(d, { by: res.locals.ackBy ?? body.by, comment: body.comment });
  if (action.startsWith('user.') && body.grant) d.grant = body.grant;
  if (action === 'vendor.blacklist') Object.assign(d, { blacklisted: body.blacklisted, reason: body.reason });
  if (action === 'device.update' || action === 'thresholds.update' || action === 'project.update')
    d.values = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'hj212'));
  return d;
}

/**
 * Mounted on `/api/v1`: after a successful write (status < 400), appends one audit entry with the principal that
 * made it. It also tells the access policy when a project changed, so scope checks see a moved project at once.
 */
export function auditTrail(store: Store, access: AccessPolicy, log: Logger): RequestHandler {
  return (req, res, next) => {
    const hit =
      req.method === 'GET' || req.method === 'HEAD'
        ? undefined
        : WRITES.find(([m, re]) => m === req.method && re.test(req.path));
    if (!hit) return next();
    const [, re, action] = hit;
    res.on('finish', () => {
      if (res.statusCode >= 400) return;
      if (action.startsWith('project.')) access.invalidate({ projects: true });
      const target =
        re.exec(req.path)?.[1] ??
        String(res.getHeader('location') ?? '')
          .split('/')
          .pop() ??
        null;
      access
        .principalOf(req)
        .then((p) =>
          store.audit.append({
            actor: p?.id ?? 'unknown',
            action,
            target: target || null,
            ip: ipOf(req),
            details: { ...detailsOf(req, res, action), status: res.statusCode },
          }),
        )
        .catch((err) => log.error({ err, action }, 'audit: append failed'));
    });
    next();
  };
}
