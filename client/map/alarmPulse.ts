import { CallbackProperty, type Color, DistanceDisplayCondition, type PointGraphics } from 'cesium';

/** Camera distance (m) from which a project is marked by its pin; closer, its footprint and its devices are the mark. */
export const PIN_NEAR_M = 2_500;
/** Px between a pin and the bottom edge of its label, at text scale 1: clear of the pulse ring at its widest. */
export const PIN_LABEL_DY = 20;
/** The pulse ring's size (px at text scale 1): from about the pin's own size to twice that. */
const PULSE_MIN_PX = 14;
const PULSE_GROWTH_PX = 14;
const PULSE_OUTLINE_PX = 2;

/** The ring's widest extent on screen (px, outline on both sides included) at a text scale. */
export function pulseExtentPx(scale: number): number {
  return (PULSE_MIN_PX + PULSE_GROWTH_PX) * scale + 2 * PULSE_OUTLINE_PX;
}

/**
 * The pulsing ring under an alarmed project's pin. It belongs to the pin and shows where the pin shows (from
 * PIN_NEAR_M out): at site scale it stood over the middle of the site, over the labels of the devices there (the dust
 * monitor's name under a red ring on the wall), while the devices' own glows already mark what is in alarm.
 */
export function pulsePoint(phase: () => number, scale: () => number, color: Color): PointGraphics.ConstructorOptions {
  return {
    pixelSize: new CallbackProperty(() => (PULSE_MIN_PX + PULSE_GROWTH_PX * phase()) * scale(), false),
    color: new CallbackProperty(() => color.withAlpha(0.65 * (1 - phase())), false),
    outlineColor: color,
    outlineWidth: PULSE_OUTLINE_PX,
    disableDepthTestDistance: Number.POSITIVE_INFINITY,
    distanceDisplayCondition: new DistanceDisplayCondition(PIN_NEAR_M, Number.POSITIVE_INFINITY),
  };
}
