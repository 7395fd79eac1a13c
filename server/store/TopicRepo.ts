import { createHash, randomUUID } from 'node:crypto';
import { formatNoticeNumber, isOverdue, type RectificationNotice } from '../../models/Rectification.js';
import {
  componentsOf,
  isOpenStatus,
  type AttachmentMeta,
  type Topic,
  type TopicComment,
  type TopicCreate,
  type TopicQuery,
  type TopicStatus,
} from '../../models/Topic.js';
import type { Db, DbTx } from './Db.js';
import { mapConstraintError } from './errors.js';

/** The fields of a topic kept in `body`. */
type Body = Pick<
  Topic,
  | 'title'
  | 'description'
  | 'priority'
  | 'labels'
  | 'dueDate'
  | 'assignee'
  | 'anchors'
  | 'viewpoints'
  | 'notice'
  | 'creationAuthor'
  | 'modifiedAuthor'
>;

interface Row {
  id: string;
  project_id: string;
  topic_type: Topic['topicType'];
  topic_status: TopicStatus;
  body: Body | string;
  created_at: string | number;
  updated_at: string | number;
}

interface CommentRow {
  id: string;
  topic_id: string;
  at: string | number;
  author: string;
  body: string;
  viewpoint_guid: string | null;
  modified_at: string | number | null;
}

interface AttachmentRow {
  id: string;
  topic_id: string;
  file_name: string;
  mime: AttachmentMeta['mime'];
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: string | number;
  taken_at: string | null;
  lon: number | null;
  lat: number | null;
  height: number | null;
}

const COLS = 'id, project_id, topic_type, topic_status, body, created_at, updated_at';
const ATT_COLS = 'id, topic_id, file_name, mime, size, sha256, uploaded_by, uploaded_at, taken_at, lon, lat, height';

const toComment = (r: CommentRow): TopicComment => ({
  guid: r.id,
  date: Number(r.at),
  author: r.author,
  comment: r.body,
  ...(r.viewpoint_guid ? { viewpointGuid: r.viewpoint_guid } : {}),
  ...(r.modified_at !== null ? { modifiedDate: Number(r.modified_at) } : {}),
});

const toAttachment = (r: AttachmentRow): AttachmentMeta => ({
  id: r.id,
  fileName: r.file_name,
  mime: r.mime,
  size: Number(r.size),
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  uploadedAt: Number(r.uploaded_at),
  ...(r.taken_at ? { takenAt: r.taken_at } : {}),
  ...(r.lon !== null && r.lat !== null
    ? {
        location: {
          lon: Number(r.lon),
          lat: Number(r.lat),
          ...(r.height !== null ? { height: Number(r.height) } : {}),
        },
      }
    : {}),
});

function toTopic(r: Row, comments: TopicComment[], attachments: AttachmentMeta[]): Topic {
  const b: Body = typeof r.body === 'string' ? JSON.parse(r.body) : r.body;
  const anchors = b.anchors ?? [];
  const viewpoints = b.viewpoints ?? [];
  return {
    id: r.id,
    projectId: r.project_id,
    title: b.title,
    description: b.description ?? '',
    topicType: r.topic_type,
    topicStatus: r.topic_status,
    priority: b.priority ?? 'normal',
    labels: b.labels ?? [],
    ...(b.dueDate !== undefined ? { dueDate: b.dueDate } : {}),
    ...(b.assignee ? { assignee: b.assignee } : {}),
    anchors,
    components: componentsOf(anchors, viewpoints),
    viewpoints,
    comments,
    attachments,
    ...(b.notice ? { notice: b.notice } : {}),
    creationAuthor: b.creationAuthor,
    creationDate: Number(r.created_at),
    modifiedDate: Number(r.updated_at),
    ...(b.modifiedAuthor ? { modifiedAuthor: b.modifiedAuthor } : {}),
  };
}

function bodyOf(t: Topic): Body {
  const {
    title,
    description,
    priority,
    labels,
    dueDate,
    assignee,
    anchors,
    viewpoints,
    notice,
    creationAuthor,
    modifiedAuthor,
  } = t;
  return {
    title,
    description,
    priority,
    labels,
    dueDate,
    assignee,
    anchors,
    viewpoints,
    notice,
    creationAuthor,
    modifiedAuthor,
  };
}

/** A whole topic to write as it is (an import, or the result of a workflow step). */
export type TopicRecord = Omit<Topic, 'components' | 'attachments'>;

