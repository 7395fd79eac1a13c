import type { Hj212Packet } from './packet.js';

/** Parts of one split command are kept this long; a device that never sends the rest does not hold memory forever. */
const PART_TTL_MS = 120_000;
/** Split commands in progress per connection. */
const MAX_PENDING = 32;
/** More parts than this is not a split command but a broken one: each part is then taken alone. */
const MAX_PARTS = 64;

/**
 * Joins the packets of a split command (Flag bit D, PNUM parts numbered PNO 1..PNUM, all with the same QN).
 * Per connection; parts may arrive in any order; a repeated part replaces the earlier one.
 */
export class PacketAssembler {
  private readonly pending = new Map<string, { parts: Map<number, Hj212Packet>; at: number }>();

  /** Adds a part; returns all parts in PNO order once the last one is in, else undefined. */
  add(p: Hj212Packet, now: number): Hj212Packet[] | undefined {
    const total = p.pnum ?? 1;
    if (total > MAX_PARTS || (p.pno ?? 1) < 1 || (p.pno ?? 1) > total) return [p];
    for (const [qn, e] of this.pending) if (now - e.at > PART_TTL_MS) this.pending.delete(qn);
    const key = `${p.mn}\0${p.qn ?? ''}\0${p.cn}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
      entry = { parts: new Map(), at: now };
      this.pending.set(key, entry);
    }
    entry.parts.set(p.pno ?? 1, p);
    if (entry.parts.size < total) return undefined;
    this.pending.delete(key);
    return [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part);
  }

  /** One packet with the CP fields of all parts (later parts win on a repeated key). */
  static merge(parts: Hj212Packet[]): Hj212Packet {
    const cp = new Map<string, string>();
    for (const part of parts) for (const [k, v] of part.cp) cp.set(k, v);
    return { ...parts[0]!, cp, quirks: parts.flatMap((x) => x.quirks) };
  }
}
