import './progress.css';
import type { BimModel } from '../../models/BimModel.js';
import { isoDayOf, type ProgressState, type ProjectProgress, type Schedule } from '../../models/Progress.js';
import { api } from '../../models/api/index.js';
import { rest } from '../api/ApiClient.js';
import {
  fetchProgressStates,
  fetchProjectModels,
  fetchProjectProgress,
  fetchSchedule,
  recordProgress,
  uploadScheduleCsv,
} from '../api/progressApi.js';
import { currentSession, mayWrite, onSessionChanged } from '../auth/session.js';
import type { ElementColouring } from '../bim/ElementColouring.js';
import type { ElementSelection } from '../bim/ElementSelection.js';
import type { Tool } from '../core/Tool.js';
import type { LiveClient } from '../live/LiveClient.js';
import type { SelectionState } from '../state/SelectionState.js';
import { h } from '../ui/dom.js';
import {
  colourMapOf,
  dayNumber,
  dayOfNumber,
  PROGRESS_ORDER,
  PROGRESS_STYLE,
  sliderRange,
  stateCounts,
} from './progressColours.js';
import { createProgressProbe, type ProgressProbe } from '../probes/ProgressProbe.js';
import { progressPanelDom, type ProgressPanelDom } from './progressPanelDom.js';
import { formatDay, t } from '../i18n/i18n.js';
import { errorText } from '../api/errorText.js';
import { refusalText } from './scheduleText.js';

/**
 * 4D progress of the selected project: a date slider that colours the model by planned vs actual on that day (done,
 * ahead, on time, behind, not started) with a legend, progress % of the project and per storey, the CSV report, a
 * schedule CSV upload, and "mark the selected elements started / finished / inspected on a date". The colours go to
 * the shared ElementColouring, so the map's tilesets and the workspace paint the same thing.
 */
export class ProgressPanel implements Tool {
  readonly probe: ProgressProbe = createProgressProbe();
  private readonly d: ProgressPanelDom;
  private readonly offs: (() => void)[] = [];
  private models: BimModel[] = [];
  private schedule: Schedule | null = null;
  private date = isoDayOf(Date.now());
  private open = false;
  private refreshSeq = 0;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  /** GlobalIds gathered for marking (the element selection holds one at a time). */
  private readonly marked = new Set<string>();
  private _enabled = true;

  constructor(
    container: HTMLElement,
    private readonly selection: SelectionState,
    private readonly colouring: ElementColouring,
    private readonly elements: ElementSelection,
    live: LiveClient | null,
  ) {
    this.d = progressPanelDom(container);
    this.d.root.hidden = true;
    this.d.root.addEventListener('click', (e) =>
      this.onClick((e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action),
    );
    this.d.slider.addEventListener('input', () => {
      this.setDate(dayOfNumber(Number(this.d.slider.value)), 150);
    });
    this.d.dateInput.addEventListener(
      'change',
      () => this.d.dateInput.value && this.setDate(this.d.dateInput.value, 0),
    );
    this.d.modelSelect.addEventListener('change', () => void this.loadModel(this.d.modelSelect.value));
    this.d.file.addEventListener('change', () => void this.upload());
    this.showWriteControls();
    this.offs.push(
      onSessionChanged.add(() => this.showWriteControls()),
      selection.onChanged.add(() => this.open && void this.loadProject()),
      elements.onChanged.add((c) => {
        if (c.element && this.open)
          this.d.selectedNote.textContent = t('progress.selected', { id: c.element.globalId });
      }),
    );
    if (live)
      this.offs.push(
        live.onMessage.add((m) => {
          if (m.type === 'progress.updated' && this.open && m.projectId === this.probe.projectId)
            this.setDate(this.date, 300);
        }),
      );
  }

  /** A viewer (or an authority) may read progress but not record it: the server would refuse, so do not offer it. */
  private showWriteControls(): void {
    currentSession()
      .then((me) => {
        for (const el of this.d.writeControls) el.hidden = !mayWrite(me, 'progress');
      })
      .catch(() => {}); // unknown: the controls stay hidden
  }

  get enabled(): boolean {
    return this._enabled;
  }
  set enabled(v: boolean) {
    this._enabled = v;
    if (!v) this.toggle(false);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Opens (optionally at a day) or closes the panel; closing drops the colours from the model. */
  toggle(open = !this.open, date?: string): void {
    this.open = open && this._enabled;
    this.probe.open = this.open;
    this.d.root.hidden = !this.open;
    if (date) this.date = date;
    if (this.open) void this.loadProject();
    else this.colouring.clearColours();
  }

  private setDate(day: string, delayMs: number): void {
    this.date = day;
    this.d.dateInput.value = day;
    this.d.slider.value = String(dayNumber(day));
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), delayMs);
  }

