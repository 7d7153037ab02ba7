import assert from "node:assert/strict";
import { test } from "node:test";
import { View } from "../js/view.js";
import { nextZoomStep, zoomLabel, ZOOM_STEPS } from "../js/zoom-steps.js";

test("zooming out four steps from a free 246 % lands on 100 %, not 101 %", () => {
  let scale = 2.46;
  const seen = [];
  for (let i = 0; i < 4; i++) {
    scale = nextZoomStep(scale, -1);
    seen.push(zoomLabel(scale));
  }
  assert.deepEqual(seen, ["200%", "150%", "100%", "75%"]);
});

test("zooming in from anywhere between steps goes to the next step up", () => {
  assert.equal(nextZoomStep(1, 1), 1.5);
  assert.equal(nextZoomStep(0.9999, 1), 1.5); // float drift counts as 100 %
  assert.equal(nextZoomStep(0.3, 1), 0.5);
  assert.equal(nextZoomStep(0.01, 1), 0.1);
  assert.equal(nextZoomStep(7, -1), 4);
});

test("beyond the last step a button leaves the zoom as it is", () => {
  assert.equal(nextZoomStep(4, 1), 4);
  assert.equal(nextZoomStep(6, 1), 6);
  assert.equal(nextZoomStep(0.1, -1), 0.1);
  assert.equal(nextZoomStep(0.07, -1), 0.07);
});

test("every step is reached from its neighbours in both directions", () => {
  for (let i = 0; i + 1 < ZOOM_STEPS.length; i++) {
    assert.equal(nextZoomStep(ZOOM_STEPS[i], 1), ZOOM_STEPS[i + 1]);
    assert.equal(nextZoomStep(ZOOM_STEPS[i + 1], -1), ZOOM_STEPS[i]);
  }
});

test("the view lands exactly on a step when zoomed by the ratio to it", () => {
  const view = new View();
  view.zoomAt(200, 100, 2.46);
  const target = nextZoomStep(view.scale, -1);
  view.zoomAt(200, 100, target / view.scale);
  assert.equal(zoomLabel(view.scale), "200%");
});

test("the readout shows the true scale, with a decimal below 10 %", () => {
  assert.equal(zoomLabel(1.01), "101%");
  assert.equal(zoomLabel(0.05), "5.0%");
  assert.equal(zoomLabel(20), "2000%");
});
