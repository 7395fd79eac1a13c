import { z } from 'zod';

/** The lifecycle of a topic (BCF TopicStatus): its own file so that Topic and Rectification both use it without a cycle. */
export const TopicStatus = z.enum(['open', 'in_progress', 'resolved', 'closed', 'reopened']);
export type TopicStatus = z.infer<typeof TopicStatus>;
