import type { Tour, Viewpoint } from '../../models/Tour.js';
import { t } from '../i18n/i18n.js';

/**
 * The caption of a stop in the UI's language: a generated stop is worded from its label (project, side), a saved
 * stop keeps its author's text.
 */
export function viewpointCaption(vp: Pick<Viewpoint, 'caption' | 'label'>): string {
  const l = vp.label;
  if (!l) return vp.caption;
  return l.side ? t(`tour.side.${l.side}`, { name: l.project }) : l.project;
}

/** The name of a tour in the UI's language: a generated tour's is worded here, a saved tour's is its author's. */
export function tourName(tour: Pick<Tour, 'generated' | 'kind' | 'name' | 'viewpoints'>): string {
  if (!tour.generated) return tour.name;
  if (tour.kind === 'city') return t('tour.generated.city');
  const project = tour.viewpoints.find((v) => v.label)?.label?.project;
  return project ? t('tour.generated.project', { name: project }) : tour.name;
}

/**
 * The tour as the UI shows it: name and captions in the UI's language. Generated tours are built in English (the
 * server's wording, for any reader of the API) with their captions as data beside it; every place that plays or
 * shows a tour goes through here (TourPlayer.load), so the panel, the wall's caption and the probes read one text.
 */
export function localizeTour(tour: Tour): Tour {
  return {
    ...tour,
    name: tourName(tour),
    viewpoints: tour.viewpoints.map((v) => (v.label ? { ...v, caption: viewpointCaption(v) } : v)),
  };
}
