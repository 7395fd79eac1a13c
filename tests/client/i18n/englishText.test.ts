import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zhCN } from '../../../client/i18n/zh-CN.js';
import { ROOT_DIR } from '../../../server/Server.js';

/**
 * English UI text written in code: a zh-CN user would see it in English. hardcodedText.test.ts forbids the other way
 * round (Chinese outside the catalogue); this scan finds string literals with a Latin word in the places where code
 * puts visible text, so that such text goes through t('…') like the rest.
 */
const CLIENT = join(ROOT_DIR, 'client');

/** Properties of an h() attribute object (and of option objects) whose value is shown or read out. */
const TEXT_PROPS = ['text', 'title', 'placeholder', 'aria-label', 'alt', 'label'];
/** DOM properties whose assigned value is shown or read out. */
const TEXT_FIELDS = ['textContent', 'innerText', 'innerHTML', 'title', 'placeholder', 'ariaLabel', 'alt'];
/**
 * Calls whose arguments (by index) are visible text: h()'s children, the browser's dialogs, and this client's own
 * text-taking helpers (each found in use for a message on screen).
 */
const TEXT_CALLS: Record<string, number[]> = {
  h: [2, 3, 4, 5, 6, 7, 8, 9], // h(tag, attrs, ...children): a string child is a text node
  append: [0, 1, 2, 3, 4, 5], // el.append('text') / prepend / replaceChildren: a string is a text node
  prepend: [0, 1, 2, 3, 4, 5],
  replaceChildren: [0, 1, 2, 3, 4, 5],
  createTextNode: [0],
  Option: [0], // new Option(text, value)
  alert: [0],
  confirm: [0],
  prompt: [0, 1],
  toast: [1], // ui/toast: toast(container, message, level)
  fail: [0], // WorkspaceApp.fail(message): the workspace's error state
  showEmpty: [0], // ProgressPanel.showEmpty(message)
  say: [1], // wallParams say(params, why): the note shown on the wall
  'errors.push': [0], // wallParams: the wall's URL errors, shown as its notes (wallDom)
  th: [1, 2], // ReadinessTable th(key, text, title)
  head: [1], // ElementPanel.head(globalId, title)
  setText: [0], // a map marker's label (overlays)
  step: [0], // LoadingChip.step(message)
};
/** setAttribute(name, value) with one of these names. */
const TEXT_ATTRS = ['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription'];

/**
 * Latin words that are not English: those the zh-CN catalogue itself writes in Latin letters (the brand "Site Twin",
 * IFC, BIM, CSV, GlobalId, PM2.5, TSP, key names such as Shift and Esc), and units of measure, which both catalogues
 * leave in SI symbols (field units are keyed by symbol, `unit.<symbol>`, only `ha` is translated).
 */
const NOT_ENGLISH = new Set([
  ...Object.values(zhCN).flatMap((s) => s.match(/[A-Za-z][A-Za-z0-9.]*/g) ?? []),
  // Units of measure (SI symbols and the ones the device fields use: client/devices/deviceFields.ts).
  'mm',
  'km',
  'kg',
  'kN',
  'kPa',
  'Pa',
  'dB',
  'Hz',
  'pts',
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(n) && !/\.d\.ts$/.test(n) ? [p] : [];
  });
}

/** The source with comments blanked (same length, newlines kept), strings and templates left as they are. */
function blankComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '/') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? src.length : e;
      out += ' '.repeat(end - i);
      i = end;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2) + 2;
      out += src.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = literalEnd(src, i);
      out += src.slice(i, end);
      i = end;
    } else if (c === '/' && regexCanStart(src, i)) {
      const end = regexEnd(src, i);
      out += src.slice(i, end);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function prevSignificant(code: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && /\s/.test(code[j]!)) j--;
  return j >= 0 ? code[j]! : '';
}

function regexCanStart(code: string, i: number): boolean {
  const p = prevSignificant(code, i);
  if (p === '' || '(,=:[!&|?{};+-*%<>~^'.includes(p)) return true;
  return /\b(return|typeof|case|of|in)\s*$/.test(code.slice(Math.max(0, i - 10), i));
}

function regexEnd(code: string, i: number): number {
  let j = i + 1;
  let cls = false;
  while (j < code.length && code[j] !== '\n') {
    const c = code[j]!;
    if (c === '\\') j += 2;
    else {
      if (c === '[') cls = true;
      else if (c === ']') cls = false;
      else if (c === '/' && !cls) break;
      j++;
    }
  }
  j++;
  while (/[a-z]/.test(code[j] ?? '')) j++;
  return j;
}

