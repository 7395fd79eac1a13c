import { describe, expect, it } from 'vitest';
import { EnvMonitorValues } from '../../../models/EnvMonitor.js';
import { loadConfig } from '../../../server/config.js';
import { hj212Crc16, hj212CrcHex } from '../../../server/ingest/hj212/crc16.js';
import { envReadingFrom, unitPolicyFromList } from '../../../server/ingest/hj212/envReading.js';
import { decodeFrame, encodeFrame } from '../../../server/ingest/hj212/frame.js';
import { buildPacket, formatChinaTime, parseChinaTime, parsePacket } from '../../../server/ingest/hj212/packet.js';
import { QnRtn, dataResponse, requestResponse, wantsReply } from '../../../server/ingest/hj212/reply.js';
import { DUST_2011, LEGACY_2005, STANDARD_EXAMPLE, TYPO_2011, UNKNOWN_CODE } from './hj212Frames.js';

function decodeOk(text: string) {
  const r = decodeFrame(text);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.frame;
}

describe('HJ 212 CRC16', () => {
  it('matches the standard example (1C80) and is not Modbus CRC', () => {
    const data =
      'QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&';
    expect(hj212CrcHex(data)).toBe('1C80');
    // Modbus CRC-16 of "123456789" is 0x4B37; the HJ 212 variant differs, which is the point of the `>> 8`.
    expect(hj212Crc16(Buffer.from('123456789'))).not.toBe(0x4b37);
    expect(hj212CrcHex('')).toBe('FFFF');
  });
});

describe('HJ 212 frames from the field', () => {
  it('decodes the standard example and the Flag bits', () => {
    const f = decodeOk(STANDARD_EXAMPLE);
    expect(f).toMatchObject({ declaredLength: 101, crc: '1C80', quirks: [] });
    const p = parsePacket(f.data);
    expect(p).toMatchObject({
      qn: '20160801085857223',
      st: '32',
      cn: '1062',
      pw: '100000',
      mn: '010000A8900016F000169DC0',
      flag: 5,
    });
    expect(p.cp.get('RtdInterval')).toBe('30');
    expect(wantsReply(p)).toBe(true);
  });

  it('maps a dust monitor frame into env_monitor values that pass the schema', () => {
    const f = decodeOk(DUST_2011);
    expect(f.quirks).toContain('no_crlf');
    const m = envReadingFrom(parsePacket(f.data));
    expect(m.values).toEqual({
      pm10Ugm3: 30,
      pm25Ugm3: 25,
      temperatureC: 13.5,
      humidityPct: 43.8,
      windDirDeg: 30,
      windSpeedMps: 3.5,
      tspUgm3: 132,
      noiseDb: 66.8,
    });
    // DataTime 2019-10-18 10:49:00 China time = 02:49:00 UTC
    expect(m.time).toBe(Date.UTC(2019, 9, 18, 2, 49, 0));
    expect(EnvMonitorValues.safeParse(m.values).success).toBe(true);
  });

  it('keeps a typo and an unknown code in extra, never fatal', () => {
    const typo = envReadingFrom(parsePacket(decodeOk(TYPO_2011).data));
    expect(typo.values.noiseDb).toBeUndefined();
    expect(typo.values.extra).toMatchObject({ 'LA-td': 50.1 });
    expect(typo.values).toMatchObject({ pm25Ugm3: 207, pm10Ugm3: 295, pressureKpa: 101.02, tspUgm3: 217 });
    const unknown = envReadingFrom(parsePacket(decodeOk(UNKNOWN_CODE).data));
    expect(unknown.values.extra).toEqual({ 'H01-Rtd': 52.7, 'H01-Flag': 'N' });
    expect(unknown.values.pm25Ugm3).toBe(26);
    expect(EnvMonitorValues.safeParse(unknown.values).success).toBe(true);
    expect(parsePacket(decodeOk(TYPO_2011).data).quirks).toContain('cp_trailing_separator');
  });

  it('accepts HJ 212-2005 framing and vendor codes', () => {
    const f = decodeOk(LEGACY_2005);
    expect(f.quirks).toContain('length_counts_crc_crlf');
    const p = parsePacket(f.data);
    expect(p.qn).toBeUndefined();
    expect(wantsReply(p)).toBe(false);
    expect(envReadingFrom(p).values).toEqual({ pm10Ugm3: 89.59, tspUgm3: 133.71 });
  });

  it('is liberal: lowercase CRC, spaces, comma after DataTime, header key case', () => {
    const data =
      'QN=20240101120000000;ST=22;CN=2011;PW=123456; MN=AB01;flag=4;CP=&&DataTime=20240101120000,a34004-Rtd= 35 ,a34004-Flag=N&&';
    const frame = `##${String(data.length).padStart(4, '0')}${data}${hj212CrcHex(data).toLowerCase()}  \r\n`;
    const f = decodeOk(frame);
    expect(f.quirks).toEqual(expect.arrayContaining(['lowercase_crc', 'spaces']));
    const p = parsePacket(f.data);
    expect(p).toMatchObject({ mn: 'AB01', flag: 4 });
    expect(p.quirks).toEqual(expect.arrayContaining(['spaces', 'header_key_case', 'cp_comma_separator']));
    const m = envReadingFrom(p);
    expect(m.values).toEqual({ pm25Ugm3: 35 });
    expect(m.time).toBe(Date.UTC(2024, 0, 1, 4, 0, 0));
  });

  it('rejects a wrong CRC, a wrong length, a truncated frame and a missing header, each with its reason', () => {
    expect(decodeFrame(STANDARD_EXAMPLE.replace('1C80', '1C81'))).toMatchObject({ ok: false, reason: 'bad_crc' });
    expect(decodeFrame(STANDARD_EXAMPLE.replace('##0101', '##0100'))).toMatchObject({
      ok: false,
      reason: 'bad_length',
    });
    expect(decodeFrame(STANDARD_EXAMPLE.slice(0, 60))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeFrame('##QN=1;CP=&&&&FFFF\r\n')).toMatchObject({ ok: false, reason: 'bad_header' });
  });

  it('drops flagged values from the fields but keeps them, and converts mg/m3 when told', () => {
    const p = parsePacket(
      'QN=1;ST=22;CN=2051;PW=1;MN=X;Flag=4;CP=&&DataTime=20240101120000;a34001-Avg=0.8,a34001-Min=0.5,a34001-Flag=N;a34004-Avg=40,a34004-Flag=D;LA-Avg=abc&&',
    );
    const m = envReadingFrom(p, unitPolicyFromList('a34001'));
    expect(m.values.tspUgm3).toBe(800);
    expect(m.values.pm25Ugm3).toBeUndefined();
    expect(m.values.extra).toMatchObject({ 'a34001-Min': 0.5, 'a34004-Avg': 40, 'a34004-Flag': 'D', 'LA-Avg': 'abc' });
    expect(m.dropped.map((d) => d.why)).toEqual(['flag D (fault)', 'not a number']);
    expect(() => unitPolicyFromList('a99999')).toThrow(/a99999/);
    // The same check stops the start, naming the variable.
    expect(() => loadConfig({ HJ212_MGM3_CODES: 'a34001,a99999' })).toThrow(/HJ212_MGM3_CODES/);
    expect(loadConfig({ HJ212_MGM3_CODES: 'a34001, a34004', HJ212_PORT: '2120' })).toMatchObject({ HJ212_PORT: 2120 });
    expect(loadConfig({ HJ212_PORT: '' }).HJ212_PORT).toBeUndefined();
  });

  it('reads China time and refuses impossible dates', () => {
    expect(parseChinaTime('20240229235959')).toBe(Date.UTC(2024, 1, 29, 15, 59, 59));
    expect(parseChinaTime('20230229000000')).toBeUndefined();
    expect(parseChinaTime('201910294112144')).toBeUndefined();
    expect(formatChinaTime(Date.UTC(2024, 0, 1, 16, 0, 0, 5), true)).toBe('20240102000000005');
  });
});

