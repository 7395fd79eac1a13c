/**
 * Just enough of a DOM for the panels built with `h()` and `document.createElement` to be built in Node and their text
 * read back (the repo has no jsdom): elements with children, attributes, text, a few properties; no layout, no events
 * fired, no selectors beyond `[attr="value"]` / `[attr]`.
 */
type Child = FakeElement | FakeText;

export class FakeText {
  readonly nodeType = 3;
  parentElement: FakeElement | null = null;
  constructor(public textContent: string) {}
  remove(): void {
    this.parentElement?.removeChild(this);
  }
}

export class FakeElement {
  readonly nodeType = 1;
  readonly tagName: string;
  readonly children: Child[] = [];
  readonly attrs = new Map<string, string>();
  readonly dataset: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  readonly ownerDocument: FakeDocument;
  parentElement: FakeElement | null = null;
  className = '';
  hidden = false;
  open = false;
  checked = false;
  disabled = false;
  required = false;
  value = '';
  type = '';
  title = '';
  placeholder = '';
  readonly options: FakeElement[] = [];

  constructor(tag: string, doc: FakeDocument) {
    this.tagName = tag.toUpperCase();
    this.ownerDocument = doc;
  }

  setAttribute(k: string, v: string): void {
    this.attrs.set(k, v);
    if (k.startsWith('data-')) this.dataset[k.slice(5).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = v;
    if (k === 'value' || k === 'type' || k === 'title' || k === 'placeholder') this[k] = v;
  }
  getAttribute(k: string): string | null {
    return this.attrs.get(k) ?? null;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(): boolean {
    return true;
  }

  append(...nodes: (Child | string)[]): void {
    for (const n of nodes) {
      const c = typeof n === 'string' ? new FakeText(n) : n;
      c.parentElement?.removeChild(c);
      c.parentElement = this;
      this.children.push(c);
      if (c instanceof FakeElement && c.tagName === 'OPTION' && this.tagName === 'SELECT') this.options.push(c);
    }
  }
  prepend(...nodes: (Child | string)[]): void {
    const rest = this.children.splice(0);
    this.append(...nodes, ...rest);
  }
  replaceChildren(...nodes: (Child | string)[]): void {
    for (const c of this.children.splice(0)) c.parentElement = null;
    this.options.length = 0;
    this.append(...nodes);
  }
  /** select.add(option) */
  add(option: FakeElement): void {
    this.append(option);
  }
  removeChild(c: Child): void {
    const i = this.children.indexOf(c);
    if (i >= 0) this.children.splice(i, 1);
    c.parentElement = null;
  }
  remove(): void {
    this.parentElement?.removeChild(this);
  }

  get textContent(): string {
    return this.children.map((c) => c.textContent).join('');
  }
  set textContent(v: string) {
    this.replaceChildren(new FakeText(v));
  }

  /** Descendant elements, depth first. */
  *descendants(): Generator<FakeElement> {
    for (const c of this.children)
      if (c instanceof FakeElement) {
        yield c;
        yield* c.descendants();
      }
  }
  querySelector(sel: string): FakeElement | null {
    return this.querySelectorAll(sel)[0] ?? null;
  }
  querySelectorAll(sel: string): FakeElement[] {
    const m = /^(\w*)(?:\[([\w-]+)(?:="([^"]*)")?\])?$/.exec(sel.trim());
    if (!m) throw new Error(`fakeDom: unsupported selector ${sel}`);
    const [, tag, attr, val] = m;
    return [...this.descendants()].filter(
      (e) =>
        (!tag || e.tagName === tag.toUpperCase()) &&
        (!attr || (val === undefined ? e.attrs.has(attr) : e.getAttribute(attr) === val)),
    );
  }
}

export class FakeDocument {
  readonly body = new FakeElement('body', this);
  createElement(tag: string): FakeElement {
    return new FakeElement(tag, this);
  }
  createTextNode(text: string): FakeText {
    return new FakeText(text);
  }
}

/** Installs `document`, `Option` and `Event` on globalThis; returns the document. */
export function installFakeDom(): FakeDocument {
  const doc = new FakeDocument();
  const g = globalThis as Record<string, unknown>;
  g.document = doc;
  g.Option = function Option(text: string, value: string) {
    const o = doc.createElement('option');
    o.append(text);
    o.value = value;
    return o;
  };
  g.Event ??= class {
    constructor(readonly type: string) {}
  };
  return doc;
}

/**
 * What a person reads or hears from an element: its text nodes, and the title, aria-label and placeholder of it and
 * its descendants; elements marked `lang` (the language switch names the other language in it) are left out.
 */
export function uiTexts(root: FakeElement): string[] {
  const out: string[] = [];
  const visit = (e: FakeElement) => {
    if (e.attrs.has('lang')) return;
    for (const a of [e.title, e.placeholder, e.getAttribute('aria-label') ?? '']) if (a.trim()) out.push(a.trim());
    for (const c of e.children) {
      if (c instanceof FakeElement) visit(c);
      else if (c.textContent.trim()) out.push(c.textContent.trim());
    }
  };
  visit(root);
  return out;
}

/** Chinese characters (CJK unified ideographs). */
export const CJK = /[\u4e00-\u9fff]/;
/** A word of English: three lower-case Latin letters in a row (units such as "m", "kPa" or "PM2.5" are not words). */
export const ENGLISH_WORD = /[A-Za-z]?[a-z]{3,}/;
