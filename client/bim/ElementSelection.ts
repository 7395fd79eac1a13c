import { z } from 'zod';
import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';

/** The element picked on the map or in the workspace: which project, which model, which GlobalId. */
export const ElementRef = z.object({
  projectId: z.string().uuid(),
  modelId: z.string().uuid(),
  globalId: z.string().min(1).max(64),
});
export type ElementRef = z.infer<typeof ElementRef>;

/** Who changed the selection: this view, a deep link, or another tab over the BroadcastChannel. */
export type ElementSelectionSource = 'map' | 'workspace' | 'url' | 'remote';

export interface ElementSelectionChange {
  element: ElementRef | null;
  previous: ElementRef | null;
  source: ElementSelectionSource;
}

/**
 * What crosses the channel between tabs, validated on arrival like every other message: a selection, or a new tab
 * asking for the current one (a tab opened after the selection was made would otherwise start blank).
 */
const ChannelMessage = z.union([
  z.object({ v: z.literal(1), element: ElementRef.nullable(), answer: z.literal(true).optional() }),
  z.object({ v: z.literal(1), ask: z.literal(true) }),
]);

/** The channel name: one per origin, shared by map and workspace tabs. */
export const SELECTION_CHANNEL = 'site-twin:element-selection';

export const sameElement = (a: ElementRef | null, b: ElementRef | null): boolean =>
  a === b || (!!a && !!b && a.modelId === b.modelId && a.globalId === b.globalId && a.projectId === b.projectId);

/**
 * The one element selection shared by the map and the workspace. In one page both views hold the same instance; across
 * tabs (map on the wall screen, workspace on the desk) a BroadcastChannel carries it, so selecting on one highlights on
 * the other. Remote changes are applied without echoing them back.
 */
export class ElementSelection implements Tool {
  enabled = true;
  readonly onChanged = new Event<ElementSelectionChange>();
  private _element: ElementRef | null = null;
  /** Any selection happened here (local or remote) since this tab started. */
  private changed = false;
  private readonly channel: BroadcastChannel | null;

  constructor(opts: { channelName?: string | null } = {}) {
    const name = opts.channelName === undefined ? SELECTION_CHANNEL : opts.channelName;
    this.channel = name && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(name) : null;
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent) => this.receive(e.data);
      this.channel.postMessage({ v: 1, ask: true });
    }
  }

  get element(): ElementRef | null {
    return this._element;
  }

  /** Selects an element (null clears). Re-selecting the same element does nothing. */
  select(element: ElementRef | null, source: ElementSelectionSource): void {
    if (element) element = ElementRef.parse(element);
    if (sameElement(element, this._element)) return;
    const previous = this._element;
    this._element = element;
    this.changed = true;
    if (this.channel && source !== 'remote' && this.enabled) this.channel.postMessage({ v: 1, element });
    this.onChanged.trigger({ element, previous, source });
  }

  clear(source: ElementSelectionSource): void {
    this.select(null, source);
  }

  private receive(data: unknown): void {
    if (!this.enabled) return;
    const m = ChannelMessage.safeParse(data);
    // Another build of the app (older tab) may speak differently: ignore what we cannot read rather than guess.
    if (!m.success) return;
    if ('ask' in m.data) {
      if (this._element) this.channel?.postMessage({ v: 1, element: this._element, answer: true });
      return;
    }
    // An answer is only for a tab that has not selected anything yet: arriving late, it must not undo a newer choice.
    if (m.data.answer && this.changed) return;
    this.select(m.data.element, 'remote');
  }

  dispose(): void {
    this.channel?.close();
    this.onChanged.reset();
  }
}
