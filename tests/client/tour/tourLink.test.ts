import { describe, expect, it } from 'vitest';
import {
  clampStep,
  linkedStep,
  nextStep,
  parseTourLink,
  previousStep,
  searchWithTour,
} from '../../../client/tour/tourLink.js';

describe('tour links', () => {
  it('reads ?tour=&step= and writes it back keeping other parameters', () => {
    expect(parseTourLink('?tour=default-city&step=3')).toEqual({ tourId: 'default-city', step: 3 });
    expect(parseTourLink('?tour=0b7c2f4e-5d1a-4c3b-9e8f-1a2b3c4d5e6f')).toEqual({
      tourId: '0b7c2f4e-5d1a-4c3b-9e8f-1a2b3c4d5e6f',
      step: 0,
    });
    expect(parseTourLink('?tour=x&step=-2')).toEqual({ tourId: 'x', step: 0 });
    expect(parseTourLink('?tour=x&step=1.5')).toEqual({ tourId: 'x', step: 0 });
    expect(parseTourLink('?tour=%3Cscript%3E')).toBeNull();
    expect(parseTourLink('?project=abc')).toBeNull();
    expect(searchWithTour('?project=abc', { tourId: 't1', step: 2 })).toBe('?project=abc&tour=t1&step=2');
    expect(searchWithTour('?project=abc&tour=t1&step=2', null)).toBe('?project=abc');
    expect(searchWithTour('?tour=t1&step=2', null)).toBe('');
  });

  it('steps forward and back, wrapping only when the tour loops', () => {
    expect(nextStep(0, 4, false)).toBe(1);
    expect(nextStep(3, 4, true)).toBe(0);
    expect(nextStep(3, 4, false)).toBeNull();
    expect(nextStep(0, 0, true)).toBeNull();
    expect(previousStep(0, 4, true)).toBe(3);
    expect(previousStep(0, 4, false)).toBe(0);
    expect(previousStep(2, 4, false)).toBe(1);
    expect(clampStep(9, 4)).toBe(3);
    expect(clampStep(-1, 4)).toBe(0);
  });
});

describe('a link to a stop by its project (issue 19, journey 10)', () => {
  const P = '6b0f5a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  it("carries the stop's project next to the index and finds the stop by it, the index as fallback", () => {
    const search = searchWithTour('?x=1', { tourId: 'default-city', step: 1, at: P });
    expect(search).toBe(`?x=1&tour=default-city&step=1&at=${P}`);
    const link = parseTourLink(search)!;
    expect(link).toEqual({ tourId: 'default-city', step: 1, at: P });
    // A project added before the stop shifted it to index 2.
    expect(linkedStep([{ projectId: 'a' }, { projectId: 'b' }, { projectId: P }], link)).toBe(2);
    // The project is gone: the index.
    expect(linkedStep([{ projectId: 'a' }, { projectId: 'b' }], link)).toBe(1);
    expect(searchWithTour(search, { tourId: 'default-city', step: 0 })).toBe('?x=1&tour=default-city&step=0');
  });
});
