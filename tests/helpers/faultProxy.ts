import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/** One proxied connection: the two sockets and what waits to be forwarded each way while the network is partitioned. */
interface Link {
  client: Socket;
  upstream: Socket;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/**
 * A loopback TCP proxy in front of a server (PostgreSQL here) that can fail the way networks do:
 * - `reset()`: every open connection is reset (RST, `resetAndDestroy`), and new ones are reset as they arrive, until
 *   `restore()`;
 * - `partition()`: nothing is forwarded either way (no reset, no FIN): bytes wait, as unacknowledged TCP segments do,
 *   and new connections are accepted and then hear nothing; `restore()` delivers what waited and forwards again.
 */
export class FaultProxy {
  private readonly server: Server;
  private readonly links = new Set<Link>();
  private mode: 'forward' | 'reset' | 'partition' = 'forward';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  private accept(client: Socket): void {
    client.on('error', () => {});
    if (this.mode === 'reset') return void client.resetAndDestroy();
    const upstream = new Socket();
    upstream.on('error', () => {});
    upstream.connect(this.target.port, this.target.host);
    const link: Link = { client, upstream, toUpstream: [], toClient: [] };
    this.links.add(link);
    client.on('data', (d) => (this.mode === 'partition' ? link.toUpstream.push(d) : upstream.write(d)));
    upstream.on('data', (d) => (this.mode === 'partition' ? link.toClient.push(d) : client.write(d)));
    // A FIN or a close goes through only when the network is up; during a partition it waits for `restore`.
    const closed = () => {
      if (this.mode === 'partition') return;
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closed);
    upstream.on('close', closed);
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Resets every connection now and every new one until `restore()`. */
  reset(): void {
    this.mode = 'reset';
    for (const l of this.links) {
      l.client.resetAndDestroy();
      l.upstream.resetAndDestroy();
    }
    this.links.clear();
  }

  /** Stops forwarding both ways without closing anything. */
  partition(): void {
    this.mode = 'partition';
  }

  /** Forwards again; after a partition, first what waited, and the closes that happened meanwhile. */
  restore(): void {
    this.mode = 'forward';
    for (const l of this.links) {
      for (const d of l.toUpstream.splice(0)) if (!l.upstream.destroyed) l.upstream.write(d);
      for (const d of l.toClient.splice(0)) if (!l.client.destroyed) l.client.write(d);
      if (l.client.destroyed || l.upstream.destroyed) {
        this.links.delete(l);
        l.client.destroy();
        l.upstream.destroy();
      }
    }
  }

  get connections(): number {
    return this.links.size;
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((r) => this.server.close(() => r()));
  }
}
