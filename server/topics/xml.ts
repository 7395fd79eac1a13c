/**
 * A small XML reader and writer, enough for BCF-XML (elements, attributes, text, CDATA, comments, the predefined and
 * numeric entities). Namespace prefixes are dropped from element and attribute names (BCF files differ in them); a
 * DOCTYPE is refused, so no entity expansion can blow up.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its text nodes and CDATA, concatenated). */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Parses a document and returns its root element. */
export function parseXml(src: string): XmlElement {
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const n = src.length;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i && stack.length) stack[stack.length - 1]!.text += decode(src.slice(i, textEnd));
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i + 4);
      if (e < 0) throw new XmlError('unterminated comment');
      i = e + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const e = src.indexOf(']]>', i + 9);
      if (e < 0) throw new XmlError('unterminated CDATA');
      if (stack.length) stack[stack.length - 1]!.text += src.slice(i + 9, e);
      i = e + 3;
    } else if (src.startsWith('<?', i)) {
      const e = src.indexOf('?>', i + 2);
      if (e < 0) throw new XmlError('unterminated processing instruction');
      i = e + 2;
    } else if (src.startsWith('<!', i)) {
      throw new XmlError('DOCTYPE and other declarations are not accepted');
    } else if (src[i + 1] === '/') {
      const e = src.indexOf('>', i);
      if (e < 0) throw new XmlError('unterminated end tag');
      const name = local(src.slice(i + 2, e).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`end tag </${name}> does not match <${open?.name ?? ''}>`);
      i = e + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(src.slice(i, i + 200));
      if (!m) throw new XmlError(`bad tag at ${i}`);
      const el: XmlElement = { name: local(m[1]!), attrs: {}, children: [], text: '' };
      i += m[0].length;
      const attrRe = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')|\s*(\/?>)/y;
      let closed = false;
      let selfClosing = false;
      while (!closed) {
        attrRe.lastIndex = i;
        const a = attrRe.exec(src);
        if (!a) throw new XmlError(`bad attribute in <${el.name}>`);
        i = attrRe.lastIndex;
        if (a[5]) {
          closed = true;
          selfClosing = a[5] === '/>';
        } else {
          const name = a[1]!;
          if (name !== 'xmlns' && !name.startsWith('xmlns:')) el.attrs[local(name)] = decode(a[3] ?? a[4] ?? '');
        }
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new XmlError('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

export const child = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((c) => c.name === name);
export const childrenOf = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el?.children.filter((c) => c.name === name) ?? [];
/** The trimmed text of the child `name`, or undefined when absent or empty. */
export const textOf = (el: XmlElement | undefined, name: string): string | undefined => {
  const t = child(el, name)?.text.trim();
  return t ? t : undefined;
};

// ---- writer ------------------------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A node to write: an element with attributes and children (elements or one text). Undefined children are skipped. */
export interface XmlNode {
  name: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  children?: Array<XmlNode | undefined> | string;
}

export const x = (name: string, attrs: XmlNode['attrs'] = {}, children?: XmlNode['children']): XmlNode => ({
  name,
  attrs,
  ...(children !== undefined ? { children } : {}),
});
/** An element holding text, or nothing when the value is undefined. */
export const xt = (name: string, v: string | number | undefined): XmlNode | undefined =>
  v === undefined ? undefined : { name, children: String(v) };

function write(n: XmlNode, indent: string, out: string[]): void {
  const attrs = Object.entries(n.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  if (typeof n.children === 'string') {
    out.push(`${indent}<${n.name}${attrs}>${esc(n.children)}</${n.name}>`);
    return;
  }
  const kids = (n.children ?? []).filter((c): c is XmlNode => !!c);
  if (!kids.length) {
    out.push(`${indent}<${n.name}${attrs}/>`);
    return;
  }
  out.push(`${indent}<${n.name}${attrs}>`);
  for (const k of kids) write(k, `${indent}  `, out);
  out.push(`${indent}</${n.name}>`);
}

/** Writes a document with its XML declaration. */
export function writeXml(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'];
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
