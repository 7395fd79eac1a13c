import type { Topic, TopicStatus, TopicType } from '../../models/Topic.js';
import { createTopic, fetchTopics, replyToNotice, uploadPhoto } from '../api/topicsApi.js';
import { noticeHtml } from './noticePrint.js';
import { STATUS_LABEL, TYPE_LABEL } from './topicStyle.js';

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...kids: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el: HTMLElementTagNameMap[K] = document.createElement(tag);
  Object.assign(el, props);
  el.append(...kids);
  return el;
}

/**
 * A project's issue list with filters (type, status, notices only), and a form to raise a topic or reply to a
 * notice with photos from the phone's camera (`capture="environment"`). Laid out as one column: usable at 375x812.
 * Sets `data-ready="1"` on its root once the first list is shown (for e2e tests).
 */
export class TopicPanel {
  readonly root = h('div', { className: 'topic-panel' });
  private readonly list = h('ul', { className: 'topic-list' });
  private readonly type = h('select', { ariaLabel: '类型 Type' });
  private readonly status = h('select', { ariaLabel: '状态 Status' });
  private readonly noticesOnly = h('input', { type: 'checkbox' });
  private topics: Topic[] = [];

  constructor(
    private readonly projectId: string,
    private readonly project: { name: string; address?: string },
  ) {
    this.type.append(
      h('option', { value: '' }, '全部类型'),
      ...Object.entries(TYPE_LABEL).map(([v, l]) => h('option', { value: v }, l.zh)),
    );
    this.status.append(
      h('option', { value: '' }, '全部状态'),
      ...Object.entries(STATUS_LABEL).map(([v, l]) => h('option', { value: v }, l.zh)),
    );
    for (const el of [this.type, this.status, this.noticesOnly])
      el.addEventListener('change', () => void this.refresh());
    const style = h(
      'style',
      {},
      `.topic-panel{display:flex;flex-direction:column;gap:8px;max-width:100%;font-size:15px;padding:8px 12px;box-sizing:border-box}
.topic-panel select,.topic-panel input,.topic-panel textarea,.topic-panel button{font-size:16px;min-height:44px;width:100%;box-sizing:border-box}
.topic-panel input[type=checkbox]{width:auto;min-height:0;margin-right:6px}
.topic-list{list-style:none;padding:0;margin:0}.topic-list li{border-bottom:1px solid #ccc;padding:8px 0}`,
    );
    this.root.append(
      style,
      h(
        'div',
        { className: 'topic-filters' },
        this.type,
        this.status,
        h('label', {}, this.noticesOnly, ' 只看整改通知'),
      ),
      this.list,
      this.raiseForm(),
    );
  }

  async refresh(): Promise<void> {
    this.topics = await fetchTopics(this.projectId, {
      ...(this.type.value ? { topicType: this.type.value as TopicType } : {}),
      ...(this.status.value ? { topicStatus: this.status.value as TopicStatus } : {}),
      ...(this.noticesOnly.checked ? { notice: 'true' as const } : {}),
    });
    this.list.replaceChildren(...this.topics.map((t) => this.item(t)));
    this.root.dataset.ready = '1';
  }

  /** A live `topic.*` message: refresh when it is about this project. */
  onTopic(t: Topic): void {
    if (t.projectId === this.projectId) void this.refresh();
  }

  private item(t: Topic): HTMLLIElement {
    const li = h(
      'li',
      {},
      h('strong', {}, `[${TYPE_LABEL[t.topicType].zh}] ${t.title}`),
      h('div', {}, `${STATUS_LABEL[t.topicStatus].zh}${t.notice ? ` · ${t.notice.noticeNumber}` : ''}`),
    );
    li.dataset.topicId = t.id;
    if (t.notice) {
      const print = h('button', { type: 'button' }, '打印通知书');
      print.addEventListener('click', () => {
        const w = window.open('', '_blank');
        w?.document.write(noticeHtml(t, this.project));
        w?.document.close();
      });
      li.append(print);
      if (t.notice.state === 'issued' || t.notice.state === 'sent_back') li.append(this.replyForm(t));
    }
    return li;
  }

  private photoInput(): HTMLInputElement {
    const input = h('input', { type: 'file', accept: 'image/*', multiple: true });
    input.setAttribute('capture', 'environment');
    return input;
  }

  private replyForm(t: Topic): HTMLFormElement {
    const text = h('textarea', { placeholder: '整改情况 Reply', required: true });
    const photos = this.photoInput();
    const form = h('form', { className: 'topic-reply' }, text, photos, h('button', { type: 'submit' }, '提交整改回复'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void (async () => {
        const ids: string[] = [];
        for (const f of Array.from(photos.files ?? [])) ids.push((await uploadPhoto(t.id, f)).id);
        await replyToNotice(t.id, { text: text.value, attachmentIds: ids });
        await this.refresh();
      })();
    });
    return form;
  }

  private raiseForm(): HTMLFormElement {
    const title = h('input', { placeholder: '问题 Title', required: true });
    const type = h('select', {}, ...Object.entries(TYPE_LABEL).map(([v, l]) => h('option', { value: v }, l.zh)));
    const note = h('textarea', { placeholder: '说明 Description' });
    const photos = this.photoInput();
    const form = h(
      'form',
      { className: 'topic-raise' },
      h('h3', {}, '新建问题 New issue'),
      title,
      type,
      note,
      photos,
      h('button', { type: 'submit' }, '提交'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void (async () => {
        const t = await createTopic(this.projectId, {
          title: title.value,
          topicType: type.value as TopicType,
          description: note.value,
        });
        for (const f of Array.from(photos.files ?? [])) await uploadPhoto(t.id, f);
        form.reset();
        await this.refresh();
      })();
    });
    return form;
  }
}