describe('HJ 212 replies', () => {
  it('answers data with CN=9014 echoing QN, and requests with CN=9011 + QnRtn, in valid frames', () => {
    const p = parsePacket(decodeOk(DUST_2011).data);
    const ack = decodeOk(dataResponse(p).toString('latin1'));
    expect(ack.data).toBe('QN=20191018104952418;ST=91;CN=9014;PW=123456;MN=ZX00001;Flag=4;CP=&&&&');
    const rej = parsePacket(decodeOk(requestResponse(p, QnRtn.BAD_PW).toString('latin1')).data);
    expect(rej).toMatchObject({ cn: '9011', st: '91', qn: '20191018104952418', flag: 4 });
    expect(rej.cp.get('QnRtn')).toBe('3');
  });

  it('round-trips a built packet through encode and decode', () => {
    const data = buildPacket({
      qn: '20240101120000000',
      st: '22',
      cn: '2011',
      pw: '123456',
      mn: 'M1',
      flag: 5,
      cp: [
        [['DataTime', '20240101120000']],
        [
          ['a34004-Rtd', 12.5],
          ['a34004-Flag', 'N'],
        ],
      ],
    });
    const frame = encodeFrame(data);
    expect(frame.subarray(-2).toString()).toBe('\r\n');
    const back = decodeOk(frame.toString('latin1'));
    expect(back).toMatchObject({ data, quirks: [] });
    expect(envReadingFrom(parsePacket(back.data)).values).toEqual({ pm25Ugm3: 12.5 });
  });
});
