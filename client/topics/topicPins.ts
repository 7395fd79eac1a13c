import { Cartesian3, Color, type EntityCollection } from 'cesium';
import { isOverdue } from '../../models/Rectification.js';
import type { Topic } from '../../models/Topic.js';
import { pinStyle, statusLabel, typeLabel } from './topicStyle.js';

/** Where a topic stands on the map: its point anchor, else its device's position (from `deviceAt`). */
export function pinPosition(
  t: Topic,
  deviceAt: (deviceId: string) => { lon: number; lat: number; height: number } | undefined,
): { lon: number; lat: number; height: number } | undefined {
  for (const a of t.anchors) if (a.kind === 'point') return { lon: a.lon, lat: a.lat, height: a.height };
  for (const a of t.anchors) if (a.kind === 'device') return deviceAt(a.deviceId);
  return undefined;
}

/**
 * One pin per open topic in `entities` (ids `topic:<guid>`), coloured by type and status (topicStyle.pinStyle);
 * pins of topics no longer given, or closed, are removed. Call again with the list after each `topic.*` push.
 */
export function syncTopicPins(
  entities: EntityCollection,
  topics: Topic[],
  deviceAt: Parameters<typeof pinPosition>[1],
  now = Date.now(),
): number {
  const keep = new Set<string>();
  for (const t of topics) {
    const style = pinStyle({ ...t, overdue: !!t.notice && isOverdue(t.notice, now) });
    const at = pinPosition(t, deviceAt);
    if (!style || !at) continue;
    const id = `topic:${t.id}`;
    keep.add(id);
    entities.removeById(id);
    entities.add({
      id,
      name: `${typeLabel(t.topicType)} · ${t.title}`,
      description: `${statusLabel(t.topicStatus)}${t.notice ? ` · ${t.notice.noticeNumber}` : ''}`,
      position: Cartesian3.fromDegrees(at.lon, at.lat, at.height + 2),
      point: {
        pixelSize: 14,
        color: Color.fromCssColorString(style.fill).withAlpha(style.alpha),
        outlineColor: Color.fromCssColorString(style.outline),
        outlineWidth: 2,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      },
    });
  }
  for (const e of [...entities.values]) if (e.id.startsWith('topic:') && !keep.has(e.id)) entities.remove(e);
  return keep.size;
}
