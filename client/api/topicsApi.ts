import { api } from '../../models/api/index.js';
import type { BcfImportAnswer } from '../../models/api/topics.js';
import { NoticeCheckCreate, NoticeReplyCreate } from '../../models/Rectification.js';
import {
  Topic,
  type AttachmentMeta,
  type CommentCreate,
  type TopicCreateInput,
  type TopicPatch,
  type TopicQuery,
} from '../../models/Topic.js';
import { restAt } from './ApiClient.js';

/** Every REST call of the topics UI (issue 16): topics, comments, photos, rectification steps, BCF files. */

/** A project's topics, filtered; a malformed item is skipped. */
export async function fetchTopics(projectId: string, q: TopicQuery = {}, baseUrl = ''): Promise<Topic[]> {
  const body = await restAt(baseUrl).raw(api.topics.listOfProject, { params: { id: projectId }, query: q });
  return Array.isArray(body)
    ? body.flatMap((t) => {
        const r = Topic.safeParse(t);
        return r.success ? [r.data] : [];
      })
    : [];
}

export async function fetchTopic(id: string, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.get, { params: { id }, what: 'topic' });
}

/** Raises a topic (with `notice`: a rectification notice, authority inspectors only). */
export async function createTopic(projectId: string, t: TopicCreateInput, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.create, { params: { id: projectId }, body: t, what: 'topic' });
}

export async function patchTopic(id: string, patch: TopicPatch, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.update, { params: { id }, body: patch, what: 'topic' });
}

export async function addComment(id: string, c: CommentCreate, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.comment, { params: { id }, body: c, what: 'topic' });
}

/** Uploads a photo (the server checks it is a JPEG / PNG and reads its EXIF time and position). */
export async function uploadPhoto(id: string, file: Blob & { name?: string }, baseUrl = ''): Promise<AttachmentMeta> {
  return restAt(baseUrl).call(api.topics.attach, {
    params: { id },
    ...(file.name ? { query: { name: file.name } } : {}),
    raw: { body: file, contentType: file.type || 'application/octet-stream' },
    what: 'attachment',
  });
}

/** The URL of an attachment's bytes (for <img src>; the session cookie goes with it). */
export const attachmentUrl = (topicId: string, attachmentId: string, baseUrl = '') =>
  restAt(baseUrl).url(api.topics.attachment, { id: topicId, aid: attachmentId });

/** The project's reply to a notice, with evidence photos uploaded before. */
export async function replyToNotice(id: string, r: NoticeReplyCreate, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.noticeReply, {
    params: { id },
    body: NoticeReplyCreate.parse(r),
    what: 'topic',
  });
}

/** The inspector's re-check: close or send back. */
export async function checkNotice(id: string, c: NoticeCheckCreate, baseUrl = ''): Promise<Topic> {
  return restAt(baseUrl).call(api.topics.noticeCheck, {
    params: { id },
    body: NoticeCheckCreate.parse(c),
    what: 'topic',
  });
}

/** The URL of the project's BCF 3.0 export (a download link). */
export const bcfExportUrl = (projectId: string, baseUrl = '') =>
  restAt(baseUrl).url(api.topics.exportBcf, { id: projectId });

/** Imports a `.bcfzip` (3.0, 2.1, 2.0) into the project. */
export async function importBcfFile(projectId: string, file: Blob, baseUrl = ''): Promise<BcfImportAnswer> {
  return restAt(baseUrl).call(api.topics.importBcf, {
    params: { id: projectId },
    raw: { body: file, contentType: 'application/octet-stream' },
    what: 'BCF import',
  });
}
