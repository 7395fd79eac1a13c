import { z } from 'zod';
import { NoticeCheckCreate, NoticeReplyCreate } from '../Rectification.js';
import { AttachmentMeta, CommentCreate, Topic, TopicCreate, TopicPatch, TopicQuery } from '../Topic.js';
import { endpoint } from './contract.js';

/** What `POST /api/v1/projects/:id/topics.bcfzip` answers: the file's BCF version, counts, topic guids, warnings. */
export const BcfImportAnswer = z.object({
  version: z.string(),
  created: z.number().int(),
  replaced: z.number().int(),
  topics: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type BcfImportAnswer = z.infer<typeof BcfImportAnswer>;

/**
 * Topics (issues raised on a project), rectification notices and BCF interchange (issue 16), checked by
 * server/topics/topicsRouter.ts. Photos are raw JPEG / PNG bodies; the BCF file is a raw `.bcfzip` body or download.
 */
export const topics = {
  listOfProject: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/topics',
    summary: "A project's topics, filtered",
    query: TopicQuery,
    response: z.array(Topic),
  }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/topics',
    summary: 'Raise a topic (with `notice`: a rectification notice, authority inspectors and admins)',
    body: TopicCreate,
    response: Topic,
    status: [201],
  }),
  get: endpoint({
    method: 'get',
    path: '/api/v1/topics/:id',
    summary: 'One topic with its comments, viewpoints, attachments and notice',
    response: Topic,
  }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/topics/:id',
    summary: 'Change a topic (any subset; a status change must be a permitted transition)',
    body: TopicPatch,
    response: Topic,
  }),
  comment: endpoint({
    method: 'post',
    path: '/api/v1/topics/:id/comments',
    summary: 'Comment on a topic',
    body: CommentCreate,
    response: Topic,
    status: [201],
  }),
  attach: endpoint({
    method: 'post',
    path: '/api/v1/topics/:id/attachments',
    summary: 'Attach a photo (a raw JPEG or PNG body, ?name=); its EXIF time and position are read',
    query: z.object({ name: z.string().optional() }),
    body: z.string().meta({ format: 'binary' }),
    consumes: ['image/jpeg', 'image/png', 'application/octet-stream'],
    response: AttachmentMeta,
    status: [201],
  }),
  attachment: endpoint({
    method: 'get',
    path: '/api/v1/topics/:id/attachments/:aid',
    summary: "An attachment's bytes (JPEG or PNG)",
    produces: 'image/*',
  }),
  noticeReply: endpoint({
    method: 'post',
    path: '/api/v1/topics/:id/notice/reply',
    summary: "The project's reply to a rectification notice, with evidence photos uploaded before",
    body: NoticeReplyCreate,
    response: Topic,
  }),
  noticeCheck: endpoint({
    method: 'post',
    path: '/api/v1/topics/:id/notice/check',
    summary: "The inspector's re-check of a replied notice: close or send back",
    body: NoticeCheckCreate,
    response: Topic,
  }),
  exportBcf: endpoint({
    method: 'get',
    path: '/api/v1/projects/:id/topics.bcfzip',
    summary: "The project's topics as a BCF 3.0 file",
    produces: 'application/octet-stream',
  }),
  importBcf: endpoint({
    method: 'post',
    path: '/api/v1/projects/:id/topics.bcfzip',
    summary: 'Import a .bcfzip (BCF 3.0, 2.1 or 2.0) into the project; topics with the same guid are replaced',
    body: z.string().meta({ format: 'binary' }),
    consumes: ['application/octet-stream', 'application/zip'],
    response: BcfImportAnswer,
  }),
};
