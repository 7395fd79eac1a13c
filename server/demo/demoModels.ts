import { DEMO_PROJECTS } from './demoCity.js';
import type { DemoBuildingOptions } from '../ifc/pipeline/demoBuilding.js';

/**
 * The building each demo project gets, derived from its entry in DEMO_PROJECTS: the footprint inset from the red line
 * (a site keeps room for cranes and roads), the planned height divided into storeys. Only parameters: the seed
 * calls generateDemoBuilding with them, so importing this file starts no web-ifc.
 */
export const DEMO_STOREY_HEIGHT_M = 3.6;

/** Share of the red line's width and depth the building covers. */
const FOOTPRINT_SHARE = 0.6;

/** Building parameters of one demo project, by project name. */
export function demoBuildingFor(p: {
  name: string;
  lon: number;
  lat: number;
  headingDeg: number;
  widthM: number;
  depthM: number;
  heightM: number;
}): DemoBuildingOptions {
  const widthM = round1(Math.max(8, p.widthM * FOOTPRINT_SHARE));
  const depthM = round1(Math.max(8, p.depthM * FOOTPRINT_SHARE));
  return {
    name: p.name,
    lon: p.lon,
    lat: p.lat,
    height: 0,
    headingDeg: p.headingDeg,
    storeys: Math.max(1, Math.round(p.heightM / DEMO_STOREY_HEIGHT_M)),
    widthM,
    depthM,
    storeyHeightM: DEMO_STOREY_HEIGHT_M,
    baysX: Math.max(1, Math.round(widthM / 8.4)),
    baysY: Math.max(1, Math.round(depthM / 8.4)),
    seed: `demo:${p.name}`,
  };
}

/** Building parameters for every demo project, in DEMO_PROJECTS order. */
export const DEMO_MODELS: DemoBuildingOptions[] = DEMO_PROJECTS.map(demoBuildingFor);

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