/** An overdue notice, with what the wall counts it by. */
export interface OverdueNotice {
  topicId: string;
  projectId: string;
  enterpriseId: string;
  regionCode: string;
  noticeNumber: string;
  deadline: number;
}

/** Topics, their comments and attachments, and rectification notice numbers. */
export class TopicRepo {
  constructor(private readonly db: Db) {}

  /** A new topic (status open) with a fresh guid unless `t.id` is given; a notice, if any, is built by the caller. */
  async create(
    projectId: string,
    t: Omit<TopicCreate, 'notice'>,
    author: string,
    notice?: RectificationNotice,
  ): Promise<Topic> {
    const now = Date.now();
    const rec: TopicRecord = {
      id: t.id ?? randomUUID(),
      projectId,
      title: t.title,
      description: t.description,
      topicType: t.topicType,
      topicStatus: 'open',
      priority: t.priority,
      labels: t.labels,
      ...(t.dueDate !== undefined ? { dueDate: t.dueDate } : {}),
      ...(t.assignee ? { assignee: t.assignee } : {}),
      anchors: t.anchors,
      viewpoints: t.viewpoints,
      comments: [],
      ...(notice ? { notice } : {}),
      creationAuthor: author,
      creationDate: now,
      modifiedDate: now,
    };
    await this.db.transaction((tx) => this.insert(tx, rec));
    return (await this.get(rec.id))!;
  }

