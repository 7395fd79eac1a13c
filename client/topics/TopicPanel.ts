import { TopicStatus, TopicType, type Topic, type TopicAnchor, type TopicViewpointInput } from '../../models/Topic.js';
import { createTopic, fetchTopics, uploadPhoto } from '../api/topicsApi.js';
import { t } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { NO_CONTEXT, type TopicContext } from './topicContext.js';
import { photoInput, topicItem } from './TopicItem.js';
import { statusLabel, typeLabel } from './topicStyle.js';
import { errorText } from '../api/errorText.js';

const TOPIC_TYPES = TopicType.options;
const TOPIC_STATUSES = TopicStatus.options;

/** Days a new notice gives by default. */
const DEFAULT_NOTICE_DAYS = 7;

/** The end of a `YYYY-MM-DD` day in China (a deadline is a day, and the site works on Beijing time). */
export function deadlineOf(day: string): number {
  return new Date(`${day}T23:59:59+08:00`).getTime();
}

const STYLE = `.topic-panel{display:flex;flex-direction:column;gap:8px;max-width:100%;font-size:15px;padding:8px 12px;box-sizing:border-box}
.topic-panel form{display:flex;flex-direction:column;gap:8px;margin:0}
.topic-panel select,.topic-panel input,.topic-panel textarea,.topic-panel button,.topic-panel .btn{font-size:16px;min-height:44px;width:100%;box-sizing:border-box}
.topic-panel .btn{display:flex;align-items:center;justify-content:center;text-align:center;text-decoration:none}
.topic-panel textarea{min-height:72px;resize:vertical}
.topic-panel input[type=checkbox]{width:22px;min-height:22px;height:22px;margin:0;flex:none}
.topic-panel label.topic-check-row{display:flex;align-items:center;gap:8px;min-height:44px;font-size:15px}
.topic-panel label.topic-file{display:flex;flex-direction:column;gap:4px;font-size:14px}
.topic-panel input[type=file]{min-height:44px;padding:8px 0}
.topic-panel fieldset{border:1px solid var(--line-2,#ccc);border-radius:4px;display:flex;flex-direction:column;gap:8px;margin:0;padding:8px}
.topic-panel h3{margin:8px 0 0;font-size:16px}
.topic-list{list-style:none;padding:0;margin:0}.topic-list>li{border-bottom:1px solid var(--line-2,#ccc);padding:8px 0;display:flex;flex-direction:column;gap:6px;overflow-wrap:anywhere}
.topic-meta{font-size:14px;color:var(--text-2,#555)}.topic-desc{margin:0;font-size:15px}
.topic-trail{margin:0;padding-left:20px;font-size:14px;display:flex;flex-direction:column;gap:4px}
.topic-actions{display:flex;flex-wrap:wrap;gap:6px}.topic-actions>*{flex:1 1 140px;width:auto}
.topic-photos{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}.topic-photos img{max-width:100%;max-height:160px;border:1px solid #ccc;display:block}
.topic-error{color:#b00020;font-size:14px;margin:0}`;

/**
 * A project's issue list with filters (type, status, notices only), and a form to raise a topic: anchored to the
 * device selected on the map, with the current view as its viewpoint, and, for an inspector, as a rectification notice
 * (legal basis, deadline). Each item offers what the session may do with it (TopicItem). Photos come from the phone's
 * camera (`capture="environment"`). One column: usable at 375x812. Sets `data-ready="1"` on its root once the first
 * list is shown (for e2e tests).
 */
export class TopicPanel {
  readonly root = h('div', { class: 'topic-panel' });
  private readonly list = h('ul', { class: 'topic-list' });
  private readonly type = h('select', { 'aria-label': t('topics.typeFilter'), 'data-testid': 'topic-filter-type' });
  private readonly status = h('select', {
    'aria-label': t('topics.statusFilter'),
    'data-testid': 'topic-filter-status',
  });
  private readonly noticesOnly = h('input', { type: 'checkbox' });
  private readonly deviceRow = h('label', { class: 'topic-check-row' });
  private readonly deviceBox = h('input', { type: 'checkbox', checked: true, 'data-testid': 'topic-anchor-device' });
  private readonly deviceLabel = h('span', { 'data-testid': 'topic-anchor-device-label' });
  private device: { id: string; name: string } | null = null;
  private topics: Topic[] = [];
  /** The last drawing showed a device anchor without its name. */
  private unnamed = false;

  constructor(
    private readonly projectId: string,
    private readonly project: { name: string; address?: string },
    private readonly ctx: TopicContext = NO_CONTEXT,
    private readonly deviceName: (id: string) => string | undefined = () => undefined,
  ) {
    this.type.append(
      h('option', { value: '' }, t('topics.allTypes')),
      ...TOPIC_TYPES.map((v) => h('option', { value: v }, typeLabel(v))),
    );
    this.status.append(
      h('option', { value: '' }, t('topics.allStatuses')),
      ...TOPIC_STATUSES.map((v) => h('option', { value: v }, statusLabel(v))),
    );
    for (const el of [this.type, this.status, this.noticesOnly])
      el.addEventListener('change', () => void this.refresh());
    this.deviceRow.append(this.deviceBox, this.deviceLabel);
    this.root.append(
      h('style', {}, STYLE),
      h(
        'div',
        { class: 'topic-filters' },
        this.type,
        this.status,
        h('label', { class: 'topic-check-row' }, this.noticesOnly, h('span', { text: t('topics.noticesOnly') })),
      ),
      this.list,
      this.raiseForm(),
    );
    this.syncContext();
  }

