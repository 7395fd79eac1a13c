import { NoticeCheckCreate, NoticeReplyCreate } from '../../models/Rectification.js';
import {
  AttachmentMeta,
  Topic,
  type CommentCreate,
  type TopicCreateInput,
  type TopicPatch,
  type TopicQuery,
} from '../../models/Topic.js';
import { parseAnswer, requestJson } from './ApiError.js';

/** Every REST call of the topics UI (issue 16): topics, comments, photos, rectification steps, BCF files. */

const base = (baseUrl: string) => `${baseUrl}/api/v1`;

/** A project's topics, filtered; a malformed item is skipped. */
export async function fetchTopics(projectId: string, q: TopicQuery = {}, baseUrl = ''): Promise<Topic[]> {
  const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][]).toString();
  const body = await requestJson(
    `${base(baseUrl)}/projects/${encodeURIComponent(projectId)}/topics${qs ? `?${qs}` : ''}`,
  );
  return Array.isArray(body)
    ? body.flatMap((t) => {
        const r = Topic.safeParse(t);
        return r.success ? [r.data] : [];
      })
    : [];
}

export async function fetchTopic(id: string, baseUrl = ''): Promise<Topic> {
  return parseAnswer(Topic, await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}`), 'topic');
}

/** Raises a topic (with `notice`: a rectification notice, authority inspectors only). */
export async function createTopic(projectId: string, t: TopicCreateInput, baseUrl = ''): Promise<Topic> {
  return parseAnswer(
    Topic,
    await requestJson(`${base(baseUrl)}/projects/${encodeURIComponent(projectId)}/topics`, { method: 'POST', body: t }),
    'topic',
  );
}

export async function patchTopic(id: string, patch: TopicPatch, baseUrl = ''): Promise<Topic> {
  return parseAnswer(
    Topic,
    await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    'topic',
  );
}

export async function addComment(id: string, c: CommentCreate, baseUrl = ''): Promise<Topic> {
  return parseAnswer(
    Topic,
    await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}/comments`, { method: 'POST', body: c }),
    'topic',
  );
}

/** Uploads a photo (the server checks it is a JPEG / PNG and reads its EXIF time and position). */
export async function uploadPhoto(id: string, file: Blob & { name?: string }, baseUrl = ''): Promise<AttachmentMeta> {
  const name = file.name ? `?name=${encodeURIComponent(file.name)}` : '';
  const body = await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}/attachments${name}`, {
    method: 'POST',
    body: file,
    contentType: file.type || 'application/octet-stream',
  });
  return parseAnswer(AttachmentMeta, body, 'attachment');
}

/** The URL of an attachment's bytes (for <img src>; the session cookie goes with it). */
export const attachmentUrl = (topicId: string, attachmentId: string, baseUrl = '') =>
  `${base(baseUrl)}/topics/${encodeURIComponent(topicId)}/attachments/${encodeURIComponent(attachmentId)}`;

/** The project's reply to a notice, with evidence photos uploaded before. */
export async function replyToNotice(id: string, r: NoticeReplyCreate, baseUrl = ''): Promise<Topic> {
  return parseAnswer(
    Topic,
    await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}/notice/reply`, {
      method: 'POST',
      body: NoticeReplyCreate.parse(r),
    }),
    'topic',
  );
}

/** The inspector's re-check: close or send back. */
export async function checkNotice(id: string, c: NoticeCheckCreate, baseUrl = ''): Promise<Topic> {
  return parseAnswer(
    Topic,
    await requestJson(`${base(baseUrl)}/topics/${encodeURIComponent(id)}/notice/check`, {
      method: 'POST',
      body: NoticeCheckCreate.parse(c),
    }),
    'topic',
  );
}

/** The URL of the project's BCF 3.0 export (a download link). */
export const bcfExportUrl = (projectId: string, baseUrl = '') =>
  `${base(baseUrl)}/projects/${encodeURIComponent(projectId)}/topics.bcfzip`;

/** Imports a `.bcfzip` (3.0, 2.1, 2.0) into the project. */
export async function importBcfFile(
  projectId: string,
  file: Blob,
  baseUrl = '',
): Promise<{ version: string; created: number; replaced: number; topics: string[]; warnings: string[] }> {
  return (await requestJson(bcfExportUrl(projectId, baseUrl), {
    method: 'POST',
    body: file,
    contentType: 'application/octet-stream',
  })) as never;
}
