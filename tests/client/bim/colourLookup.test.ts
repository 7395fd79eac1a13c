import { describe, expect, it } from 'vitest';
import {
  buildFeatureLookup,
  HIGHLIGHT_ALPHA,
  LOOKUP_MAX_WIDTH,
  MAX_TINT_ALPHA,
  parseColour,
  parseColourMap,
  toHex,
} from '../../../client/bim/colourLookup.js';

describe('parseColour', () => {
  it('reads hex and rgb()/rgba() forms', () => {
    expect(parseColour('#f80')).toEqual([255, 136, 0, 255]);
    expect(parseColour('#ff880080')).toEqual([255, 136, 0, 128]);
    expect(parseColour(' #0A0b0C ')).toEqual([10, 11, 12, 255]);
    expect(parseColour('rgb(1, 2, 3)')).toEqual([1, 2, 3, 255]);
    expect(parseColour('rgba(10,20,30,0.5)')).toEqual([10, 20, 30, 128]);
    expect(parseColour('rgba(10 20 30 / 50%)')).toEqual([10, 20, 30, 128]);
    expect(parseColour('rgb(300, 0, 20)')).toEqual([255, 0, 20, 255]);
  });
  it('names the accepted forms for anything else', () => {
    expect(() => parseColour('red')).toThrow(/Unknown colour "red": use #rgb/);
    expect(() => parseColour('#12345')).toThrow(/Unknown colour/);
  });
  it('round-trips to hex', () => {
    expect(toHex(parseColour('#1f6feb'))).toBe('#1f6feb');
  });
  it('parses a whole map and fails on the first bad colour', () => {
    expect(parseColourMap({ a: '#fff', b: 'rgb(0,0,0)' }).get('b')).toEqual([0, 0, 0, 255]);
    expect(() => parseColourMap(new Map([['a', 'nope']]))).toThrow(/nope/);
  });
});

describe('buildFeatureLookup', () => {
  const hl = parseColour('#ffb020');
  it('puts each feature colour at its feature id, tint alpha capped below the highlight flag', () => {
    const l = buildFeatureLookup(
      ['A', 'B', null, 'C'],
      new Map([
        ['B', parseColour('#102030')],
        ['C', parseColour('#40506080')],
      ]),
      new Set(),
      hl,
    );
    expect([l.width, l.height, l.coloured]).toEqual([4, 1, 2]);
    expect([...l.data.slice(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...l.data.slice(4, 8)]).toEqual([0x10, 0x20, 0x30, MAX_TINT_ALPHA]);
    expect([...l.data.slice(12, 16)]).toEqual([0x40, 0x50, 0x60, 0x80]);
  });
  it('marks the highlighted element with the highlight colour and alpha 255, over its colour-by colour', () => {
    const l = buildFeatureLookup(['A', 'B'], new Map([['B', parseColour('#102030')]]), new Set(['B']), hl);
    expect([...l.data.slice(4, 8)]).toEqual([0xff, 0xb0, 0x20, HIGHLIGHT_ALPHA]);
    expect(l.coloured).toBe(1);
  });
  it('wraps long tables into rows and skips fully transparent colours', () => {
    const ids = Array.from({ length: LOOKUP_MAX_WIDTH + 5 }, (_, i) => `g${i}`);
    const last = ids.at(-1)!;
    const l = buildFeatureLookup(
      ids,
      new Map([
        [last, parseColour('#010203')],
        ['g0', parseColour('#01020300')],
      ]),
      new Set(),
      hl,
    );
    expect([l.width, l.height, l.coloured]).toEqual([LOOKUP_MAX_WIDTH, 2, 1]);
    const i = ids.length - 1;
    expect([...l.data.slice(i * 4, i * 4 + 4)]).toEqual([1, 2, 3, MAX_TINT_ALPHA]);
    expect(l.data.length).toBe(LOOKUP_MAX_WIDTH * 2 * 4);
  });
  it('gives an empty tile a 1x1 table', () => {
    const l = buildFeatureLookup([], new Map(), new Set(), hl);
    expect([l.width, l.height, l.coloured]).toEqual([1, 1, 0]);
  });
});