/** Index just past the string or template literal starting at i (templates with nested `${…}`). */
function literalEnd(code: string, i: number): number {
  const q = code[i]!;
  let j = i + 1;
  while (j < code.length) {
    const c = code[j]!;
    if (c === '\\') j += 2;
    else if (c === q) return j + 1;
    else if (q === '`' && c === '$' && code[j + 1] === '{') j = balancedEnd(code, j + 1);
    else j++;
  }
  return j;
}

/** Index just past the bracket that closes the one at i, skipping literals. */
function balancedEnd(code: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < code.length) {
    const c = code[j]!;
    if (c === "'" || c === '"' || c === '`') {
      j = literalEnd(code, j);
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

interface Lit {
  at: number;
  text: string;
}

/** A template literal's text without its `${…}` parts, and the ranges of those parts' expressions. */
function templateParts(code: string, start: number, end: number): { text: string; interps: [number, number][] } {
  let text = '';
  const interps: [number, number][] = [];
  let j = start + 1;
  while (j < end - 1) {
    const c = code[j]!;
    if (c === '\\') {
      text += code.slice(j, j + 2);
      j += 2;
    } else if (c === '$' && code[j + 1] === '{') {
      const e = balancedEnd(code, j + 1);
      interps.push([j + 2, e - 1]);
      text += ' ';
      j = e;
    } else {
      text += c;
      j++;
    }
  }
  return { text, interps };
}

/**
 * The string literals an expression starting at `i` would show: those at its top level, in grouping parentheses,
 * array literals, ternary branches and template `${…}` parts, but not the arguments of a call (t('key'), a nested
 * h(…), .join(', ')), not object literals, and not an operand of a comparison (`state === 'open'`). Stops at a `,`,
 * `;` or closing bracket of its own level, or at `limit`.
 */
function exprLiterals(code: string, i: number, limit = code.length): { lits: Lit[]; end: number } {
  const lits: Lit[] = [];
  let depth = 0;
  let j = i;
  while (j < limit) {
    const c = code[j]!;
    if (c === "'" || c === '"' || c === '`') {
      const e = literalEnd(code, j);
      const before = code.slice(Math.max(i, j - 12), j);
      const after = code.slice(e, e + 5);
      const compared = /(===?|!==?)\s*$|\bcase\s*$/.test(before) || /^\s*(===?|!==?)/.test(after);
      if (c === '`') {
        const { text, interps } = templateParts(code, j, e);
        if (!compared) lits.push({ at: j, text });
        for (const [a, b] of interps) lits.push(...exprLiterals(code, a, b).lits);
      } else if (!compared) lits.push({ at: j, text: code.slice(j + 1, e - 1) });
      j = e;
      continue;
    }
    if (c === '(' || c === '[') {
      const p = prevSignificant(code, j);
      if (/[\w$)\].]/.test(p)) {
        j = balancedEnd(code, j); // a call or an index
        continue;
      }
      depth++;
    } else if (c === '{') {
      j = balancedEnd(code, j); // an object literal or a function body
      continue;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) break;
    j++;
  }
  return { lits, end: j };
}

/** The code with every literal's contents blanked, so that finding positions never matches inside text. */
function maskLiterals(code: string, starts: Set<number>): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const e = literalEnd(code, i);
      starts.add(i);
      out += c + code.slice(i + 1, e - 1).replace(/[^\n]/g, ' ') + code[e - 1];
      i = e;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** String literals in UI-text positions of a source file. */
