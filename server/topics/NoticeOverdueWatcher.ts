import type { LiveServerMessage } from '../../models/protocol.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/Store.js';

/** The alarm rule of an overdue notice: one per notice (`notice.overdue:<topic id>`). */
export const OVERDUE_RULE = 'notice.overdue:';

/**
 * Escalates rectification notices past their deadline that still wait for the project: an alarm on the device the
 * notice is about, or on the project itself when it names no device (deviceId null), so it shows on the wall and
 * counts with that project's, hence its enterprise's and district's, alarms; an audit entry `notice.overdue` and a
 * `topic.updated` push. The alarm clears once the project replies or the notice closes. The wall's notice figures
 * per project, enterprise and district come from `TopicRepo.countsByProject` (`GET /api/v1/notices/counts`).
 */
export class NoticeOverdueWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly flagged = new Set<string>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly live: { toProject(projectId: string, m: LiveServerMessage): void },
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.scan().catch((err) => this.log.warn({ err }, 'topics: overdue scan failed'));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: raises what became overdue, clears what no longer is. */
  async scan(now = Date.now()): Promise<{ raised: number; cleared: number }> {
    const overdue = await this.store.topics.overdueNotices(now);
    const ids = new Set(overdue.map((o) => o.topicId));
    let raised = 0;
    for (const o of overdue) {
      if (this.flagged.has(o.topicId)) continue;
      const topic = await this.store.topics.get(o.topicId);
      if (!topic) continue;
      // A notice about no device raises its alarm on the project (deviceId null): it still reaches the wall.
      const device = topic.anchors.find((a) => a.kind === 'device');
      const hours = Math.round(((now - o.deadline) / 3_600_000) * 10) / 10;
      const r = await this.store.alarms
        .raise({
          projectId: o.projectId,
          deviceId: device?.kind === 'device' ? device.deviceId : null,
          rule: `${OVERDUE_RULE}${o.topicId}`,
          quantity: 'noticeOverdueH',
          level: 'alarm',
          value: hours,
          threshold: 0,
          message: `整改通知 ${o.noticeNumber} 已逾期 / notice overdue`,
          details: { topicId: o.topicId, noticeNumber: o.noticeNumber, deadline: o.deadline },
          time: now,
        })
        .catch((err) => (this.log.warn({ err, topicId: o.topicId }, 'topics: overdue alarm not raised'), null));
      if (r?.created) {
        raised++;
        this.live.toProject(o.projectId, { type: 'alarm.raised', alarm: r.alarm });
      }
      this.flagged.add(o.topicId);
      await this.store.audit.append({
        actor: 'system',
        action: 'notice.overdue',
        target: o.topicId,
        ip: null,
        details: { projectId: o.projectId, noticeNumber: o.noticeNumber, deadline: o.deadline },
      });
      this.live.toProject(o.projectId, { type: 'topic.updated', topic });
    }
    let cleared = 0;
    for (const a of await this.store.alarms.open()) {
      if (!a.rule.startsWith(OVERDUE_RULE) || ids.has(a.rule.slice(OVERDUE_RULE.length))) continue;
      const c = await this.store.alarms.clear(a.id, now);
      if (c) {
        cleared++;
        this.live.toProject(c.projectId, { type: 'alarm.cleared', alarm: c });
      }
    }
    for (const id of [...this.flagged]) if (!ids.has(id)) this.flagged.delete(id);
    return { raised, cleared };
  }
}
