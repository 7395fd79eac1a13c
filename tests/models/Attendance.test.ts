import { describe, expect, it } from 'vitest';
import { aggregateAttendance, cityAttendance, personalDataIssues, type GateEvent } from '../../models/Attendance.js';
import { localDayStart } from '../../models/localTime.js';
import { GateValues } from '../../models/Gate.js';

const P = '00000000-0000-4000-8000-00000000000a';
const Q = '00000000-0000-4000-8000-00000000000b';
// 2025-03-10 09:00 in China (UTC+8) = 01:00 UTC.
const NINE = Date.UTC(2025, 2, 10, 1, 0);
const ev = (min: number, event: 'enter' | 'leave', workerId: string, trade?: string, projectId = P): GateEvent => ({
  projectId,
  time: NINE + min * 60_000,
  event,
  workerId,
  ...(trade ? { trade, team: `${trade}-team` } : {}),
});

describe('aggregateAttendance', () => {
  it('counts a worker as on site when their last event of the day is enter', () => {
    const dayStart = localDayStart(NINE);
    expect(dayStart).toBe(Date.UTC(2025, 2, 9, 16, 0)); // local midnight
    const events = [
      ev(-600, 'enter', 'w0', 'rebar'), // 23:00 the day before: not today
      ev(0, 'enter', 'w1', 'rebar'),
      ev(1, 'enter', 'w2', 'rebar'),
      ev(2, 'enter', 'w3', 'formwork'),
      ev(3, 'leave', 'w2', 'rebar'),
      ev(4, 'leave', 'w3', 'formwork'),
      ev(5, 'enter', 'w3', 'formwork'), // back again
      ev(6, 'enter', 'w4'),
      ev(2, 'enter', 'w9', 'rebar', Q),
    ];
    const m = aggregateAttendance(events, dayStart);
    expect(m.get(P)).toEqual({
      projectId: P,
      onSite: 3,
      attendedToday: 4,
      lastEventAt: NINE + 6 * 60_000,
      byTrade: { rebar: 1, formwork: 1, '(unknown)': 1 },
      byTeam: { 'rebar-team': 1, 'formwork-team': 1, '(unknown)': 1 },
    });
    const city = cityAttendance(m.values(), NINE + 10 * 60_000);
    expect(city).toMatchObject({ onSite: 4, byTrade: { rebar: 2, formwork: 1, '(unknown)': 1 }, dayStart });
    expect(city.projects.map((p) => p.projectId)).toEqual([P, Q]);
  });

  it('takes the later of two events of one worker even when they arrive out of order', () => {
    const m = aggregateAttendance([ev(5, 'leave', 'w1'), ev(1, 'enter', 'w1')], localDayStart(NINE));
    expect(m.get(P)!.onSite).toBe(0);
  });
});

describe('gate privacy', () => {
  it('refuses names, ID-card and phone numbers in the gate schema', () => {
    expect(GateValues.safeParse({ event: 'enter', workerId: 'W-1', trade: 'rebar' }).success).toBe(true);
    expect(GateValues.safeParse({ event: 'enter', workerId: 'W-1', name: '张三' }).success).toBe(false);
    for (const workerId of [
      '370212199001011234',
      '37021219900101123x',
      '370212900101123',
      '13800138000',
      '+8613800138000',
    ])
      expect(GateValues.safeParse({ event: 'enter', workerId }).success, workerId).toBe(false);
    for (const extra of [
      { name: 'x' },
      { worker_name: 'x' },
      { realName: 'x' },
      { 身份证号: 'x' },
      { 手机: 'x' },
      { note: '13800138000' },
    ])
      expect(GateValues.safeParse({ event: 'enter', workerId: 'W-1', extra }).success, JSON.stringify(extra)).toBe(
        false,
      );
    // Ordinary extras still pass.
    expect(
      GateValues.safeParse({ event: 'enter', workerId: 'W-1', extra: { lane: 2, teamName: '钢筋一班' } }).success,
    ).toBe(true);
    expect(personalDataIssues({ workerId: '370212199001011234' })[0]!.path).toBe('workerId');
  });
});
