import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { api, routePath, urlOf } from '../../models/api/index.js';
import type { BcfImportAnswer } from '../../models/api/topics.js';
import { ErrorCode } from '../../models/errors.js';
import { NoticeCheckCreate, NoticeReplyCreate } from '../../models/Rectification.js';
import { CommentCreate, MAX_ATTACHMENT_BYTES, TopicCreate, TopicPatch, TopicQuery } from '../../models/Topic.js';
import { ipOf } from '../auth/authRouter.js';
import { ProjectOwners } from '../auth/ProjectOwners.js';
import { ScopedAccessPolicy } from '../auth/ScopedAccessPolicy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound, parseOr400 } from '../errors.js';
import { readExif, sniffImage } from './attachments.js';
import { BcfError, exportBcf, importBcf } from './bcf.js';
import { TopicService, type TopicActor } from './TopicService.js';

const Id = z.string().uuid();
/** A `.bcfzip` upload: at most this many bytes (packed). */
export const MAX_BCF_BYTES = 50 * 1024 * 1024;

/**
 * Topics, rectification notices and BCF interchange (issue 16):
 * `GET|POST /projects/:id/topics`, `GET|PATCH /topics/:id`, `POST /topics/:id/comments`,
 * `POST /topics/:id/attachments` (a JPEG / PNG body, `?name=`), `GET /topics/:id/attachments/:aid`,
 * `POST /topics/:id/notice/reply`, `POST /topics/:id/notice/check`, `GET|POST /projects/:id/topics.bcfzip`.
 * Scope and roles are decided by TopicService (models/topicRules.ts): out of scope is 404, like a missing id.
 */
export function topicsRouter(ctx: AppContext): { router: Router; service: TopicService } {
  const { store, access } = ctx;
  const owners = access instanceof ScopedAccessPolicy ? access.owners : new ProjectOwners(store);
  const service = new TopicService(store, (id) => owners.get(id), ctx.live);
  const r = Router();

  const actorOf = async (req: Request): Promise<TopicActor> => {
    const p = await access.principalOf(req);
    if (!p)
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        'Log in first: POST /api/v1/auth/login, then send the cookie or Authorization: Bearer <token>',
      );
    return { id: p.id, ...(p.grant ? { grant: p.grant } : {}), ip: ipOf(req) };
  };
  const projectId = (raw: unknown) => {
    const p = Id.safeParse(raw);
    if (!p.success) throw notFound('Project', String(raw));
    return p.data;
  };
  const topicId = (raw: unknown) => {
    const p = Id.safeParse(raw);
    if (!p.success) throw notFound('Topic', String(raw));
    return p.data;
  };

  r.get(routePath(api.topics.listOfProject), async (req, res) => {
    const q = parseOr400(TopicQuery, req.query, 'topic query');
    res.json(await service.list(await actorOf(req), projectId(req.params.id), q));
  });

  r.post(routePath(api.topics.create), async (req, res) => {
    const actor = await actorOf(req);
    const body = parseOr400(TopicCreate, req.body, 'topic');
    const t = await service.raise(actor, projectId(req.params.id), body);
    res
      .status(201)
      .location(urlOf(api.topics.get, { id: t.id }))
      .json(t);
  });

  r.get(routePath(api.topics.get), async (req, res) => {
    res.json(await service.get(await actorOf(req), topicId(req.params.id)));
  });

  r.patch(routePath(api.topics.update), async (req, res) => {
    const actor = await actorOf(req);
    res.json(await service.patch(actor, topicId(req.params.id), parseOr400(TopicPatch, req.body, 'topic patch')));
  });

  r.post(routePath(api.topics.comment), async (req, res) => {
    const actor = await actorOf(req);
    res
      .status(201)
      .json(await service.comment(actor, topicId(req.params.id), parseOr400(CommentCreate, req.body, 'comment')));
  });

  const rawImage = express.raw({ type: () => true, limit: MAX_ATTACHMENT_BYTES });
  r.post(routePath(api.topics.attach), rawImage, async (req, res) => {
    const actor = await actorOf(req);
    const id = topicId(req.params.id);
    const data = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
    const mime = sniffImage(data);
    if (!mime)
      throw new AppError(ErrorCode.UNPROCESSABLE, 'Attachments are JPEG or PNG images (checked by their first bytes)', {
        size: data.length,
      });
    const name =
      typeof req.query.name === 'string' && req.query.name.trim()
        ? req.query.name.trim().slice(0, 200)
        : `photo.${mime === 'image/png' ? 'png' : 'jpg'}`;
    const exif = readExif(data);
    const { attachment } = await service.attach(actor, id, { fileName: name, mime, ...exif }, data);
    res.status(201).json(attachment);
  });

  r.get(routePath(api.topics.attachment), async (req, res) => {
    const actor = await actorOf(req);
    const aid = Id.safeParse(req.params.aid);
    if (!aid.success) throw notFound('Attachment', String(req.params.aid));
    const a = await service.attachment(actor, topicId(req.params.id), aid.data);
    res.type(a.meta.mime).setHeader('cache-control', 'private, max-age=3600');
    res.send(Buffer.from(a.data));
  });

  r.post(routePath(api.topics.noticeReply), async (req, res) => {
    const actor = await actorOf(req);
    res.json(
      await service.reply(actor, topicId(req.params.id), parseOr400(NoticeReplyCreate, req.body, 'notice reply')),
    );
  });

  r.post(routePath(api.topics.noticeCheck), async (req, res) => {
    const actor = await actorOf(req);
    res.json(
      await service.check(actor, topicId(req.params.id), parseOr400(NoticeCheckCreate, req.body, 'notice check')),
    );
  });

  r.get(routePath(api.topics.exportBcf), async (req, res) => {
    const actor = await actorOf(req);
    const pid = projectId(req.params.id);
    const topics = await service.list(actor, pid);
    const snaps = new Map<string, Awaited<ReturnType<typeof service.attachment>>>();
    for (const t of topics) {
      for (const v of t.viewpoints) {
        if (v.snapshotAttachmentId && !snaps.has(v.snapshotAttachmentId)) {
          const a = await store.topics.attachmentData(t.id, v.snapshotAttachmentId);
          if (a) snaps.set(v.snapshotAttachmentId, a);
        }
      }
    }
    res
      .type('application/octet-stream')
      .setHeader('content-disposition', `attachment; filename="topics-${pid}.bcfzip"`);
    res.send(Buffer.from(exportBcf(topics, snaps)));
  });

  const rawZip = express.raw({ type: () => true, limit: MAX_BCF_BYTES });
  r.post(routePath(api.topics.importBcf), rawZip, async (req, res) => {
    const actor = await actorOf(req);
    const pid = projectId(req.params.id);
    // The scope check comes before the file is read: an outsider learns nothing from a parse error.
    await service.authorize(actor, pid, 'raise');
    const data = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
    let parsed;
    try {
      parsed = importBcf(data);
    } catch (e) {
      if (e instanceof BcfError) throw new AppError(ErrorCode.UNPROCESSABLE, e.message);
      throw e;
    }
    const result = await service.import(
      actor,
      pid,
      parsed.topics.map((t) => ({ ...t, projectId: pid })),
      parsed.snapshots,
    );
    const answer: BcfImportAnswer = {
      version: parsed.version,
      ...result,
      topics: parsed.topics.map((t) => t.id),
      warnings: parsed.warnings,
    };
    res.json(answer);
  });

  return { router: r, service };
}