export function textLiterals(src: string): Lit[] {
  const code = blankComments(src);
  const starts = new Set<number>();
  const masked = maskLiterals(code, starts);
  const out: Lit[] = [];
  // obj.textContent = …, el.title = …
  for (const m of masked.matchAll(new RegExp(`\\.(${TEXT_FIELDS.join('|')})\\s*\\+?=(?!=)`, 'g')))
    out.push(...exprLiterals(code, m.index + m[0].length).lits);
  // { text: …, 'aria-label': … }: a bare key outside any literal, or a quoted key that is a literal of its own
  const bare = TEXT_PROPS.filter((p) => /^\w+$/.test(p)).join('|');
  const quoted = TEXT_PROPS.filter((p) => !/^\w+$/.test(p)).join('|');
  for (const m of code.matchAll(new RegExp(`(?<![\\w.$'"-])(${bare}|'(?:${quoted})')\\s*:(?!:)`, 'g'))) {
    const isKey = m[0].startsWith("'") ? starts.has(m.index) : masked.startsWith(m[1]!, m.index);
    if (isKey && prevSignificant(code, m.index) !== '?') out.push(...exprLiterals(code, m.index + m[0].length).lits);
  }
  // h('div', {…}, 'child'), toast(box, 'message'), …
  const calls = [...Object.keys(TEXT_CALLS), 'setAttribute'].map((c) => c.replace('.', '\\.')).join('|');
  for (const m of masked.matchAll(new RegExp(`(?<![\\w$])(${calls})\\s*\\(`, 'g'))) {
    let j = m.index + m[0].length;
    const args: Lit[][] = [];
    const firstArg = code.slice(j).match(/^\s*'([^']*)'/)?.[1];
    while (j < code.length && code[j] !== ')') {
      const r = exprLiterals(code, j);
      args.push(r.lits);
      j = r.end;
      if (code[j] === ',') j++;
      else break;
    }
    const which = m[1] === 'setAttribute' ? (firstArg && TEXT_ATTRS.includes(firstArg) ? [1] : []) : TEXT_CALLS[m[1]!]!;
    for (const k of which) out.push(...(args[k] ?? []));
  }
  return out;
}

/** The English left in a literal's text: its Latin words that are not in NOT_ENGLISH (empty: not English). */
export function englishWords(text: string): string[] {
  const words = text
    .replace(/\\[nrt]/g, ' ') // escapes: "\nPM2.5" is "PM2.5" on a new line
    .replace(/#[0-9a-fA-F]{3,8}\b/g, ' '); // CSS colours
  return (words.match(/[A-Za-z][A-Za-z0-9.]*/g) ?? [])
    .map((w) => w.replace(/\.+$/, ''))
    .filter((w) => /[A-Za-z]{2,}/.test(w) && !NOT_ENGLISH.has(w));
}

function englishIn(src: string): { line: number; text: string }[] {
  const seen = new Set<number>();
  return textLiterals(src)
    .filter((l) => englishWords(l.text).length > 0 && !seen.has(l.at) && seen.add(l.at))
    .map((l) => ({ line: src.slice(0, l.at).split('\n').length, text: l.text.slice(0, 60) }))
    .sort((a, b) => a.line - b.line);
}

describe('no English UI text in code', () => {
  it('client/ shows no English string literal: visible text goes through t()', () => {
    const found = sources(CLIENT).flatMap((f) => {
      const rel = relative(ROOT_DIR, f).replace(/\\/g, '/');
      if (rel.startsWith('client/i18n/')) return [];
      return englishIn(readFileSync(f, 'utf8')).map((x) => `${rel}:${x.line} ${x.text}`);
    });
    expect(found).toEqual([]);
  });

  it('finds text in each kind of position and ignores keys, comparisons, classes and comments (the scan itself)', () => {
    const src = [
      "// el.textContent = 'In a comment';", // 1
      "btn.textContent = s.playing ? 'Pause' : 'Play';", // 2
      "h('div', { class: 'state error', text: 'Properties unavailable' });", // 3
      "h('p', {}, 'A child text', t('some.key'), h('span', { class: 'dim' }));", // 4
      "x.textContent = `${n} projects · ${t('grade.good')} ${g}`;", // 5
      "x.textContent = a.level === 'alarm' ? t('wall.level.alarm') : `${v} m`;", // 6
      "el.setAttribute('aria-label', 'Close the panel'); el.setAttribute('data-x', 'not text');", // 7
      "toast(box, `Map source failed: ${e.message}`, 'warn');", // 8
      "h('small', { text: `${project ? project.name : 'its project'}` });", // 9
      "document.title = `Site Twin · ${name}`; h('input', { placeholder: 'PM2.5 µg/m³' });", // 10
      "const s = 'Plain data, not in a text position';", // 11
      "m.setText(`${name}\\nPM2.5 ${a} dB(A)`); h('i', { title: '#dbe6f5' }); this.fail(`Boom ${x}`);", // 12
      "el.append(h('b'), 'A text node'); el.replaceChildren(...nodes); el.classList.add('is-open');", // 13
    ].join('\n');
    expect(englishIn(src)).toEqual([
      { line: 2, text: 'Pause' },
      { line: 2, text: 'Play' },
      { line: 3, text: 'Properties unavailable' },
      { line: 4, text: 'A child text' },
      { line: 5, text: '  projects ·    ' },
      { line: 7, text: 'Close the panel' },
      { line: 8, text: 'Map source failed:  ' },
      { line: 9, text: 'its project' },
      { line: 12, text: 'Boom  ' },
      { line: 13, text: 'A text node' },
    ]);
  });
});
