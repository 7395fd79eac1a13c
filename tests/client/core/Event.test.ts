import { describe, expect, it } from 'vitest';
import { Event } from '../../../client/core/Event.js';
import { ToolRegistry, type Tool } from '../../../client/core/Tool.js';

describe('Event', () => {
  it('calls every listener even when one throws, then rethrows the first error', () => {
    const e = new Event<number>();
    const seen: number[] = [];
    e.add(() => {
      throw new Error('broken panel');
    });
    const off = e.add((n) => seen.push(n));
    expect(() => e.trigger(1)).toThrow('broken panel');
    expect(seen).toEqual([1]);
    off();
    expect(e.size).toBe(1);
  });
});

class A implements Tool {
  enabled = true;
  disposed: string[];
  constructor(log: string[]) {
    this.disposed = log;
  }
  dispose() {
    this.disposed.push('A');
  }
}
class B extends A {
  override dispose() {
    this.disposed.push('B');
  }
}

describe('ToolRegistry', () => {
  it('finds tools by class, refuses duplicates and disposes newest first', () => {
    const log: string[] = [];
    const tools = new ToolRegistry();
    const a = tools.add(new A(log));
    tools.add(new B(log));
    expect(tools.get(A)).toBe(a);
    expect(() => tools.add(new A(log))).toThrow(/registered already/);
    tools.dispose();
    expect(log).toEqual(['B', 'A']);
    expect(() => tools.get(A)).toThrow(/not registered/);
  });
});
