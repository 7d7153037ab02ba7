import assert from "node:assert/strict";
import { test } from "node:test";

import { Overpaint } from "../js/overpaint.js";

/** An indexed object's box and its place in paint order. */
const entry = (order, minX, minY, maxX, maxY) => ({ order, minX, minY, maxX, maxY });

// A picture of the box 0..1280 on each side: cells of 10 units.
const picture = () => new Overpaint({ left: 0, top: 0, right: 1280, bottom: 1280 });

test("objects painted in paint order need nothing painted again, overlapping or not", () => {
  const overpaint = picture();
  for (let order = 0; order < 50; order++) overpaint.painted(entry(order, order * 7, 100, order * 7 + 30, 130));
  assert.deepEqual(overpaint.regions(), []);
});

test("an object painted over one above it is painted again where they meet, and only there", () => {
  const overpaint = picture();
  const above = entry(5, 100, 100, 125, 125);
  const farAway = entry(9, 900, 900, 925, 925);
  overpaint.painted(above);
  overpaint.painted(farAway);
  overpaint.painted(entry(2, 118, 100, 160, 108)); // below ``above``, painted after it
  overpaint.painted(entry(1, 500, 500, 520, 520)); // below everything, but nothing is over it
  assert.deepEqual(overpaint.regions(), [{ left: 110, top: 100, right: 130, bottom: 110 }]);
});

test("runs of cells in rows one under the other are one box", () => {
  const overpaint = picture();
  overpaint.painted(entry(8, 200, 200, 239, 239));
  overpaint.painted(entry(3, 200, 200, 239, 239));
  overpaint.painted(entry(9, 400, 400, 405, 405));
  overpaint.painted(entry(4, 400, 400, 405, 405));
  assert.deepEqual(
    overpaint.regions()?.sort((a, b) => a.left - b.left),
    [{ left: 200, top: 200, right: 240, bottom: 240 }, { left: 400, top: 400, right: 410, bottom: 410 }],
  );
});

test("an object repainted as it was (the same entry) is no overpaint; orders renumbered later still compare", () => {
  const overpaint = picture();
  const first = entry(0, 10, 10, 20, 20);
  overpaint.painted(first);
  overpaint.painted(first);
  assert.deepEqual(overpaint.regions(), []);
  // A merge slips objects in below: orders change, the painted ones keep theirs relative.
  first.order = 10;
  overpaint.painted(entry(4, 10, 10, 20, 20));
  assert.equal(overpaint.regions()?.length, 1);
});

test("a huge object, or painting it cannot follow, leaves only a whole redraw", () => {
  const huge = picture();
  huge.painted(entry(0, -5000, -5000, 5000, 5000));
  assert.equal(huge.regions(), null);
  const lost = picture();
  lost.painted(entry(0, 10, 10, 20, 20));
  lost.lose();
  assert.equal(lost.regions(), null);
});