  private async insert(tx: DbTx, t: TopicRecord): Promise<void> {
    try {
      await tx.query(
        `INSERT INTO topics (id, project_id, topic_type, topic_status, notice_number, notice_state, notice_deadline, body, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          t.id,
          t.projectId,
          t.topicType,
          t.topicStatus,
          t.notice?.noticeNumber ?? null,
          t.notice?.state ?? null,
          t.notice?.deadline ?? null,
          JSON.stringify(bodyOf({ ...t, components: [], attachments: [] })),
          t.creationDate,
          t.modifiedDate,
        ],
      );
      for (const c of t.comments) await this.insertComment(tx, t.id, c);
    } catch (err) {
      throw mapConstraintError(err);
    }
  }

  private async insertComment(tx: Pick<DbTx, 'query'>, topicId: string, c: TopicComment): Promise<void> {
    await tx.query(
      'INSERT INTO topic_comments (id, topic_id, at, author, body, viewpoint_guid, modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [c.guid, topicId, c.date, c.author, c.comment, c.viewpointGuid ?? null, c.modifiedDate ?? null],
    );
  }

  async get(id: string): Promise<Topic | null> {
    const r = await this.db.query<Row>(`SELECT ${COLS} FROM topics WHERE id = $1`, [id]);
    if (!r.rows[0]) return null;
    const [c, a] = await Promise.all([
      this.db.query<CommentRow>('SELECT * FROM topic_comments WHERE topic_id = $1 ORDER BY at, id', [id]),
      this.db.query<AttachmentRow>(
        `SELECT ${ATT_COLS} FROM topic_attachments WHERE topic_id = $1 ORDER BY uploaded_at, id`,
        [id],
      ),
    ]);
    return toTopic(r.rows[0], c.rows.map(toComment), a.rows.map(toAttachment));
  }

  /** The project of a topic (for scope checks without loading it), or null. */
  async projectOf(id: string): Promise<string | null> {
    const r = await this.db.query<{ project_id: string }>('SELECT project_id FROM topics WHERE id = $1', [id]);
    return r.rows[0]?.project_id ?? null;
  }

  /** A project's topics, oldest first, filtered. `now` decides `overdue`. */
  async list(projectId: string, q: TopicQuery = {}, now = Date.now()): Promise<Topic[]> {
    const r = await this.db.query<Row>(`SELECT ${COLS} FROM topics WHERE project_id = $1 ORDER BY created_at, id`, [
      projectId,
    ]);
    const ids = r.rows.map((x) => x.id);
    const comments = new Map<string, TopicComment[]>();
    const atts = new Map<string, AttachmentMeta[]>();
    if (ids.length) {
      const c = await this.db.query<CommentRow>(
        'SELECT c.* FROM topic_comments c JOIN topics t ON t.id = c.topic_id WHERE t.project_id = $1 ORDER BY c.at, c.id',
        [projectId],
      );
      for (const x of c.rows) comments.set(x.topic_id, [...(comments.get(x.topic_id) ?? []), toComment(x)]);
      const a = await this.db.query<AttachmentRow>(
        `SELECT ${ATT_COLS.split(', ')
          .map((k) => `a.${k}`)
          .join(
            ', ',
          )} FROM topic_attachments a JOIN topics t ON t.id = a.topic_id WHERE t.project_id = $1 ORDER BY a.uploaded_at, a.id`,
        [projectId],
      );
      for (const x of a.rows) atts.set(x.topic_id, [...(atts.get(x.topic_id) ?? []), toAttachment(x)]);
    }
    return r.rows
      .map((x) => toTopic(x, comments.get(x.id) ?? [], atts.get(x.id) ?? []))
      .filter(
        (t) =>
          (!q.topicType || t.topicType === q.topicType) &&
          (!q.topicStatus || t.topicStatus === q.topicStatus) &&
          (!q.open || isOpenStatus(t.topicStatus) === (q.open === 'true')) &&
          (!q.notice || !!t.notice === (q.notice === 'true')) &&
          (!q.overdue || (!!t.notice && isOverdue(t.notice, now)) === (q.overdue === 'true')) &&
          (!q.label || t.labels.includes(q.label)),
      );
  }

  /**
   * Changes a topic under a row lock: `fn` gets the current topic and returns the new one (or throws to refuse).
   * Returns null when the topic does not exist. Comments and attachments are not written here.
   */
  async mutate(id: string, fn: (t: Topic) => TopicRecord | Promise<TopicRecord>): Promise<Topic | null> {
    const found = await this.db.transaction(async (tx) => {
      const r = await tx.query<Row>(`SELECT ${COLS} FROM topics WHERE id = $1 FOR UPDATE`, [id]);
      if (!r.rows[0]) return false;
      const cur = toTopic(r.rows[0], [], []);
      const next = await fn(cur);
      await tx.query(
        `UPDATE topics SET topic_type = $2, topic_status = $3, notice_number = $4, notice_state = $5, notice_deadline = $6, body = $7, updated_at = $8 WHERE id = $1`,
        [
          id,
          next.topicType,
          next.topicStatus,
          next.notice?.noticeNumber ?? null,
          next.notice?.state ?? null,
          next.notice?.deadline ?? null,
          JSON.stringify(bodyOf({ ...next, components: [], attachments: [] })),
          Math.max(Date.now(), cur.modifiedDate),
        ],
      );
      return true;
    });
    return found ? this.get(id) : null;
  }

  async addComment(
    topicId: string,
    c: { comment: string; viewpointGuid?: string },
    author: string,
  ): Promise<TopicComment> {
    const comment: TopicComment = {
      guid: randomUUID(),
      date: Date.now(),
      author,
      comment: c.comment,
      ...(c.viewpointGuid ? { viewpointGuid: c.viewpointGuid } : {}),
    };
    try {
      await this.insertComment(this.db, topicId, comment);
      await this.db.query('UPDATE topics SET updated_at = $2 WHERE id = $1', [topicId, comment.date]);
    } catch (err) {
      throw mapConstraintError(err);
    }
    return comment;
  }

  async addAttachment(
    topicId: string,
    a: { fileName: string; mime: AttachmentMeta['mime']; takenAt?: string; location?: AttachmentMeta['location'] },
    data: Uint8Array,
    by: string,
    id: string = randomUUID(),
  ): Promise<AttachmentMeta> {
    const meta: AttachmentMeta = {
      id,
      fileName: a.fileName,
      mime: a.mime,
      size: data.byteLength,
      sha256: createHash('sha256').update(data).digest('hex'),
      uploadedBy: by,
      uploadedAt: Date.now(),
      ...(a.takenAt ? { takenAt: a.takenAt } : {}),
      ...(a.location ? { location: a.location } : {}),
    };
    try {
      await this.db.query(
        `INSERT INTO topic_attachments (${ATT_COLS}, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          meta.id,
          topicId,
          meta.fileName,
          meta.mime,
          meta.size,
          meta.sha256,
          by,
          meta.uploadedAt,
          meta.takenAt ?? null,
          meta.location?.lon ?? null,
          meta.location?.lat ?? null,
          meta.location?.height ?? null,
          Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        ],
      );
    } catch (err) {
      throw mapConstraintError(err);
    }
    return meta;
  }

  /** An attachment's bytes, or null when the topic has no such attachment. */
  async attachmentData(topicId: string, id: string): Promise<{ meta: AttachmentMeta; data: Uint8Array } | null> {
    const r = await this.db.query<AttachmentRow & { data: Uint8Array }>(
      `SELECT ${ATT_COLS}, data FROM topic_attachments WHERE topic_id = $1 AND id = $2`,
      [topicId, id],
    );
    const row = r.rows[0];
    return row ? { meta: toAttachment(row), data: new Uint8Array(row.data) } : null;
  }

