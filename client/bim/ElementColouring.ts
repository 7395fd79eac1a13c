import { Event } from '../core/Event.js';
import type { Tool } from '../core/Tool.js';
import { parseColour, parseColourMap, type Rgba } from './colourLookup.js';

/** A legend row: a colour and what it means (e.g. "done", "behind schedule"), optionally with a count. */
export interface LegendEntry {
  colour: string;
  label: string;
  count?: number;
}

/** The state every view draws: the colour map, its legend, and the highlighted elements. */
export interface ColouringState {
  colours: ReadonlyMap<string, Rgba>;
  legend: { title: string; entries: LegendEntry[] } | null;
  highlighted: ReadonlySet<string>;
  highlightColour: Rgba;
}

/**
 * A view that can draw element colours: the Cesium tilesets (a CustomShader per tile with a feature-id lookup
 * texture) and the workspace (Fragments material API). Each applies the whole state; views are told on every change.
 */
export interface ColourTarget {
  applyColouring(state: ColouringState): void;
}

/** The selection colour: amber, far from the status palette and readable on concrete grey. */
export const DEFAULT_HIGHLIGHT = '#ffb020';

/**
 * `colourBy(globalIds -> colour)`: the one client API to colour elements, used by 4D progress and alarms. It holds the
 * state; the targets (map tilesets, workspace model) draw it with shaders. Highlighting the selection is part of the
 * same state so colour maps and the selection never fight over an element's colour.
 */
export class ElementColouring implements Tool {
  enabled = true;
  readonly onChanged = new Event<ColouringState>();
  private readonly targets = new Set<ColourTarget>();
  private state: ColouringState = {
    colours: new Map(),
    legend: null,
    highlighted: new Set(),
    highlightColour: parseColour(DEFAULT_HIGHLIGHT),
  };

  get current(): ColouringState {
    return this.state;
  }

  /**
   * Colours elements by GlobalId (CSS colours: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(); the alpha is the tint
   * strength). Replaces the previous map. Throws on a colour it cannot read, naming it, before anything changes.
   */
  colourBy(
    colours: ReadonlyMap<string, string> | Record<string, string>,
    legend?: { title: string; entries: LegendEntry[] },
  ): void {
    const parsed = parseColourMap(colours);
    for (const e of legend?.entries ?? []) parseColour(e.colour);
    this.set({ ...this.state, colours: parsed, legend: legend ?? null });
  }

  /** Drops the colour map (the highlight stays). */
  clearColours(): void {
    this.set({ ...this.state, colours: new Map(), legend: null });
  }

  /** Highlights these elements (the selection); empty or null clears. */
  highlight(globalIds: Iterable<string> | null): void {
    this.set({ ...this.state, highlighted: new Set(globalIds ?? []) });
  }

  /** Adds a view; it is drawn with the current state at once. Returns a function that removes it. */
  addTarget(t: ColourTarget): () => void {
    this.targets.add(t);
    t.applyColouring(this.state);
    return () => this.targets.delete(t);
  }

  private set(s: ColouringState): void {
    this.state = s;
    for (const t of this.targets) t.applyColouring(s);
    this.onChanged.trigger(s);
  }

  dispose(): void {
    this.targets.clear();
    this.onChanged.reset();
  }
}
