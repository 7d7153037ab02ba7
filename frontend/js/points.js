// @ts-check
// The one way to read a stroke's points: a flat [x, y, pressure, x, y, pressure, ...] list.
// Every reader goes through here, so that the points' encoding can change in one place.

/** @param {{points: ArrayLike<number>}} op a stroke operation @returns {ArrayLike<number>} */
export function pointsOf(op) {
  return op.points;
}
