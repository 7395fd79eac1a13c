import { h } from './dom.js';

/**
 * A section of a side panel that folds (`<details>`): its title is the summary a person clicks, `data-section` names it
 * for tests and for remembering. Open by default.
 */
export function foldSection(key: string, title: string, ...content: (Node | null)[]): HTMLDetailsElement {
  return h(
    'details',
    { class: 'fold', 'data-section': key, open: true },
    h('summary', { class: 'panel-title', text: title }),
    ...content,
  );
}
