import type { Topic } from '../../models/Topic.js';
import { tIn, type MessageKey } from '../i18n/i18n.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (ms: number) =>
  new Intl.DateTimeFormat('zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: 'Asia/Shanghai',
  }).format(new Date(ms));

/**
 * A printable rectification notice (整改通知书): a Chinese administrative document whatever the page's language, with
 * English beside the field names; the type and priority come from both catalogues.
 *
 * A printable rectification notice as a self-contained, print-styled HTML page: the notice number,
 * project, problem, legal basis, deadline, and the reply / re-check record. Open it in a new window and print (or
 * save as PDF). Every text from the record is escaped.
 */
export function noticeHtml(t: Topic, project: { name: string; address?: string }, issuer = '监督机构'): string {
  const n = t.notice;
  if (!n) throw new Error(`Topic ${t.id} is not a rectification notice`);
  const type = `topics.type.${t.topicType}` as MessageKey;
  const rows = [
    ['通知编号 No.', n.noticeNumber],
    ['工程名称 Project', project.name + (project.address ? `（${project.address}）` : '')],
    ['问题类别 Type', `${tIn('zh-CN', type)} / ${tIn('en', type)}`],
    ['紧急程度 Priority', tIn('zh-CN', `topics.priority.${t.priority}` as MessageKey)],
    ['整改期限 Deadline', day(n.deadline)],
    ['签发日期 Issued', day(n.issuedAt)],
  ];
  const history = [
    ...n.replies.map((r) => ({
      at: r.at,
      text: `整改回复（${esc(r.by)}）：${esc(r.text)}${r.attachmentIds.length ? `，附照片 ${r.attachmentIds.length} 张` : ''}`,
    })),
    ...n.checks.map((c) => ({
      at: c.at,
      text: `复查（${esc(c.by)}）：${c.outcome === 'close' ? '同意销项' : '退回重改'}${c.comment ? `，${esc(c.comment)}` : ''}`,
    })),
  ].sort((a, b) => a.at - b.at);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>整改通知书 ${esc(n.noticeNumber)}</title>
<style>
  @page { size: A4; margin: 20mm; }
  body { font-family: "Noto Serif CJK SC", "Songti SC", serif; color: #000; max-width: 170mm; margin: 0 auto; }
  h1 { text-align: center; font-size: 22pt; letter-spacing: 0.3em; margin: 0 0 4mm; }
  .no { text-align: right; font-size: 11pt; margin-bottom: 6mm; }
  table { width: 100%; border-collapse: collapse; font-size: 11pt; }
  th, td { border: 1px solid #000; padding: 2mm 3mm; text-align: left; vertical-align: top; }
  th { width: 32%; background: #f2f2f2; }
  section { margin-top: 6mm; font-size: 11pt; line-height: 1.7; }
  .sign { margin-top: 14mm; text-align: right; }
  @media print { .noprint { display: none; } }
</style></head>
<body>
<h1>整改通知书</h1>
<div class="no" data-notice-number="${esc(n.noticeNumber)}">编号：${esc(n.noticeNumber)}</div>
<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v!)}</td></tr>`).join('')}</table>
<section><strong>存在问题：</strong>${esc(t.title)}${t.description ? `<br>${esc(t.description).replace(/\n/g, '<br>')}` : ''}</section>
<section><strong>依据：</strong>${esc(n.legalBasis)}</section>
<section>请于 <strong>${day(n.deadline)}</strong> 前完成整改，并将整改情况（附照片）书面回复。逾期未整改的，将依法处理。</section>
${history.length ? `<section><strong>整改记录：</strong><ol>${history.map((h) => `<li>${day(h.at)} ${h.text}</li>`).join('')}</ol></section>` : ''}
<div class="sign">${esc(issuer)}<br>${day(n.issuedAt)}</div>
<button class="noprint" onclick="window.print()">打印 / Print</button>
</body></html>`;
}
