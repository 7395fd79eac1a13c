import { IfcGlobalId } from './Device.js';
import { fieldIssues } from './errors.js';
import { isIsoDay, ScheduleTask } from './Progress.js';

/**
 * A liberal reader of schedule CSV files as planners export them (Excel, MS Project, Chinese tools): UTF-8 with or
 * without BOM, `,` `;` or tab as delimiter, quoted fields with `""` escapes and line breaks, English or Chinese headers.
 * Each bad row is refused alone with its line number; the good rows are kept.
 */

/**
 * Why a row (or the header) was refused, as a stable key: a client words it in its own language from the key and
 * `params` (the `message` says it in English for other readers).
 */
export type CsvRowProblem =
  | 'empty'
  | 'missing_columns'
  | 'bad_start'
  | 'bad_finish'
  | 'finish_before_start'
  | 'no_elements'
  | 'bad_global_id'
  | 'invalid'
  | 'duplicate_id';

/** Why one row (or the header) was refused. `line` is 1-based, as an editor shows it. */
export interface CsvRowError {
  line: number;
  message: string;
  problem: CsvRowProblem;
  /** The values the words need: `columns`, `value`, `ids`, `fields`, `id`. */
  params?: Record<string, string>;
}

export interface ScheduleCsvResult {
  tasks: ScheduleTask[];
  errors: CsvRowError[];
}

type Field = 'id' | 'task' | 'plannedStart' | 'plannedFinish' | 'globalIds' | 'ifcClass' | 'storey';

/** Header spellings, compared after lower-casing and dropping spaces, `_`, `-` and `.`. */
const HEADERS: Record<Field, string[]> = {
  id: ['id', 'taskid', 'code', 'taskcode', 'wbs', '编号', '任务编号', '编码'],
  task: ['task', 'name', 'taskname', '任务', '任务名称', '名称'],
  plannedStart: ['plannedstart', 'start', 'startdate', 'planstart', '计划开始', '计划开始时间', '计划开始日期', '开始'],
  plannedFinish: [
    'plannedfinish',
    'finish',
    'finishdate',
    'plannedend',
    'end',
    'planfinish',
    '计划完成',
    '计划完成时间',
    '计划完成日期',
    '计划结束',
    '完成',
  ],
  globalIds: ['globalids', 'globalid', 'guid', 'guids', 'elements', '构件', '构件id', '构件编号'],
  ifcClass: ['ifcclass', 'class', 'ifctype', 'type', 'entity', '构件类型', '类型'],
  storey: ['storey', 'story', 'level', 'floor', '楼层', '层'],
};

const norm = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');

/** Splits CSV text into rows of fields, each with the line it starts on. Quotes may span lines. */
export function splitCsv(text: string, delimiter: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let sawAny = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
      sawAny = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (sawAny || fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      sawAny = false;
      line++;
      rowLine = line;
    } else {
      field += c;
      sawAny = true;
    }
  }
  fields.push(field);
  if (sawAny || fields.some((f) => f.trim() !== '')) rows.push({ line: rowLine, fields });
  return rows;
}

/** Picks the delimiter that splits the header line into the most fields. */
function detectDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const n = headerLine.split(d).length;
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

/**
 * Normalises a planner's date to `YYYY-MM-DD`: `2025-03-01`, `2025/3/1`, `2025.3.1`, `2025年3月1日`, with an
 * optional time part that is dropped. Returns null for anything else, and for days that do not exist (2025-02-30) (day-first forms are ambiguous and refused).
 */
export function normalizeDay(raw: string): string | null {
  const m =
    /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/.exec(
      raw,
    );
  if (!m) return null;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isIsoDay(day) ? day : null;
}

/** Parses a schedule CSV. Never throws: a file it cannot use at all returns no tasks and an error on line 1. */
export function parseScheduleCsv(input: string): ScheduleCsvResult {
  const text = input.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const rows = splitCsv(text, detectDelimiter(firstLine));
  if (!rows.length) return { tasks: [], errors: [{ line: 1, message: 'the file is empty', problem: 'empty' }] };
  const [header, ...data] = rows;
  const col: Partial<Record<Field, number>> = {};
  header!.fields.forEach((h, i) => {
    const n = norm(h);
    for (const [field, names] of Object.entries(HEADERS) as [Field, string[]][])
      if (col[field] === undefined && names.includes(n)) col[field] = i;
  });
  const missing = (['task', 'plannedStart', 'plannedFinish'] as const).filter((f) => col[f] === undefined);
  if (col.globalIds === undefined && col.ifcClass === undefined) missing.push('globalIds or ifcClass' as never);
  if (missing.length) {
    return {
      tasks: [],
      errors: [
        {
          line: header!.line,
          message: `missing column(s): ${missing.join(', ')} (headers: task/任务, plannedStart/计划开始, plannedFinish/计划完成, globalIds/构件 or ifcClass/构件类型 [+ storey/楼层])`,
          problem: 'missing_columns',
          params: { columns: missing.join(', ') },
        },
      ],
    };
  }

  const tasks: ScheduleTask[] = [];
  const errors: CsvRowError[] = [];
  const ids = new Set<string>();
  data.forEach((row, n) => {
    const get = (f: Field) => (col[f] === undefined ? '' : (row.fields[col[f]!] ?? '').trim());
    const fail = (problem: CsvRowProblem, message: string, params?: Record<string, string>) =>
      errors.push({ line: row.line, message, problem, ...(params ? { params } : {}) });
    const start = normalizeDay(get('plannedStart'));
    const finish = normalizeDay(get('plannedFinish'));
    if (!start)
      return fail('bad_start', `plannedStart "${get('plannedStart')}" is not a date (YYYY-MM-DD)`, {
        value: get('plannedStart'),
      });
    if (!finish)
      return fail('bad_finish', `plannedFinish "${get('plannedFinish')}" is not a date (YYYY-MM-DD)`, {
        value: get('plannedFinish'),
      });
    if (finish < start) return fail('finish_before_start', 'plannedFinish: plannedFinish is before plannedStart');
    const gids = get('globalIds')
      .split(/[\s|,;]+/)
      .filter(Boolean);
    const selector = gids.length
      ? { globalIds: gids }
      : get('ifcClass')
        ? { ifcClass: get('ifcClass'), ...(get('storey') ? { storey: get('storey') } : {}) }
        : null;
    if (!selector) return fail('no_elements', 'the row selects no elements: give globalIds or ifcClass');
    const badIds = gids.filter((g) => !IfcGlobalId.safeParse(g).success);
    if (badIds.length)
      return fail(
        'bad_global_id',
        `not an IFC GlobalId (22 characters of 0-9 A-Z a-z _ $): ${badIds.slice(0, 3).join(', ')}`,
        { ids: badIds.slice(0, 3).join(', ') },
      );
    const id = get('id') || `R${n + 1}`;
    const parsed = ScheduleTask.safeParse({
      id,
      name: get('task'),
      plannedStart: start,
      plannedFinish: finish,
      selector,
    });
    if (!parsed.success)
      return fail(
        'invalid',
        fieldIssues(parsed.error)
          .map((i) => `${i.path}: ${i.message}`)
          .slice(0, 3)
          .join('; '),
        { fields: [...new Set(fieldIssues(parsed.error).map((i) => i.path))].slice(0, 3).join(', ') },
      );
    if (ids.has(parsed.data.id))
      return fail('duplicate_id', `task id "${parsed.data.id}" is used by an earlier row`, { id: parsed.data.id });
    ids.add(parsed.data.id);
    tasks.push(parsed.data);
  });
  return { tasks, errors };
}
