import type { ProjectStatus } from '../../models/Project.js';

/** How a status looks everywhere (map, list badge, legend), so the colours cannot drift apart. */
export interface StatusStyle {
  label: string;
  /** CSS hex colour; the map derives its Cesium colour from it. */
  color: string;
}

export const STATUS_STYLE: Record<ProjectStatus, StatusStyle> = {
  planned: { label: 'Planned', color: '#5b8def' },
  under_construction: { label: 'Under construction', color: '#f2a33a' },
  suspended: { label: 'Suspended', color: '#e5534b' },
  completed: { label: 'Completed', color: '#3fb27f' },
};

export const STATUS_ORDER: ProjectStatus[] = ['under_construction', 'planned', 'suspended', 'completed'];
