import type { ProjectStatus } from '../../models/Project.js';
import { t } from '../i18n/i18n.js';

/** How a status looks everywhere (map, list badge, legend), so the colours cannot drift apart. */
export interface StatusStyle {
  label: string;
  /** CSS hex colour; the map derives its Cesium colour from it. */
  color: string;
}

/** A status style whose label is read from the catalogue when shown (it follows the page's language). */
const style = (status: ProjectStatus, color: string): StatusStyle => ({
  get label() {
    return t(`status.${status}`);
  },
  color,
});

export const STATUS_STYLE: Record<ProjectStatus, StatusStyle> = {
  planned: style('planned', '#5b8def'),
  under_construction: style('under_construction', '#f2a33a'),
  suspended: style('suspended', '#e5534b'),
  completed: style('completed', '#3fb27f'),
};

export const STATUS_ORDER: ProjectStatus[] = ['under_construction', 'planned', 'suspended', 'completed'];
