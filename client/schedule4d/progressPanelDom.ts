import { h } from '../ui/dom.js';
import { t } from '../i18n/i18n.js';

/** The 4D panel's nodes, built once; the panel rewrites their content. */
export interface ProgressPanelDom {
  root: HTMLElement;
  /** Schedule upload and element marking: shown only to accounts that may write progress. */
  writeControls: HTMLElement[];
  title: HTMLElement;
  empty: HTMLElement;
  body: HTMLElement;
  modelRow: HTMLElement;
  modelSelect: HTMLSelectElement;
  slider: HTMLInputElement;
  dateInput: HTMLInputElement;
  rangeText: HTMLElement;
  legend: HTMLElement;
  total: HTMLElement;
  totalSub: HTMLElement;
  storeys: HTMLElement;
  status: HTMLElement;
  csvLink: HTMLAnchorElement;
  file: HTMLInputElement;
  ids: HTMLTextAreaElement;
  markStatus: HTMLSelectElement;
  markDate: HTMLInputElement;
  markResult: HTMLElement;
  selectedNote: HTMLElement;
}

export function progressPanelDom(container: HTMLElement): ProgressPanelDom {
  const title = h('h2', { class: 'progress-title', text: t('progress.title') });
  const empty = h('p', { class: 'progress-empty', 'data-testid': 'progress-empty' });
  const modelSelect = h('select', { class: 'progress-select', 'aria-label': t('progress.model') });
  const modelRow = h('label', { class: 'progress-row' }, h('span', { text: t('progress.model') }), modelSelect);
  const slider = h('input', {
    type: 'range',
    class: 'progress-slider',
    step: 1,
    'aria-label': t('progress.date'),
    'data-testid': 'progress-slider',
  });
  const dateInput = h('input', { type: 'date', class: 'progress-date', 'data-testid': 'progress-date' });
  const rangeText = h('span', { class: 'progress-range' });
  const legend = h('div', { class: 'progress-legend', 'data-testid': 'progress-legend' });
  const total = h('div', { class: 'progress-total', 'data-testid': 'progress-total' });
  const totalSub = h('div', { class: 'progress-total-sub' });
  const storeys = h('div', { class: 'progress-storeys', 'data-testid': 'progress-storeys' });
  const status = h('p', { class: 'progress-status', 'data-testid': 'progress-status' });
  const csvLink = h('a', { class: 'btn small', download: '', text: t('progress.csv') });
  // Write controls start hidden: the panel shows them once the session is known to allow it (viewers never).
  const upload = h('button', { class: 'btn small', 'data-action': 'upload', text: t('progress.upload'), hidden: true });
  const file = h('input', { type: 'file', accept: '.csv,text/csv', hidden: true, 'data-testid': 'progress-file' });
  const ids = h('textarea', {
    class: 'progress-ids',
    rows: 2,
    placeholder: t('progress.idsPlaceholder'),
    'data-testid': 'progress-ids',
  });
  const markStatus = h(
    'select',
    { class: 'progress-select', 'data-testid': 'progress-mark-status' },
    h('option', { value: 'started', text: t('progress.status.started') }),
    h('option', { value: 'finished', text: t('progress.status.finished') }),
    h('option', { value: 'inspected', text: t('progress.status.inspected') }),
  );
  const markDate = h('input', { type: 'date', class: 'progress-date', 'data-testid': 'progress-mark-date' });
  const markResult = h('p', { class: 'progress-status', 'data-testid': 'progress-mark-result' });
  const selectedNote = h('p', { class: 'progress-status' });
  const body = h(
    'div',
    { class: 'progress-body' },
    modelRow,
    h('div', { class: 'progress-row' }, dateInput, rangeText),
    slider,
    legend,
    h('div', { class: 'progress-totals' }, total, totalSub),
    storeys,
    status,
    h('div', { class: 'progress-actions' }, csvLink, upload, file),
    h(
      'details',
      { class: 'progress-mark', hidden: true },
      h('summary', { text: t('progress.mark') }),
      selectedNote,
      ids,
      h(
        'div',
        { class: 'progress-row' },
        h('button', { class: 'btn small', 'data-action': 'add-selected', text: t('progress.addSelected') }),
        markStatus,
        markDate,
        h('button', {
          class: 'btn small primary',
          'data-action': 'mark',
          'data-testid': 'progress-mark',
          text: t('progress.markSubmit'),
        }),
      ),
      markResult,
    ),
  );
  const mark = body.querySelector<HTMLElement>('.progress-mark')!;
  const root = h(
    'aside',
    { class: 'progress-panel', 'data-testid': 'progress-panel' },
    h(
      'header',
      { class: 'detail-head' },
      title,
      h('button', { class: 'icon-btn', 'data-action': 'close', 'aria-label': t('common.close'), text: '×' }),
    ),
    empty,
    body,
  );
  container.append(root);
  return {
    root,
    title,
    empty,
    body,
    writeControls: [upload, mark],
    modelRow,
    modelSelect,
    slider,
    dateInput,
    rangeText,
    legend,
    total,
    totalSub,
    storeys,
    status,
    csvLink,
    file,
    ids,
    markStatus,
    markDate,
    markResult,
    selectedNote,
  };
}
