/**
 * CRC-16 of HJ 212-2017 (Appendix A): register 0xFFFF, per byte `reg = (reg >> 8) ^ byte`, then 8 shifts right with
 * 0xA001 on a carried-out 1. This is NOT Modbus CRC-16 (which XORs the byte into the low byte without the `>> 8`);
 * the standard's own example `QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;
 * CP=&&RtdInterval=30&&` gives 0x1C80, which the tests pin.
 */
export function hj212Crc16(data: Uint8Array): number {
  let reg = 0xffff;
  for (let i = 0; i < data.length; i++) {
    reg = (reg >> 8) ^ data[i]!;
    for (let j = 0; j < 8; j++) {
      const carry = reg & 1;
      reg >>= 1;
      if (carry) reg ^= 0xa001;
    }
  }
  return reg;
}

/** The CRC as the 4 upper-case hex digits that end a frame. */
export function hj212CrcHex(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return hj212Crc16(bytes).toString(16).toUpperCase().padStart(4, '0');
}
