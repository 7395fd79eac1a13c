/** China Standard Time, UTC+8, in minutes: sites, shifts and the noise night (22:00-06:00) follow local time. */
export const CHINA_UTC_OFFSET_MIN = 480;

/** Epoch ms of the local midnight that starts the day of `now`, for a fixed UTC offset in minutes. */
export function localDayStart(now: number, utcOffsetMin = CHINA_UTC_OFFSET_MIN): number {
  const off = utcOffsetMin * 60_000;
  return Math.floor((now + off) / 86_400_000) * 86_400_000 - off;
}
