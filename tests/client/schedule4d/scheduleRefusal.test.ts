import { afterEach, describe, expect, it } from 'vitest';
import { ScheduleImportAnswer } from '../../../models/api/progress.js';
import { setLocale } from '../../../client/i18n/i18n.js';
import { refusalText } from '../../../client/schedule4d/scheduleText.js';
import { tasksFrom } from '../../../server/ops/progress.js';

const CSV = [
  'id,task,plannedStart,plannedFinish,globalIds,ifcClass',
  'A,挖土,2025-13-01,2025-03-10,,IfcSlab',
  'B,垫层,2025-03-01,2025-02-01,,IfcSlab',
  'C,钢筋,2025-03-01,2025-03-10,,',
  'D,模板,2025-03-01,2025-03-10,bad-id,',
  'E,浇筑,2025-03-01,2025-03-10,,IfcWall',
  'E,养护,2025-03-11,2025-03-20,,IfcWall',
].join('\n');

afterEach(() => setLocale('zh-CN'));

/** The refused rows as the server answers a CSV upload (its JSON, parsed as the client parses it). */
async function refused(csv: string) {
  const r = await tasksFrom({ csv } as Parameters<typeof tasksFrom>[0]);
  return ScheduleImportAnswer.parse(
    JSON.parse(JSON.stringify({ modelId: 'm', source: 'csv', imported: 0, rejected: r.rejected, unmatchedTasks: [] })),
  ).rejected;
}

describe('refused schedule rows in the UI language (issue 19)', () => {
  it('words each refused CSV row in Chinese in the zh-CN UI', async () => {
    setLocale('zh-CN');
    expect((await refused(CSV)).map(refusalText)).toEqual([
      '计划开始“2025-13-01”不是日期（YYYY-MM-DD）',
      '计划完成早于计划开始',
      '此行未选择任何构件：请填写构件（globalIds）或构件类型（ifcClass）',
      '不是 IFC GlobalId（22 个字符：0-9 A-Z a-z _ $）：bad-id',
      '任务编号“E”已被前面的行使用',
    ]);
    expect((await refused('task,start\nx,2025-01-01')).map(refusalText)[0]).toMatch(/^缺少列：plannedFinish/);
  });

  it('keeps the English wording in the en UI', async () => {
    setLocale('en');
    expect((await refused(CSV)).map(refusalText)[0]).toBe('plannedStart "2025-13-01" is not a date (YYYY-MM-DD)');
  });

  it("falls back to the code's words for a refusal without a known problem key", () => {
    setLocale('zh-CN');
    expect(refusalText({ code: 'validation_failed', message: 'name: Required' })).toBe('输入不符合要求');
  });
});
