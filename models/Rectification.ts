import { z } from 'zod';
import { safeText } from './text.js';
import type { TopicStatus } from './TopicStatus.js';

/**
 * The rectification workflow of a supervisor (整改通知 -> 整改回复 -> 复查 -> 销项 / 退回): an authority inspector
 * raises a notice on a project topic (legal basis, deadline); the project (or its enterprise) replies with evidence
 * photos; the inspector re-checks and closes it or sends it back. A notice past its deadline that still waits for the
 * project is overdue (an alarm on the wall).
 */

/** issued -> replied -> closed, or replied -> sent_back -> replied -> … */
export const NoticeState = z.enum(['issued', 'replied', 'sent_back', 'closed']);
export type NoticeState = z.infer<typeof NoticeState>;

export const NoticeReply = z.object({
  at: z.number().int(),
  by: z.string(),
  text: z.string(),
  /** Evidence photos: attachments of the topic. */
  attachmentIds: z.array(z.string().uuid()),
});
export type NoticeReply = z.infer<typeof NoticeReply>;

export const NoticeCheckOutcome = z.enum(['close', 'send_back']);
export type NoticeCheckOutcome = z.infer<typeof NoticeCheckOutcome>;

export const NoticeCheck = z.object({
  at: z.number().int(),
  by: z.string(),
  outcome: NoticeCheckOutcome,
  comment: z.string(),
});
export type NoticeCheck = z.infer<typeof NoticeCheck>;

/** A notice as stored with its topic. */
export const RectificationNotice = z.object({
  /** `ZG-<region code>-<year>-<5-digit sequence>`, unique, given by the server. */
  noticeNumber: z.string(),
  legalBasis: z.string(),
  /** Epoch ms: the project must reply before it. */
  deadline: z.number().int(),
  issuedBy: z.string(),
  issuedAt: z.number().int(),
  state: NoticeState,
  replies: z.array(NoticeReply),
  checks: z.array(NoticeCheck),
});
export type RectificationNotice = z.infer<typeof RectificationNotice>;

/** The notice part of raising one (`POST /api/v1/projects/:id/topics` with `notice`). */
export const NoticeCreate = z
  .object({
    legalBasis: safeText().trim().min(1).max(4000),
    /** Epoch ms; must lie in the future when raised. */
    deadline: z.number().int().positive(),
  })
  .strict();
export type NoticeCreate = z.infer<typeof NoticeCreate>;

/** `POST /api/v1/topics/:id/notice/reply`: the project's answer with its evidence (photos uploaded first). */
export const NoticeReplyCreate = z
  .object({ text: safeText().trim().min(1).max(10_000), attachmentIds: z.array(z.string().uuid()).max(32).default([]) })
  .strict();
export type NoticeReplyCreate = z.infer<typeof NoticeReplyCreate>;

/** `POST /api/v1/topics/:id/notice/check`: the inspector's re-check. */
export const NoticeCheckCreate = z
  .object({ outcome: NoticeCheckOutcome, comment: safeText().trim().max(10_000).default('') })
  .strict();
export type NoticeCheckCreate = z.infer<typeof NoticeCheckCreate>;

/** The notice number of the `seq`-th notice of a region in a year: `ZG-370202-2026-00017`. */
export function formatNoticeNumber(regionCode: string, year: number, seq: number): string {
  return `ZG-${regionCode}-${year}-${String(seq).padStart(5, '0')}`;
}

/** True when the deadline has passed and the notice still waits for the project's reply. */
export function isOverdue(n: Pick<RectificationNotice, 'state' | 'deadline'>, now: number): boolean {
  return (n.state === 'issued' || n.state === 'sent_back') && now > n.deadline;
}

/** Why a workflow step is refused: the notice is in the wrong state for it. */
export class NoticeStateError extends Error {
  override name = 'NoticeStateError';
  constructor(
    readonly state: NoticeState,
    readonly step: 'reply' | 'check',
  ) {
    super(
      step === 'reply'
        ? `A notice that is ${state} takes no reply (only issued or sent back ones do)`
        : `A notice that is ${state} cannot be re-checked (only a replied one can)`,
    );
  }
}

/** The project's reply: the notice waits for the re-check; its topic is resolved. Pure: returns the new notice. */
export function applyReply(
  n: RectificationNotice,
  reply: NoticeReply,
): { notice: RectificationNotice; topicStatus: TopicStatus } {
  if (n.state !== 'issued' && n.state !== 'sent_back') throw new NoticeStateError(n.state, 'reply');
  return { notice: { ...n, state: 'replied', replies: [...n.replies, reply] }, topicStatus: 'resolved' };
}

/** The inspector's re-check: closes the notice (topic closed) or sends it back (topic reopened). */
export function applyCheck(
  n: RectificationNotice,
  check: NoticeCheck,
): { notice: RectificationNotice; topicStatus: TopicStatus } {
  if (n.state !== 'replied') throw new NoticeStateError(n.state, 'check');
  const state: NoticeState = check.outcome === 'close' ? 'closed' : 'sent_back';
  return {
    notice: { ...n, state, checks: [...n.checks, check] },
    topicStatus: state === 'closed' ? 'closed' : 'reopened',
  };
}