  private async loadProject(): Promise<void> {
    const id = this.selection.selectedId;
    this.probe.projectId = id;
    this.d.title.textContent = id ? t('progress.title') : t('progress.selectProject');
    this.models = [];
    this.schedule = null;
    if (!id) return this.showEmpty(t('progress.selectHint'));
    try {
      this.models = (await fetchProjectModels(id)).filter((m) => m.status === 'ready');
    } catch (err) {
      return this.showEmpty(t('progress.modelsFailed', { message: errorText(err) }));
    }
    this.d.modelSelect.replaceChildren(...this.models.map((m) => h('option', { value: m.id, text: m.fileName })));
    this.d.modelRow.hidden = this.models.length < 2;
    if (!this.models.length) return this.showEmpty(t('progress.noModel'));
    await this.loadModel(this.models[0]!.id);
  }

  private async loadModel(modelId: string): Promise<void> {
    this.probe.modelId = modelId;
    this.d.modelSelect.value = modelId;
    this.schedule = await fetchSchedule(modelId).catch(() => null);
    const range = sliderRange(this.schedule?.tasks ?? [], isoDayOf(Date.now()));
    this.d.slider.min = String(dayNumber(range.min));
    this.d.slider.max = String(dayNumber(range.max));
    this.d.rangeText.textContent = `${formatDay(range.min)} … ${formatDay(range.max)}`;
    this.d.body.hidden = false;
    this.d.empty.hidden = true;
    this.setDate(this.date, 0);
  }

  /** Fetches states and % for the current day and paints them. Only the newest of overlapping refreshes is shown. */
  private async refresh(): Promise<void> {
    const { modelId, projectId } = this.probe;
    if (!this.open || !modelId || !projectId) return;
    const seq = ++this.refreshSeq;
    const date = this.date;
    this.probe.loading = true;
    try {
      const [st, prog] = await Promise.all([fetchProgressStates(modelId, date), fetchProjectProgress(projectId, date)]);
      if (seq !== this.refreshSeq) return;
      this.paint(st?.states ?? {}, prog, date, st === null);
      this.probe.error = null;
    } catch (err) {
      if (seq !== this.refreshSeq) return;
      this.probe.error = (err as Error).message;
      this.d.status.textContent = t('progress.failed', { message: errorText(err) });
    } finally {
      if (seq === this.refreshSeq) {
        this.probe.loading = false;
        this.probe.seq++;
      }
    }
  }

