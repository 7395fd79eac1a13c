import { encodeFrame } from './frame.js';
import { FLAG_ACK, FLAG_V2017, buildPacket, formatChinaTime, type Hj212Packet } from './packet.js';

/** QnRtn of a request response (CN=9011), HJ 212-2017 table 5. */
export const QnRtn = {
  READY: 1,
  REJECTED: 2,
  BAD_PW: 3,
  BAD_MN: 4,
  BAD_ST: 5,
  BAD_FLAG: 6,
  BAD_QN: 7,
  BAD_CN: 8,
  BAD_CRC: 9,
  UNKNOWN: 100,
} as const;
export type QnRtn = (typeof QnRtn)[keyof typeof QnRtn];

/** True when the packet's Flag has bit A set (the sender waits for a reply). HJ 212-2005 frames have no Flag. */
export function wantsReply(p: Hj212Packet): boolean {
  return p.flag !== undefined && (p.flag & FLAG_ACK) !== 0;
}

/** The reply echoes QN (the sender matches on it); a packet without QN gets the current time as its QN. */
function replyQn(p: Hj212Packet, now: number): string {
  return p.qn ?? formatChinaTime(now, true);
}

/**
 * Data response (CN=9014, ST=91): "your upload is stored". Sent only after the readings are committed, so a device
 * that resends on a missing 9014 never loses data and never doubles it (the ingest dedupes on its DataTime).
 */
export function dataResponse(p: Hj212Packet, now = Date.now()): Buffer {
  return encodeFrame(
    buildPacket({
      qn: replyQn(p, now),
      st: '91',
      cn: '9014',
      pw: p.pw ?? '',
      mn: p.mn ?? '',
      flag: FLAG_V2017,
      cp: [],
    }),
  );
}

/** Request response (CN=9011, ST=91) with its QnRtn: 1 when accepted, or why not (PW, MN, CN, …). */
export function requestResponse(p: Hj212Packet, rtn: QnRtn, now = Date.now()): Buffer {
  return encodeFrame(
    buildPacket({
      qn: replyQn(p, now),
      st: '91',
      cn: '9011',
      pw: p.pw ?? '',
      mn: p.mn ?? '',
      flag: FLAG_V2017,
      cp: [[['QnRtn', rtn]]],
    }),
  );
}
