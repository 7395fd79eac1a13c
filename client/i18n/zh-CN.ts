import { common } from './zh-CN/common.js';
import { wall } from './zh-CN/wall.js';
import { map } from './zh-CN/map.js';
import { devices } from './zh-CN/devices.js';
import { workspace } from './zh-CN/workspace.js';
import { progress } from './zh-CN/progress.js';
import { readiness } from './zh-CN/readiness.js';
import { topics } from './zh-CN/topics.js';

/**
 * The zh-CN message catalogue: the UI's first language. Keys are `area.what`; `{name}` marks a parameter that
 * `t(key, params)` fills. en.ts must hold the same keys (its type says so, and tests/client/i18n/catalogue.test.ts
 * checks it). The messages live in one file per area (./zh-CN/*.ts, keyed by their prefixes), merged here.
 */
export const zhCN = {
  ...common,
  ...wall,
  ...map,
  ...devices,
  ...workspace,
  ...progress,
  ...readiness,
  ...topics,
};
