import { describe, expect, it } from 'vitest';
import { projectIdFromSearch, searchWithProject } from '../../../client/state/deepLinkUrl.js';
import { filterProjects } from '../../../client/state/projectSearch.js';
import { makeProject } from '../fixtures.js';

const list = [
  makeProject({
    name: '浮山湾金融中心二期',
    address: '山东省青岛市市南区香港中路 61 号',
    enterpriseName: '青岛海湾建设集团有限公司',
    regionCode: '370202',
  }),
  makeProject({
    name: '崂山科创中心 A 区',
    address: '山东省青岛市崂山区株洲路 187 号',
    enterpriseName: '中建筑港第八工程局有限公司',
    regionCode: '370212',
  }),
  makeProject({ name: 'Harbour Tower', address: 'Qingdao', enterpriseName: undefined, regionCode: '370203' }),
];
const names = (q: string) => filterProjects(list, q).map((p) => p.name);

describe('filterProjects', () => {
  it('finds by name, address, enterprise and region code; empty query keeps all', () => {
    expect(names('金融')).toEqual(['浮山湾金融中心二期']);
    expect(names('株洲路')).toEqual(['崂山科创中心 A 区']);
    expect(names('中建')).toEqual(['崂山科创中心 A 区']);
    expect(names('370203')).toEqual(['Harbour Tower']);
    expect(names('  ')).toHaveLength(3);
  });

  it('ANDs terms, ignores case and full-width forms', () => {
    expect(names('青岛 崂山')).toEqual(['崂山科创中心 A 区']);
    expect(names('ｈａｒｂｏｕｒ')).toEqual(['Harbour Tower']);
    expect(names('HARBOUR　qingdao')).toEqual(['Harbour Tower']); // ideographic space between terms
    expect(names('金融 崂山')).toEqual([]);
  });
});

describe('deep link URL', () => {
  const id = '0b6f8f4e-3c1d-4a5e-9f00-1234567890ab';
  it('reads a project id and refuses what is not a UUID', () => {
    expect(projectIdFromSearch(`?project=${id}`)).toBe(id);
    expect(projectIdFromSearch(`?project=${id.toUpperCase()}&x=1`)).toBe(id);
    expect(projectIdFromSearch('?project=../../etc')).toBeNull();
    expect(projectIdFromSearch('')).toBeNull();
  });

  it('sets and removes the project parameter, keeping the others', () => {
    expect(searchWithProject('?wall=1', id)).toBe(`?wall=1&project=${id}`);
    expect(searchWithProject(`?project=${id}&wall=1`, null)).toBe('?wall=1');
    expect(searchWithProject(`?project=${id}`, null)).toBe('');
  });
});