  private paint(states: Record<string, ProgressState>, prog: ProjectProgress, date: string, noSchedule: boolean): void {
    const colours = colourMapOf(states);
    const counts = stateCounts(states);
    this.colouring.colourBy(colours, {
      title: t('progress.legendTitle', { date: formatDay(date) }),
      entries: PROGRESS_ORDER.map((s) => ({
        colour: PROGRESS_STYLE[s].color,
        label: PROGRESS_STYLE[s].label,
        count: counts[s],
      })),
    });
    Object.assign(this.probe, {
      date,
      states,
      colours: Object.fromEntries(colours),
      percent: prog.total.percent,
      storeys: prog.storeys.map((s) => ({ storey: s.storey, percent: s.percent, planned: s.planned, done: s.done })),
    });
    this.d.status.textContent = noSchedule
      ? t('progress.noSchedule')
      : t('progress.plannedElements', { n: Object.keys(states).length });
    this.d.legend.replaceChildren(
      ...PROGRESS_ORDER.map((s) =>
        h(
          'div',
          { class: 'legend-item', style: `--c:${PROGRESS_STYLE[s].color}`, 'data-state': s },
          h('span', { class: 'swatch' }),
          h('span', { text: PROGRESS_STYLE[s].label }),
          h('b', { text: String(counts[s]) }),
        ),
      ),
    );
    this.d.total.textContent = `${prog.total.percent} %`;
    this.d.totalSub.textContent = t('progress.totalSub', {
      done: prog.total.done,
      planned: prog.total.planned,
      plannedPercent: prog.total.plannedPercent,
    });
    this.d.storeys.replaceChildren(
      ...prog.storeys.map((s) =>
        h(
          'div',
          { class: 'storey-row', 'data-storey': s.storey ?? '' },
          h('span', { class: 'storey-name', text: s.storey ?? t('progress.noStorey') }),
          h(
            'span',
            { class: 'storey-bar' },
            h('span', { class: 'storey-fill', style: `width:${s.percent}%` }),
            h('span', { class: 'storey-plan', style: `left:${s.plannedPercent}%` }),
          ),
          h('span', { class: 'storey-pct', text: `${s.percent} %` }),
        ),
      ),
    );
    this.d.csvLink.href = rest.url(api.progress.csvOfProject, { id: prog.projectId }, { date });
  }

  private showEmpty(text: string): void {
    this.colouring.clearColours();
    this.d.body.hidden = true;
    this.d.empty.hidden = false;
    this.d.empty.textContent = text;
    this.probe.seq++;
  }

  private onClick(action: string | undefined): void {
    if (action === 'close') this.toggle(false);
    else if (action === 'upload') this.d.file.click();
    else if (action === 'add-selected') {
      const el = this.elements.element;
      if (el) this.marked.add(el.globalId);
      this.d.ids.value = [...new Set([...this.parseIds(), ...this.marked])].join(' ');
    } else if (action === 'mark') void this.mark();
  }

  private parseIds(): string[] {
    return this.d.ids.value.split(/[\s,;]+/).filter(Boolean);
  }

  private async upload(): Promise<void> {
    const f = this.d.file.files?.[0];
    const modelId = this.probe.modelId;
    if (!f || !modelId) return;
    this.d.status.textContent = t('progress.importing', { file: f.name });
    try {
      const r = await uploadScheduleCsv(modelId, await f.text());
      const refused = r.rejected
        .map((x) => t('progress.refusedLine', { line: x.line ?? x.index ?? '?', message: refusalText(x) }))
        .slice(0, 3)
        .join('; ');
      this.d.status.textContent = [
        t('progress.imported', { n: r.imported }),
        r.rejected.length ? t('progress.importRefused', { n: r.rejected.length, list: refused }) : '',
        r.unmatchedTasks.length ? t('progress.unmatched', { list: r.unmatchedTasks.join(', ') }) : '',
      ].join('');
      await this.loadModel(modelId);
    } catch (err) {
      this.d.status.textContent = t('progress.importFailed', { message: errorText(err) });
    } finally {
      this.d.file.value = '';
    }
  }

  private async mark(): Promise<void> {
    const modelId = this.probe.modelId;
    const ids = this.parseIds();
    const status = this.d.markStatus.value as 'started' | 'finished' | 'inspected';
    const date = this.d.markDate.value || isoDayOf(Date.now());
    if (!modelId || !ids.length) return void (this.d.markResult.textContent = t('progress.selectFirst'));
    try {
      const r = await recordProgress(modelId, { globalIds: ids, status, date });
      this.d.markResult.textContent =
        t('progress.marked', { n: r.recorded, status: t(`progress.status.${status}`), date: formatDay(date) }) +
        (r.rejected.length ? t('progress.notInModel', { n: r.rejected.length }) : '');
      this.marked.clear();
      this.setDate(this.date, 0);
    } catch (err) {
      this.d.markResult.textContent = t('progress.notRecorded', { message: errorText(err) });
    }
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const off of this.offs) off();
    this.d.root.remove();
  }
}