  async refresh(): Promise<void> {
    this.topics = await fetchTopics(this.projectId, {
      ...(this.type.value ? { topicType: this.type.value as TopicType } : {}),
      ...(this.status.value ? { topicStatus: this.status.value as TopicStatus } : {}),
      ...(this.noticesOnly.checked ? { notice: 'true' as const } : {}),
    });
    this.render();
    this.root.dataset.ready = '1';
  }

  /**
   * The site's devices arrived: draws the list again from the topics last read when an anchor still showed a device
   * id for want of its name (only then: a redraw would drop a reply being typed).
   */
  devicesChanged(): void {
    if (this.unnamed) this.render();
  }

  private render(): void {
    this.unnamed = false;
    const name = (id: string) => {
      const n = this.deviceName(id);
      if (n === undefined) this.unnamed = true;
      return n;
    };
    this.list.replaceChildren(
      ...this.topics.map((x) => topicItem(x, this.ctx, this.project, name, () => this.refresh())),
    );
  }

  /** A live `topic.*` message: refresh when it is about this project. */
  onTopic(x: Topic): void {
    if (x.projectId === this.projectId) void this.refresh();
  }

  /** Re-reads the page's selection (the device offered as the anchor): call when the pane comes to front. */
  syncContext(): void {
    const d = this.ctx.selectedDevice();
    if (d?.id !== this.device?.id) this.deviceBox.checked = true;
    this.device = d;
    this.deviceRow.hidden = !d;
    this.deviceLabel.textContent = d ? t('topics.anchorDevice', { name: d.name }) : '';
  }

  private raiseForm(): HTMLFormElement {
    const title = h('input', {
      placeholder: t('topics.title'),
      'aria-label': t('topics.title'),
      required: true,
      'data-testid': 'topic-title',
    });
    const type = h(
      'select',
      { 'aria-label': t('topics.typeFilter'), 'data-testid': 'topic-type' },
      ...TOPIC_TYPES.map((v) => h('option', { value: v }, typeLabel(v))),
    );
    const note = h('textarea', {
      placeholder: t('topics.description'),
      'aria-label': t('topics.description'),
      'data-testid': 'topic-description',
    });
    const saveView = h('input', { type: 'checkbox', checked: true, 'data-testid': 'topic-save-view' });
    const photos = photoInput('topic-photos');
    const form = h(
      'form',
      { class: 'topic-raise' },
      h('h3', { text: t('topics.newIssue') }),
      title,
      type,
      note,
      this.deviceRow,
      h('label', { class: 'topic-check-row' }, saveView, h('span', { text: t('topics.saveView') })),
    );
    let notice: { box: HTMLInputElement; basis: HTMLTextAreaElement; deadline: HTMLInputElement } | null = null;
    if (this.ctx.allows('raiseNotice')) {
      const box = h('input', { type: 'checkbox', 'data-testid': 'topic-notice' });
      const basis = h('textarea', {
        placeholder: t('topics.legalBasis'),
        'aria-label': t('topics.legalBasis'),
        'data-testid': 'topic-legal-basis',
      });
      const deadline = h('input', {
        type: 'date',
        'aria-label': t('topics.deadline'),
        'data-testid': 'topic-deadline',
      });
      deadline.value = new Date(Date.now() + DEFAULT_NOTICE_DAYS * 86_400_000).toISOString().slice(0, 10);
      const fields = h(
        'fieldset',
        {},
        basis,
        h('label', { class: 'topic-file' }, h('span', { text: t('topics.deadline') }), deadline),
      );
      fields.hidden = true;
      box.addEventListener('change', () => {
        fields.hidden = !box.checked;
        basis.required = box.checked;
      });
      form.append(h('label', { class: 'topic-check-row' }, box, h('span', { text: t('topics.asNotice') })), fields);
      notice = { box, basis, deadline };
    }
    form.append(
      h('label', { class: 'topic-file' }, h('span', { text: t('topics.photos') }), photos),
      h('button', { type: 'submit', 'data-testid': 'topic-submit', text: t('topics.submit') }),
    );
    form.addEventListener('focusin', () => this.syncContext());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const anchors: TopicAnchor[] =
        this.device && this.deviceBox.checked ? [{ kind: 'device', deviceId: this.device.id }] : [];
      const vp: TopicViewpointInput | null = saveView.checked ? this.ctx.currentViewpoint() : null;
      const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
      button.disabled = true;
      form.querySelector('.topic-error')?.remove();
      void (async () => {
        const created = await createTopic(this.projectId, {
          title: title.value,
          topicType: type.value as TopicType,
          description: note.value,
          anchors,
          viewpoints: vp ? [vp] : [],
          ...(notice?.box.checked
            ? { notice: { legalBasis: notice.basis.value, deadline: deadlineOf(notice.deadline.value) } }
            : {}),
        });
        for (const f of Array.from(photos.files ?? [])) await uploadPhoto(created.id, f);
        form.reset();
        notice?.box.dispatchEvent(new Event('change'));
        this.syncContext();
        await this.refresh();
      })()
        .catch((err: unknown) =>
          form.append(
            h('p', {
              class: 'topic-error',
              role: 'alert',
              text: t('topics.failed', { message: errorText(err) }),
            }),
          ),
        )
        .finally(() => (button.disabled = false));
    });
    return form;
  }
}
