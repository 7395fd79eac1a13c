import { z } from 'zod';
import type { ElementRef } from './ElementSelection.js';

const Uuid = z.string().uuid();
const Gid = z.string().regex(/^[0-9A-Za-z_$#-]{1,64}$/);

/** The element a URL names: `?project=<id>&model=<id>&element=<GlobalId>` (map) or `/project/<id>?model=…&element=…`. */
export function elementFromUrl(pathname: string, search: string): Partial<ElementRef> {
  const q = new URLSearchParams(search);
  const path = /^\/project\/([^/]+)\/?$/.exec(pathname);
  const projectId = Uuid.safeParse((path?.[1] ?? q.get('project') ?? '').toLowerCase());
  const modelId = Uuid.safeParse((q.get('model') ?? '').toLowerCase());
  const gid = Gid.safeParse(q.get('element') ?? '');
  return {
    ...(projectId.success ? { projectId: projectId.data } : {}),
    ...(modelId.success ? { modelId: modelId.data } : {}),
    ...(gid.success ? { globalId: gid.data } : {}),
  };
}

/** The search string with `model` and `element` set from the selection (or removed), keeping every other parameter. */
export function searchWithElement(search: string, el: ElementRef | null, opts: { keepModel?: boolean } = {}): string {
  const q = new URLSearchParams(search);
  if (el) {
    q.set('model', el.modelId);
    q.set('element', el.globalId);
  } else {
    if (!opts.keepModel) q.delete('model');
    q.delete('element');
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The workspace URL of an element (or of a project's model). */
export function workspaceUrl(projectId: string, modelId?: string, globalId?: string): string {
  const q = new URLSearchParams();
  if (modelId) q.set('model', modelId);
  if (globalId) q.set('element', globalId);
  const s = q.toString();
  return `/project/${projectId}${s ? `?${s}` : ''}`;
}
