import { describe, expect, it } from 'vitest';
import { elementFromUrl, searchWithElement, workspaceUrl } from '../../../client/bim/elementLink.js';

const P = '11111111-1111-4111-8111-111111111111';
const M = '22222222-2222-4222-8222-222222222222';

describe('element deep links', () => {
  it('reads project, model and element from the workspace path and from the map query', () => {
    expect(elementFromUrl(`/project/${P}`, `?model=${M}&element=2O2Fr$t4X7Zf8NOew3FLOH`)).toEqual({
      projectId: P,
      modelId: M,
      globalId: '2O2Fr$t4X7Zf8NOew3FLOH',
    });
    expect(elementFromUrl('/', `?project=${P.toUpperCase()}&model=${M}`)).toEqual({ projectId: P, modelId: M });
  });
  it('drops what is malformed instead of guessing', () => {
    expect(elementFromUrl('/project/not-a-uuid', '?model=x&element=a%20b')).toEqual({});
  });
  it('writes model and element, keeping other parameters', () => {
    expect(searchWithElement(`?project=${P}`, { projectId: P, modelId: M, globalId: 'g1' })).toBe(
      `?project=${P}&model=${M}&element=g1`,
    );
    expect(searchWithElement(`?project=${P}&model=${M}&element=g1`, null)).toBe(`?project=${P}`);
    expect(searchWithElement(`?model=${M}&element=g1`, null, { keepModel: true })).toBe(`?model=${M}`);
    expect(workspaceUrl(P, M, 'g$1')).toBe(`/project/${P}?model=${M}&element=g%241`);
  });
});
