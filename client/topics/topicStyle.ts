import { t, type MessageKey } from '../i18n/i18n.js';
import { isOpenStatus, type TopicPriority, type TopicStatus, type TopicType } from '../../models/Topic.js';

/** A topic type in the page's language. */
export function typeLabel(v: TopicType): string {
  return t(`topics.type.${v}` as MessageKey);
}

/** A topic status in the page's language. */
export function statusLabel(v: TopicStatus): string {
  return t(`topics.status.${v}` as MessageKey);
}

/** A topic priority in the page's language. */
export function priorityLabel(v: TopicPriority): string {
  return t(`topics.priority.${v}` as MessageKey);
}

/** Hue per type: safety red, quality blue, dust amber, progress green, design violet. */
const TYPE_COLOR: Record<TopicType, string> = {
  safety: '#d93025',
  quality: '#1a73e8',
  dust: '#e8a200',
  progress: '#188038',
  design: '#8e44ad',
};

/**
 * The pin of a topic on the map: the type's colour, full while it asks for work, greyed once resolved or closed; an
 * overdue notice gets a ring. Returns null for a topic that gets no pin (closed).
 */
export function pinStyle(t: {
  topicType: TopicType;
  topicStatus: TopicStatus;
  overdue?: boolean;
}): { fill: string; outline: string; alpha: number } | null {
  if (t.topicStatus === 'closed') return null;
  const open = isOpenStatus(t.topicStatus);
  return {
    fill: TYPE_COLOR[t.topicType],
    outline: t.overdue ? '#000000' : t.topicStatus === 'reopened' ? '#ff6d00' : '#ffffff',
    alpha: open ? 1 : 0.45,
  };
}
