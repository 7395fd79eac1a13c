import type { Topic } from '../../models/Topic.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { attachmentUrl, checkNotice, replyToNotice, uploadPhoto } from '../api/topicsApi.js';
import { h } from '../ui/dom.js';
import { noticeHtml } from './noticePrint.js';
import type { TopicContext } from './topicContext.js';
import { statusLabel, typeLabel } from './topicStyle.js';
import { errorText } from '../api/errorText.js';

// The site's clock (Asia/Shanghai), in the page's language.
const day = (ms: number) =>
  formatDateTime(ms, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Asia/Shanghai',
  });
const date = (ms: number) =>
  formatDateTime(ms, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Asia/Shanghai' });

/** The camera input of a phone: `capture="environment"` opens the back camera, a desk browser offers a file. */
export function photoInput(testId: string): HTMLInputElement {
  const input = h('input', { type: 'file', accept: 'image/*', multiple: true, 'data-testid': testId });
  input.setAttribute('capture', 'environment');
  return input;
}

/**
 * One topic of the list: its title, status, anchor, the notice's trail (issued, replies with their photos, re-checks),
 * and what the session may do with it now: go to its view (map, workspace), print the notice, reply with photos (the
 * project) or re-check it (the inspector). `data-status` carries the topic status for tests.
 */
export function topicItem(
  topic: Topic,
  ctx: TopicContext,
  project: { name: string; address?: string },
  deviceName: (id: string) => string | undefined,
  done: () => Promise<void>,
): HTMLLIElement {
  const li = h(
    'li',
    { 'data-topic-id': topic.id, 'data-status': topic.topicStatus },
    h('strong', { text: `[${typeLabel(topic.topicType)}] ${topic.title}` }),
    h('div', {
      class: 'topic-meta',
      text: `${statusLabel(topic.topicStatus)}${topic.notice ? ` · ${topic.notice.noticeNumber}` : ''}`,
    }),
  );
  if (topic.notice) li.dataset.noticeState = topic.notice.state;
  for (const a of topic.anchors)
    if (a.kind === 'device')
      li.append(
        h('div', { class: 'topic-meta', text: t('topics.anchoredTo', { name: deviceName(a.deviceId) ?? a.deviceId }) }),
      );
  if (topic.description) li.append(h('p', { class: 'topic-desc', text: topic.description }));
  if (topic.notice) li.append(trail(topic));

  const actions = h('div', { class: 'topic-actions' });
  if (topic.viewpoints.some((v) => v.camera)) {
    const view = h('button', { type: 'button', 'data-testid': 'topic-view', text: t('topics.view') });
    view.addEventListener('click', () => ctx.showViewpoint(topic));
    actions.append(view);
    const url = ctx.workspaceUrl(topic);
    if (url)
      actions.append(
        h('a', {
          class: 'btn',
          href: url,
          target: '_blank',
          'data-testid': 'topic-open-workspace',
          text: t('topics.openWorkspace'),
        }),
      );
  }
  if (topic.notice) {
    const print = h('button', { type: 'button', text: t('topics.print') });
    print.addEventListener('click', () => {
      const w = window.open('', '_blank');
      w?.document.write(noticeHtml(topic, project));
      w?.document.close();
    });
    actions.append(print);
  }
  if (actions.childElementCount) li.append(actions);
  const n = topic.notice;
  if (n && (n.state === 'issued' || n.state === 'sent_back') && ctx.allows('replyNotice', topic))
    li.append(replyForm(topic, done));
  if (n && n.state === 'replied' && ctx.allows('checkNotice', topic)) li.append(checkForm(topic, done));
  return li;
}

function trail(topic: Topic): HTMLOListElement {
  const n = topic.notice!;
  const ol = h(
    'ol',
    { class: 'topic-trail', 'data-testid': 'topic-trail' },
    h('li', {
      text: t('topics.trailIssued', { day: day(n.issuedAt), number: n.noticeNumber, deadline: date(n.deadline) }),
    }),
  );
  const steps = [
    ...n.replies.map((r) => ({ at: r.at, el: replyEntry(topic, r) })),
    ...n.checks.map((c) => ({
      at: c.at,
      el: h('li', {
        text: t(c.outcome === 'close' ? 'topics.trailCheckClose' : 'topics.trailCheckBack', {
          day: day(c.at),
          comment: c.comment ? `：${c.comment}` : '',
        }),
      }),
    })),
  ].sort((a, b) => a.at - b.at);
  ol.append(...steps.map((s) => s.el));
  return ol;
}

function replyEntry(topic: Topic, r: NonNullable<Topic['notice']>['replies'][number]): HTMLLIElement {
  const li = h('li', {}, h('div', { text: t('topics.trailReply', { day: day(r.at), text: r.text }) }));
  if (r.attachmentIds.length)
    li.append(
      h(
        'div',
        { class: 'topic-photos' },
        ...r.attachmentIds.map((aid, i) =>
          h(
            'a',
            { href: attachmentUrl(topic.id, aid), target: '_blank' },
            h('img', {
              src: attachmentUrl(topic.id, aid),
              alt: t('topics.photoAlt', { n: i + 1 }),
              loading: 'lazy',
              'data-testid': 'topic-photo',
            }),
          ),
        ),
      ),
    );
  return li;
}

/** Runs a form's action with its buttons disabled; a failure is shown in the form, the input kept. */
function submitting(form: HTMLFormElement, run: () => Promise<void>): void {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.querySelector('.topic-error')?.remove();
  run()
    .catch((e: unknown) =>
      form.append(
        h('p', {
          class: 'topic-error',
          role: 'alert',
          text: t('topics.failed', { message: errorText(e) }),
        }),
      ),
    )
    .finally(() => buttons.forEach((b) => (b.disabled = false)));
}

function replyForm(topic: Topic, done: () => Promise<void>): HTMLFormElement {
  const text = h('textarea', {
    placeholder: t('topics.replyText'),
    'aria-label': t('topics.replyText'),
    required: true,
    'data-testid': 'reply-text',
  });
  const photos = photoInput('reply-photos');
  const form = h(
    'form',
    { class: 'topic-reply' },
    text,
    h('label', { class: 'topic-file' }, h('span', { text: t('topics.photos') }), photos),
    h('button', { type: 'submit', 'data-testid': 'reply-submit', text: t('topics.replySubmit') }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const ids: string[] = [];
      for (const f of Array.from(photos.files ?? [])) ids.push((await uploadPhoto(topic.id, f)).id);
      await replyToNotice(topic.id, { text: text.value, attachmentIds: ids });
      await done();
    });
  });
  return form;
}

function checkForm(topic: Topic, done: () => Promise<void>): HTMLFormElement {
  const comment = h('textarea', {
    placeholder: t('topics.checkComment'),
    'aria-label': t('topics.checkComment'),
    'data-testid': 'check-comment',
  });
  const close = h('button', {
    type: 'submit',
    value: 'close',
    'data-testid': 'check-close',
    text: t('topics.checkClose'),
  });
  const back = h('button', {
    type: 'submit',
    value: 'send_back',
    'data-testid': 'check-send-back',
    text: t('topics.checkSendBack'),
  });
  const form = h('form', { class: 'topic-check' }, comment, close, back);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const outcome = (e.submitter as HTMLButtonElement | null)?.value === 'send_back' ? 'send_back' : 'close';
    submitting(form, async () => {
      await checkNotice(topic.id, { outcome, comment: comment.value });
      await done();
    });
  });
  return form;
}
