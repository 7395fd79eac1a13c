import { describe, expect, it } from 'vitest';
import { normalizeDay, parseScheduleCsv, splitCsv } from '../../models/ScheduleCsv.js';

const G1 = '2O2Fr$t4X7Zf8NOew3FLOH';
const G2 = '1hqIFTRjfV6AWq_bMtnZwI';

describe('parseScheduleCsv', () => {
  it('reads English headers with commas, quotes and several GlobalIds per cell', () => {
    const csv = `id,task,planned start,planned finish,globalIds,ifcClass,storey
A1,"Slab, level 1",2025-03-01,2025-03-05,"${G1} ${G2}",,
A2,Walls L1,2025/3/6,2025/3/12,,IfcWall,Level 1
`;
    const r = parseScheduleCsv(csv);
    expect(r.errors).toEqual([]);
    expect(r.tasks).toEqual([
      {
        id: 'A1',
        name: 'Slab, level 1',
        plannedStart: '2025-03-01',
        plannedFinish: '2025-03-05',
        selector: { globalIds: [G1, G2] },
      },
      {
        id: 'A2',
        name: 'Walls L1',
        plannedStart: '2025-03-06',
        plannedFinish: '2025-03-12',
        selector: { ifcClass: 'IfcWall', storey: 'Level 1' },
      },
    ]);
  });

  it('reads a BOM, semicolons and Chinese headers (任务/计划开始/计划完成/构件类型/楼层)', () => {
    const csv = `\uFEFF任务;计划开始;计划完成;构件类型;楼层\r\n一层墙体;2025年3月6日;2025年3月12日;IfcWall;一层\r\n"二层""楼板""";2025.3.13;2025.3.15;IfcSlab;二层\r\n`;
    const r = parseScheduleCsv(csv);
    expect(r.errors).toEqual([]);
    expect(r.tasks.map((t) => [t.id, t.name, t.plannedStart, t.plannedFinish, t.selector])).toEqual([
      ['R1', '一层墙体', '2025-03-06', '2025-03-12', { ifcClass: 'IfcWall', storey: '一层' }],
      ['R2', '二层"楼板"', '2025-03-13', '2025-03-15', { ifcClass: 'IfcSlab', storey: '二层' }],
    ]);
  });

  it('refuses each broken row alone, with its line number, and keeps the good ones', () => {
    const csv = [
      'task,plannedStart,plannedFinish,globalIds,ifcClass', // line 1
      `good one,2025-03-01,2025-03-02,${G1},`, // 2
      'bad date,2025-13-01,2025-03-02,,IfcWall', // 3
      'reversed,2025-03-05,2025-03-01,,IfcWall', // 4
      'no selector,2025-03-01,2025-03-02,,', // 5
      '"multi', // 6: a quoted field spanning two lines
      'line name",2025-03-01,2025-03-02,,IfcBeam', // 7
      'bad gid,2025-03-01,2025-03-02,not-a-guid,', // 8
      '', // 9: blank lines are skipped
      'bad class,2025-03-01,2025-03-02,,Wall', // 10
      'nonsense day,2025-02-30,2025-03-02,,IfcWall', // 11
    ].join('\n');
    const r = parseScheduleCsv(csv);
    expect(r.tasks.map((t) => t.name)).toEqual(['good one', 'multi\nline name']);
    expect(r.tasks[1]!.id).toBe('R5');
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 8, 10, 11]);
    expect(r.errors[0]!.message).toMatch(/plannedStart "2025-13-01"/);
    expect(r.errors[1]!.message).toMatch(/plannedFinish is before plannedStart/);
    expect(r.errors[2]!.message).toMatch(/selects no elements/);
    expect(r.errors[3]!.message).toMatch(/not an IFC GlobalId/);
    expect(r.errors[4]!.message).toMatch(/ifcClass/);
    expect(r.errors[5]!.message).toMatch(/plannedStart "2025-02-30" is not a date/);
  });

  it('refuses a duplicate task id and a header without the needed columns', () => {
    const dup = parseScheduleCsv(
      `编号,任务,计划开始,计划完成,构件类型\nX,a,2025-03-01,2025-03-02,IfcWall\nX,b,2025-03-01,2025-03-02,IfcSlab\n`,
    );
    expect(dup.tasks.map((t) => t.name)).toEqual(['a']);
    expect(dup.errors).toEqual([
      { line: 3, message: 'task id "X" is used by an earlier row', problem: 'duplicate_id', params: { id: 'X' } },
    ]);
    const noCols = parseScheduleCsv('name,when\nx,2025-01-01\n');
    expect(noCols.tasks).toEqual([]);
    expect(noCols.errors[0]!.line).toBe(1);
    expect(noCols.errors[0]!.message).toMatch(
      /missing column\(s\): plannedStart, plannedFinish, globalIds or ifcClass/,
    );
    expect(noCols.errors[0]).toMatchObject({
      problem: 'missing_columns',
      params: { columns: 'plannedStart, plannedFinish, globalIds or ifcClass' },
    });
    expect(parseScheduleCsv('').errors).toEqual([{ line: 1, message: 'the file is empty', problem: 'empty' }]);
  });

  it('normalizes planner dates and refuses day-first ones', () => {
    expect(normalizeDay('2025-3-1')).toBe('2025-03-01');
    expect(normalizeDay('2025-03-01T08:00:00')).toBe('2025-03-01');
    expect(normalizeDay('2025/03/01 08:00')).toBe('2025-03-01');
    expect(normalizeDay('01/03/2025')).toBeNull();
    expect(normalizeDay('soon')).toBeNull();
  });

  it('splits quoted fields with escaped quotes and reports the starting line of each row', () => {
    expect(splitCsv('a,"b ""c""",d\n"x\ny",z\n', ',')).toEqual([
      { line: 1, fields: ['a', 'b "c"', 'd'] },
      { line: 2, fields: ['x\ny', 'z'] },
    ]);
  });
});
