import type { zhCN } from './zh-CN.js';
import { common } from './en/common.js';
import { wall } from './en/wall.js';
import { map } from './en/map.js';
import { devices } from './en/devices.js';
import { workspace } from './en/workspace.js';
import { progress } from './en/progress.js';
import { readiness } from './en/readiness.js';
import { topics } from './en/topics.js';

/** The English message catalogue: the same keys as zh-CN.ts, one file per area (./en/*.ts) merged here. */
export const en: Record<keyof typeof zhCN, string> = {
  ...common,
  ...wall,
  ...map,
  ...devices,
  ...workspace,
  ...progress,
  ...readiness,
  ...topics,
};