  /** The next notice number of a region in a year (one counter row per region and year, incremented in place). */
  async nextNoticeNumber(regionCode: string, year: number): Promise<string> {
    const r = await this.db.query<{ last: number }>(
      `INSERT INTO notice_counters (region_code, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (region_code, year) DO UPDATE SET last = notice_counters.last + 1 RETURNING last`,
      [regionCode, year],
    );
    return formatNoticeNumber(regionCode, year, Number(r.rows[0]!.last));
  }

  /**
   * Writes imported topics into a project: a guid already in this project is replaced (with its comments), a new one
   * inserted. Throws DuplicateError when a guid belongs to another project. All or nothing.
   */
  async importTopics(projectId: string, topics: TopicRecord[]): Promise<{ created: number; replaced: number }> {
    return this.db.transaction(async (tx) => {
      let created = 0;
      let replaced = 0;
      for (const t of topics) {
        const cur = await tx.query<{ project_id: string }>('SELECT project_id FROM topics WHERE id = $1 FOR UPDATE', [
          t.id,
        ]);
        if (cur.rows[0]) {
          if (cur.rows[0].project_id !== projectId)
            throw mapConstraintError({ code: '23505', detail: `topic ${t.id} belongs to another project` });
          // Keep the notice of a replaced topic: a BCF file does not carry the workflow.
          const prev = await tx.query<Row>(`SELECT ${COLS} FROM topics WHERE id = $1`, [t.id]);
          const notice = toTopic(prev.rows[0]!, [], []).notice;
          await tx.query('DELETE FROM topic_comments WHERE topic_id = $1', [t.id]);
          await tx.query(
            `UPDATE topics SET topic_type = $2, topic_status = $3, body = $4, updated_at = $5 WHERE id = $1`,
            [
              t.id,
              t.topicType,
              t.topicStatus,
              JSON.stringify(bodyOf({ ...t, ...(notice ? { notice } : {}), components: [], attachments: [] })),
              t.modifiedDate,
            ],
          );
          for (const c of t.comments) await this.insertComment(tx, t.id, c);
          replaced++;
        } else {
          await this.insert(tx, { ...t, projectId });
          created++;
        }
      }
      return { created, replaced };
    });
  }

  /** Notices past their deadline that still wait for the project, with the project's enterprise and region. */
  async overdueNotices(now = Date.now()): Promise<OverdueNotice[]> {
    const r = await this.db.query<{
      id: string;
      project_id: string;
      enterprise_id: string;
      region_code: string;
      notice_number: string;
      notice_deadline: string | number;
    }>(
      `SELECT t.id, t.project_id, p.enterprise_id, p.region_code, t.notice_number, t.notice_deadline
       FROM topics t JOIN projects p ON p.id = t.project_id
       WHERE t.notice_state IN ('issued', 'sent_back') AND t.notice_deadline < $1 ORDER BY t.notice_deadline, t.id`,
      [now],
    );
    return r.rows.map((x) => ({
      topicId: x.id,
      projectId: x.project_id,
      enterpriseId: x.enterprise_id,
      regionCode: x.region_code,
      noticeNumber: x.notice_number,
      deadline: Number(x.notice_deadline),
    }));
  }

  /** Open topics and open / overdue notices per project (for the wall and the map pins). */
  async countsByProject(
    now = Date.now(),
  ): Promise<Array<{ projectId: string; openTopics: number; openNotices: number; overdueNotices: number }>> {
    const r = await this.db.query<{
      project_id: string;
      open_topics: string | number;
      open_notices: string | number;
      overdue: string | number;
    }>(
      `SELECT project_id,
         count(*) FILTER (WHERE topic_status NOT IN ('resolved', 'closed')) AS open_topics,
         count(*) FILTER (WHERE notice_state IS NOT NULL AND notice_state <> 'closed') AS open_notices,
         count(*) FILTER (WHERE notice_state IN ('issued', 'sent_back') AND notice_deadline < $1) AS overdue
       FROM topics GROUP BY project_id ORDER BY project_id`,
      [now],
    );
    return r.rows.map((x) => ({
      projectId: x.project_id,
      openTopics: Number(x.open_topics),
      openNotices: Number(x.open_notices),
      overdueNotices: Number(x.overdue),
    }));
  }
}
