import type { TopicStatus } from './Topic.js';
import { grantCoversProject, type ProjectFacts, type UserGrant } from './User.js';

/**
 * Who may do what with topics and rectification notices. A pure function of the grant, the project's owner facts and
 * (for an existing topic) whether it carries a notice, so the server decides with it and the client hides the
 * buttons with the same answer.
 *
 * - admin: everything;
 * - authority (its region): reads, raises topics and notices, comments, edits, closes / reopens ordinary topics and
 *   re-checks notices (close or send back); never replies to a notice (it is not the party that rectifies);
 * - enterprise (its projects) and project (its projects): read, raise topics (not notices), comment, edit, close /
 *   reopen ordinary topics, reply to notices; a notice's topic is closed or reopened only by the re-check;
 * - viewer: reads its scope only.
 * Outside its scope a grant may do nothing (the route answers 404, as for a missing id).
 */
export type TopicAction =
  | 'read'
  | 'raise'
  | 'comment'
  | 'attach'
  | 'update'
  | 'close'
  | 'reopen'
  | 'raiseNotice'
  | 'replyNotice'
  | 'checkNotice';

export const TOPIC_ACTIONS: readonly TopicAction[] = [
  'read',
  'raise',
  'comment',
  'attach',
  'update',
  'close',
  'reopen',
  'raiseNotice',
  'replyNotice',
  'checkNotice',
];

/** The facts about a project a scope check needs. */
export type TopicProjectFacts = ProjectFacts;

/** Does the grant see this project at all? (The one scope rule, in models/User.ts.) */
export const grantSeesProject = grantCoversProject;

/**
 * May `g` do `action` on the topics of project `p`? `topic.hasNotice` matters for close / reopen (a notice closes by
 * re-check only). `g` undefined is AUTH=off: the anonymous admin.
 */
export function topicAllows(
  g: UserGrant | undefined,
  action: TopicAction,
  p: TopicProjectFacts,
  topic?: { hasNotice: boolean },
): boolean {
  if (!g || g.role === 'admin') return true;
  if (!grantSeesProject(g, p)) return false;
  if (action === 'read') return true;
  const notice = topic?.hasNotice ?? false;
  switch (g.role) {
    case 'viewer':
      return false;
    case 'authority':
      if (action === 'replyNotice') return false;
      if ((action === 'close' || action === 'reopen') && notice) return false;
      return true;
    case 'enterprise':
    case 'project':
      if (action === 'raiseNotice' || action === 'checkNotice') return false;
      if ((action === 'close' || action === 'reopen') && notice) return false;
      return true;
  }
}

/** The action a PATCH to `to` needs besides `update`: closing and reopening are rights of their own. */
export function actionOfStatus(to: TopicStatus): TopicAction {
  return to === 'closed' ? 'close' : to === 'reopened' ? 'reopen' : 'update';
}
