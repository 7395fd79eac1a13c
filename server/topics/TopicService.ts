import { ErrorCode } from '../../models/errors.js';
import type { LiveServerMessage } from '../../models/protocol.js';
import {
  applyCheck,
  applyReply,
  NoticeStateError,
  type NoticeCheckCreate,
  type NoticeReplyCreate,
  type RectificationNotice,
} from '../../models/Rectification.js';
import {
  canTransition,
  type AttachmentMeta,
  type CommentCreate,
  type Topic,
  type TopicCreate,
  type TopicPatch,
  type TopicQuery,
} from '../../models/Topic.js';
import {
  actionOfStatus,
  grantSeesProject,
  topicAllows,
  type TopicAction,
  type TopicProjectFacts,
} from '../../models/topicRules.js';
import type { UserGrant } from '../../models/User.js';
import { AppError, notFound } from '../errors.js';
import type { Store } from '../store/Store.js';
import type { TopicRecord } from '../store/TopicRepo.js';

/** Who acts: the user id and grant (`grant` undefined: AUTH=off, the anonymous admin). */
export interface TopicActor {
  id: string;
  grant?: UserGrant;
  /** The address the request came from, for the audit entry. */
  ip?: string | null;
}

/** Where topic events go: the LiveHub's publisher routes them by project through the same scope filter. */
export interface TopicEvents {
  toProject(projectId: string, m: LiveServerMessage): void;
}

/** The project facts a scope check needs, by id (the access policy's cached ProjectOwners in the server). */
export type ProjectFactsOf = (projectId: string) => Promise<TopicProjectFacts | undefined>;

/**
 * Topics and rectification notices with the role rules applied (models/topicRules.ts): the routes and the BCF
 * import call this, never the repository directly. Out of scope answers as missing (404); in scope but not allowed
 * is 403; a step out of order is 409 `conflict`. Each write appends an audit entry and pushes a `topic.*` event.
 */
export class TopicService {
  constructor(
    private readonly store: Store,
    private readonly factsOf: ProjectFactsOf,
    private readonly events?: TopicEvents,
    private readonly now: () => number = Date.now,
  ) {}

