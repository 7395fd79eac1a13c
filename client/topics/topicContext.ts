import type { Topic, TopicViewpointInput } from '../../models/Topic.js';
import type { TopicAction } from '../../models/topicRules.js';

/**
 * What the topic panel needs from the page around it: who may do what (models/topicRules.ts with the session's
 * grant, the server's own rule), the device selected on the map (a topic's anchor), the current view as a viewpoint,
 * and how to show a topic's viewpoint (on the map, or in the BIM workspace through a link).
 */
export interface TopicContext {
  allows(action: TopicAction, topic?: Topic): boolean;
  selectedDevice(): { id: string; name: string } | null;
  /** The current camera as a viewpoint, or null when it cannot be written (no frame yet). */
  currentViewpoint(): TopicViewpointInput | null;
  /** Puts the map camera where the topic's first viewpoint was (false when it has none). */
  showViewpoint(t: Topic): boolean;
  /** The BIM workspace at the topic's viewpoint, or null when the project has no model to open. */
  workspaceUrl(t: Topic): string | null;
}

/** Everyone may do everything, nothing is selected, no view (AUTH=off pages without a map). */
export const NO_CONTEXT: TopicContext = {
  allows: () => true,
  selectedDevice: () => null,
  currentViewpoint: () => null,
  showViewpoint: () => false,
  workspaceUrl: () => null,
};
