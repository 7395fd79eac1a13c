/**
 * Readings that raise alarms, for pages that must show them (the layout matrix and bench/pageReady.ts seed the same
 * site): a tower crane past its rated load and moment, and a dust monitor over its PM10 limit.
 */
export const CRANE_OVERLOAD = {
  loadT: 8.4,
  ratedLoadT: 8,
  momentPct: 96,
  radiusM: 22,
  slewDeg: 40,
  hookHeightM: 30,
  windSpeedMps: 4,
};
export const DUST_OVER_LIMIT = { pm25Ugm3: 48, pm10Ugm3: 90, noiseDb: 62, windSpeedMps: 3, temperatureC: 8 };
