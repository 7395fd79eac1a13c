import { isOpenStatus, type TopicPriority, type TopicStatus, type TopicType } from '../../models/Topic.js';

/** zh-CN first, English beside it (the UI's language switch picks one). */
export const TYPE_LABEL: Record<TopicType, { zh: string; en: string }> = {
  quality: { zh: '质量', en: 'Quality' },
  safety: { zh: '安全', en: 'Safety' },
  dust: { zh: '扬尘·文明施工', en: 'Dust / site order' },
  progress: { zh: '进度', en: 'Progress' },
  design: { zh: '设计碰撞·疑问', en: 'Design clash / question' },
};

export const STATUS_LABEL: Record<TopicStatus, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'Open' },
  in_progress: { zh: '整改中', en: 'In progress' },
  resolved: { zh: '已回复', en: 'Resolved' },
  closed: { zh: '已销项', en: 'Closed' },
  reopened: { zh: '退回重改', en: 'Reopened' },
};

export const PRIORITY_LABEL: Record<TopicPriority, { zh: string; en: string }> = {
  low: { zh: '低', en: 'Low' },
  normal: { zh: '一般', en: 'Normal' },
  high: { zh: '高', en: 'High' },
  critical: { zh: '紧急', en: 'Critical' },
};

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
