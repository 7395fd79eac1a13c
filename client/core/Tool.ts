/**
 * What every client tool is (MapView, ProjectLayer, panels, …): it can be switched off without being destroyed, and
 * it releases what it holds (DOM, Cesium entities, listeners) on `dispose()`. Tools expose typed `Event`s.
 */
export interface Tool {
  enabled: boolean;
  dispose(): void;
}

type ToolClass<T extends Tool> = abstract new (...args: any[]) => T;

/**
 * The registry of tools (`tools.get(MapView)`), like That Open's `components.get(...)`. Tools are built by the app
 * with what they need and added here, so one tool finds another without import-time singletons.
 */
export class ToolRegistry {
  private readonly tools = new Map<ToolClass<Tool>, Tool>();

  /** Registers a tool under its class. Registering a class twice is a wiring bug. */
  add<T extends Tool>(tool: T): T {
    const cls = tool.constructor as ToolClass<Tool>;
    if (this.tools.has(cls)) throw new Error(`${cls.name} is registered already: get it with tools.get(${cls.name})`);
    this.tools.set(cls, tool);
    return tool;
  }

  /** The tool of that class; throws with what to do when it was never added. */
  get<T extends Tool>(cls: ToolClass<T>): T {
    const t = this.tools.get(cls);
    if (!t) throw new Error(`${cls.name} is not registered: create it and call tools.add(...) before asking for it`);
    return t as T;
  }

  has(cls: ToolClass<Tool>): boolean {
    return this.tools.has(cls);
  }

  /** Disposes every tool, newest first (later tools depend on earlier ones). */
  dispose(): void {
    for (const t of [...this.tools.values()].reverse()) t.dispose();
    this.tools.clear();
  }
}
