/**
 * A typed event, in the style of That Open's `Event<T>`: tools expose one per thing that happens (`onChanged`,
 * `onStatus`) so listeners get a checked payload instead of a stringly-typed emitter.
 */
export class Event<T> {
  private readonly handlers = new Set<(e: T) => void>();

  /** Adds a listener; returns a function that removes it. */
  add(handler: (e: T) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  remove(handler: (e: T) => void): void {
    this.handlers.delete(handler);
  }

  /**
   * Calls every listener. A listener that throws does not stop the others (one broken panel must not freeze the
   * map); the first error is rethrown after all have run so it still surfaces.
   */
  trigger(e: T): void {
    let first: unknown;
    for (const h of [...this.handlers]) {
      try {
        h(e);
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }

  get size(): number {
    return this.handlers.size;
  }

  /** Drops every listener (on dispose). */
  reset(): void {
    this.handlers.clear();
  }
}