  /** The project, when the actor may `action` there; 404 when it does not see it, 403 when it sees but may not. */
  async authorize(
    actor: TopicActor,
    projectId: string,
    action: TopicAction,
    topic?: Topic,
  ): Promise<TopicProjectFacts> {
    const p = await this.factsOf(projectId);
    if (!p || (actor.grant && !grantSeesProject(actor.grant, p)))
      throw topic ? notFound('Topic', topic.id) : notFound('Project', projectId);
    if (!topicAllows(actor.grant, action, p, { hasNotice: !!topic?.notice })) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `Your role (${actor.grant?.role ?? 'anonymous'}) may not ${action} on this topic`,
        { action },
      );
    }
    return p;
  }

  private async topic(
    actor: TopicActor,
    id: string,
    action: TopicAction,
  ): Promise<{ topic: Topic; project: TopicProjectFacts }> {
    const topic = await this.store.topics.get(id);
    if (!topic) throw notFound('Topic', id);
    return { topic, project: await this.authorize(actor, topic.projectId, action, topic) };
  }

  private async after(
    actor: TopicActor,
    action: string,
    topic: Topic,
    details: Record<string, unknown>,
    created = false,
  ): Promise<Topic> {
    await this.store.audit.append({
      actor: actor.id,
      action,
      target: topic.id,
      ip: actor.ip ?? null,
      details: { projectId: topic.projectId, ...details },
    });
    this.events?.toProject(
      topic.projectId,
      created ? { type: 'topic.created', topic } : { type: 'topic.updated', topic },
    );
    return topic;
  }

  async list(actor: TopicActor, projectId: string, q: TopicQuery = {}): Promise<Topic[]> {
    await this.authorize(actor, projectId, 'read');
    return this.store.topics.list(projectId, q, this.now());
  }

  async get(actor: TopicActor, id: string): Promise<Topic> {
    return (await this.topic(actor, id, 'read')).topic;
  }

  /** Raises a topic; with `notice`, a rectification notice (numbered per region and year). */
  async raise(actor: TopicActor, projectId: string, input: TopicCreate): Promise<Topic> {
    const p = await this.authorize(actor, projectId, input.notice ? 'raiseNotice' : 'raise');
    if (input.id && (await this.store.topics.projectOf(input.id)))
      throw new AppError(ErrorCode.DUPLICATE, `Topic ${input.id} exists already`, { id: input.id });
    let notice: RectificationNotice | undefined;
    const now = this.now();
    if (input.notice) {
      if (input.notice.deadline <= now)
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'A notice deadline must lie in the future', {
          issues: [{ path: 'notice.deadline', message: 'in the past' }],
        });
      notice = {
        noticeNumber: await this.store.topics.nextNoticeNumber(p.regionCode, new Date(now).getUTCFullYear()),
        legalBasis: input.notice.legalBasis,
        deadline: input.notice.deadline,
        issuedBy: actor.id,
        issuedAt: now,
        state: 'issued',
        replies: [],
        checks: [],
      };
    }
    const { notice: _n, ...rest } = input;
    const t = await this.store.topics.create(projectId, rest, actor.id, notice);
    return this.after(
      actor,
      notice ? 'notice.raise' : 'topic.create',
      t,
      { topicType: t.topicType, ...(notice ? { noticeNumber: notice.noticeNumber, deadline: notice.deadline } : {}) },
      true,
    );
  }

  /** Edits fields and moves the status; closing and reopening need their own right, a notice moves by its workflow. */
  async patch(actor: TopicActor, id: string, patch: TopicPatch): Promise<Topic> {
    const { topic, project } = await this.topic(actor, id, 'update');
    const to = patch.topicStatus;
    if (to !== undefined && to !== topic.topicStatus) {
      if (!topicAllows(actor.grant, actionOfStatus(to), project, { hasNotice: !!topic.notice })) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          topic.notice
            ? `A notice is closed or sent back by its re-check, not by setting ${to}`
            : `Your role may not set ${to}`,
          { action: actionOfStatus(to) },
        );
      }
    }
    const updated = await this.store.topics.mutate(id, (cur) => {
      if (to !== undefined && to !== cur.topicStatus && !canTransition(cur.topicStatus, to)) {
        throw new AppError(ErrorCode.CONFLICT, `A topic that is ${cur.topicStatus} cannot become ${to}`, {
          from: cur.topicStatus,
          to,
        });
      }
      const next: TopicRecord = { ...cur, modifiedAuthor: actor.id };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        if (v === null) delete (next as Record<string, unknown>)[k];
        else (next as Record<string, unknown>)[k] = v;
      }
      return next;
    });
    if (!updated) throw notFound('Topic', id);
    const action = to === 'closed' ? 'topic.close' : to === 'reopened' ? 'topic.reopen' : 'topic.update';
    return this.after(actor, action, updated, {
      fields: Object.keys(patch),
      ...(to ? { from: topic.topicStatus, to } : {}),
    });
  }

  async comment(actor: TopicActor, id: string, c: CommentCreate): Promise<Topic> {
    const { topic } = await this.topic(actor, id, 'comment');
    if (c.viewpointGuid && !topic.viewpoints.some((v) => v.guid === c.viewpointGuid)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `The topic has no viewpoint ${c.viewpointGuid}`, {
        issues: [{ path: 'viewpointGuid', message: 'no such viewpoint' }],
      });
    }
    const added = await this.store.topics.addComment(id, c, actor.id);
    return this.after(actor, 'topic.comment', (await this.store.topics.get(id))!, { commentGuid: added.guid });
  }

  /** Stores a checked image (see attachments.ts) with the topic. */
  async attach(
    actor: TopicActor,
    id: string,
    file: { fileName: string; mime: AttachmentMeta['mime']; takenAt?: string; location?: AttachmentMeta['location'] },
    data: Uint8Array,
  ): Promise<{ topic: Topic; attachment: AttachmentMeta }> {
    await this.topic(actor, id, 'attach');
    const attachment = await this.store.topics.addAttachment(id, file, data, actor.id);
    const topic = await this.after(actor, 'topic.attach', (await this.store.topics.get(id))!, {
      attachmentId: attachment.id,
      mime: attachment.mime,
      size: attachment.size,
    });
    return { topic, attachment };
  }

  async attachment(
    actor: TopicActor,
    id: string,
    attachmentId: string,
  ): Promise<{ meta: AttachmentMeta; data: Uint8Array }> {
    await this.topic(actor, id, 'read');
    const a = await this.store.topics.attachmentData(id, attachmentId);
    if (!a) throw notFound('Attachment', attachmentId);
    return a;
  }

  private async step(
    actor: TopicActor,
    id: string,
    action: 'replyNotice' | 'checkNotice',
    apply: (n: RectificationNotice, t: Topic) => ReturnType<typeof applyReply>,
  ): Promise<Topic> {
    const { topic } = await this.topic(actor, id, action);
    if (!topic.notice) throw new AppError(ErrorCode.CONFLICT, `Topic ${id} is not a rectification notice`, { id });
    const updated = await this.store.topics.mutate(id, (cur) => {
      try {
        const r = apply(cur.notice!, cur);
        return { ...cur, notice: r.notice, topicStatus: r.topicStatus, modifiedAuthor: actor.id };
      } catch (e) {
        if (e instanceof NoticeStateError)
          throw new AppError(ErrorCode.CONFLICT, e.message, { state: e.state, step: e.step });
        throw e;
      }
    });
    if (!updated) throw notFound('Topic', id);
    return updated;
  }

  /** The project's reply with evidence (attachments of this topic). */
  async reply(actor: TopicActor, id: string, r: NoticeReplyCreate): Promise<Topic> {
    const known = new Set((await this.store.topics.get(id))?.attachments.map((a) => a.id) ?? []);
    const missing = r.attachmentIds.filter((a) => !known.has(a));
    const t = await this.step(actor, id, 'replyNotice', (n) => {
      if (missing.length)
        throw new AppError(
          ErrorCode.VALIDATION_FAILED,
          `Evidence ${missing.join(', ')} is not an attachment of this topic`,
          { issues: [{ path: 'attachmentIds', message: 'unknown attachment' }] },
        );
      return applyReply(n, { at: this.now(), by: actor.id, text: r.text, attachmentIds: r.attachmentIds });
    });
    return this.after(actor, 'notice.reply', t, {
      noticeNumber: t.notice!.noticeNumber,
      evidence: r.attachmentIds.length,
      late: this.now() > t.notice!.deadline,
    });
  }

  /** The inspector's re-check: close or send back. */
  async check(actor: TopicActor, id: string, c: NoticeCheckCreate): Promise<Topic> {
    const t = await this.step(actor, id, 'checkNotice', (n) =>
      applyCheck(n, { at: this.now(), by: actor.id, outcome: c.outcome, comment: c.comment }),
    );
    return this.after(actor, c.outcome === 'close' ? 'notice.close' : 'notice.send_back', t, {
      noticeNumber: t.notice!.noticeNumber,
      comment: c.comment,
    });
  }

  /** Writes topics read from a BCF file into a project (`raise` right; a guid of another project is a 409). */
  async import(
    actor: TopicActor,
    projectId: string,
    topics: TopicRecord[],
    attachments: Array<{
      topicId: string;
      id: string;
      fileName: string;
      mime: AttachmentMeta['mime'];
      data: Uint8Array;
    }> = [],
  ): Promise<{ created: number; replaced: number }> {
    await this.authorize(actor, projectId, 'raise');
    let r: { created: number; replaced: number };
    try {
      r = await this.store.topics.importTopics(
        projectId,
        topics.map((t) => ({ ...t, projectId })),
      );
    } catch (e) {
      if ((e as Error).name === 'DuplicateError') throw new AppError(ErrorCode.CONFLICT, (e as Error).message);
      throw e;
    }
    for (const a of attachments) {
      if (!(await this.store.topics.attachmentData(a.topicId, a.id)))
        await this.store.topics.addAttachment(a.topicId, a, a.data, actor.id, a.id).catch(() => {});
    }
    await this.store.audit.append({
      actor: actor.id,
      action: 'topic.import',
      target: projectId,
      ip: actor.ip ?? null,
      details: { ...r, format: 'bcf' },
    });
    for (const t of topics) {
      const full = await this.store.topics.get(t.id);
      if (full) this.events?.toProject(projectId, { type: 'topic.updated', topic: full });
    }
    return r;
  }
}
