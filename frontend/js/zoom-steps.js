// @ts-check
// The zoom levels the buttons and keys stop at. The wheel and a pinch zoom freely between them;
// a button then goes to the next usual level, never to an odd one like 101 %. Pure, no DOM.

/** Scales (1 = 100 %), smallest first. */
export const ZOOM_STEPS = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];

// A scale within this ratio of a step counts as that step (float drift, 99.99 %).
const SAME = 1.001;

/**
 * The step to go to from ``scale`` in a direction; ``scale`` itself when none is beyond it.
 * @param {number} scale @param {1 | -1} direction 1 zooms in, -1 out
 */
export function nextZoomStep(scale, direction) {
  if (direction > 0) return ZOOM_STEPS.find((step) => step > scale * SAME) ?? scale;
  return [...ZOOM_STEPS].reverse().find((step) => step * SAME < scale) ?? scale;
}

/** What the readout says: the true scale, to the percent (to a tenth below 10 %). @param {number} scale */
export function zoomLabel(scale) {
  const percent = scale * 100;
  return `${percent < 9.95 ? percent.toFixed(1) : Math.round(percent)}%`;
}
