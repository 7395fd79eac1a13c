import fs from 'node:fs';

/**
 * A full disk under one folder, in this process, without root or a mount: while `full`, every `fs.writeSync` into a
 * file under `dir` that would make the file longer fails with ENOSPC, as a full (non copy-on-write) filesystem does;
 * overwrites inside a file still succeed (PostgreSQL's preallocated WAL, pages already on disk). PGlite's Node
 * filesystem writes through `fs.writeSync`, so PostgreSQL inside it meets the same errno it would meet on a real full
 * disk. `restore()` puts the real `fs.writeSync` back.
 */
export class FullDisk {
  full = false;
  /** Writes refused so far. */
  refused = 0;
  private readonly real = fs.writeSync;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = fs.realpathSync(dir);
    const real = this.real;
    const self = this;
    fs.writeSync = function writeSync(this: unknown, fd: number, data: unknown, ...rest: unknown[]) {
      if (self.full && self.extends(fd, data, rest)) {
        self.refused++;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          errno: -28,
          code: 'ENOSPC',
          syscall: 'write',
        });
      }
      return (real as (...a: unknown[]) => number).call(this, fd, data, ...rest);
    } as typeof fs.writeSync;
  }

  /** Whether this write goes into a file under `dir` and past its end. */
  private extends(fd: number, data: unknown, rest: unknown[]): boolean {
    let path: string;
    try {
      path = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return false;
    }
    if (!path.startsWith(this.dir + '/')) return false;
    // writeSync(fd, buffer, offset?, length?, position?) or writeSync(fd, string, position?, encoding?)
    let length: number;
    let position: unknown;
    if (typeof data === 'string') {
      length = Buffer.byteLength(data);
      position = rest[0];
    } else {
      const view = data as ArrayBufferView;
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      length = typeof rest[1] === 'number' ? rest[1] : view.byteLength - offset;
      position = rest[2];
    }
    // Without a position the write goes where the file offset is; count it as growing the file.
    if (typeof position !== 'number') return true;
    return position + length > fs.fstatSync(fd).size;
  }

  restore(): void {
    fs.writeSync = this.real;
  }
}
