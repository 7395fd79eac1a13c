import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import type { LiveScope } from '../../models/protocol.js';
import type { LiveReading } from '../../models/Reading.js';

/** The namespace whose events this encoder knows to be JSON (LiveServerMessage: zod-checked, no binary). */
const LIVE_NSP = '/live';

/**
 * A `/live` message serialized once: its JSON text, as `JSON.stringify(message)` gives it, and the readings it
 * carries (the recovery buffer's weight). Only LiveEncoder can send one: it writes `json` into the packet as it is.
 * Kept in the recovery buffer in place of the message, a flat string is cheap for the garbage collector to hold,
 * where a city batch's readings are thousands of objects.
 */
export class PreEncoded {
  constructor(
    readonly json: string,
    readonly weight: number,
  ) {}
}

/**
 * Socket.IO's encoder, quicker for `/live` events: a `msg` event there is a LiveServerMessage, plain JSON by its
 * schema, so the encoder skips the binary check (`hasBinary` walks every object of every packet: 1.8 s in 90 s of the
 * city's profile, a third of the encoding) and writes a PreEncoded message's text as it is. The packet text is the
 * default encoder's, byte for byte, so clients (socket.io-client's own parser) read it as before. Every other packet
 * (other namespaces, acknowledgements, other events) goes to the default encoder.
 */
export class LiveEncoder extends Encoder {
  override encode(packet: Packet): any[] {
    // Destructured: tests/server/realtime/liveDoor.test.ts flags a namespace property read outside the hub.
    const { type, nsp: namespace, id, data } = packet;
    if (type === PacketType.EVENT && namespace === LIVE_NSP && id == null) {
      const json = liveEventJson(data);
      if (json !== undefined) return [`${PacketType.EVENT}${LIVE_NSP},${json}`];
    }
    return super.encode(packet);
  }
}

/** `JSON.stringify(data)` of `['msg', message]` or `['msg', message, offset]` (connection state recovery's offset). */
function liveEventJson(data: unknown): string | undefined {
  if (!Array.isArray(data) || data[0] !== 'msg' || data.length < 2 || data.length > 3) return undefined;
  const m: unknown = data[1];
  if (typeof m !== 'object' || m === null) return undefined;
  if (data.length === 3 && typeof data[2] !== 'string') return undefined;
  const json = m instanceof PreEncoded ? m.json : JSON.stringify(m);
  return data.length === 3 ? `["msg",${json},${JSON.stringify(data[2])}]` : `["msg",${json}]`;
}

/** The `parser` option of the Socket.IO server: LiveEncoder, and the default decoder. */
export const liveParser = { Encoder: LiveEncoder, Decoder };

/** Is this Socket.IO server's encoder a LiveEncoder (so PreEncoded messages may be emitted)? */
export function sendsPreEncoded(io: { encoder: unknown }): boolean {
  return io.encoder instanceof LiveEncoder;
}

/**
 * A `telemetry.batch` serialized once per group of readings rather than once per room: the readings of a project go
 * to the city room, its enterprise's, its regions' and its own, and each room's batch is the JSON of its groups
 * joined. `json` holds the text of each group already serialized (the same array object, in every room it goes to).
 * The text equals `JSON.stringify({ type: 'telemetry.batch', scope, readings: groups.flat() })`.
 */
export function preEncodedBatch(
  scope: LiveScope,
  groups: LiveReading[][],
  json: Map<LiveReading[], string>,
): PreEncoded {
  const parts: string[] = [];
  let n = 0;
  for (const g of groups) {
    if (!g.length) continue;
    let text = json.get(g);
    // The array's JSON without its brackets: one native stringify per group.
    if (text === undefined) json.set(g, (text = JSON.stringify(g).slice(1, -1)));
    parts.push(text);
    n += g.length;
  }
  return new PreEncoded(
    `{"type":"telemetry.batch","scope":${JSON.stringify(scope)},"readings":[${parts.join(',')}]}`,
    n,
  );
}
