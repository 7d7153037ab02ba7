// Following someone's view: asking, being followed (sharing this page's view while anyone
// follows), showing the followed view, and stopping on one's own pan or zoom.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Follow } from "../js/follow.js";

function parts() {
  /** @type {((own: boolean) => void)[]} */
  const listeners = [];
  const box = { left: 0, top: 0, right: 1000, bottom: 700 };
  const viewport = {
    shown: /** @type {any[]} */ ([]),
    screenBox: () => box,
    onChange: (/** @type {(own: boolean) => void} */ listener) => listeners.push(listener),
    showBox(/** @type {any} */ seen) {
      this.shown.push(seen);
      for (const listener of listeners) listener(false);
    },
    moved: () => listeners.forEach((listener) => listener(true)),
    box,
  };
  const sent = /** @type {any[]} */ ([]);
  const connection = { sendEphemeral: (/** @type {any} */ m) => sent.push(m), sendControl: (/** @type {any} */ m) => sent.push(m) };
  const follow = new Follow(/** @type {any} */ (viewport), connection);
  follow.welcome(1);
  return { follow, viewport, sent };
}

test("following someone asks them, shows their views, and stops at one's own move", () => {
  const { follow, viewport, sent } = parts();
  let changes = 0;
  follow.addEventListener("change", () => changes++);
  follow.start(1); // oneself: nothing to follow
  assert.equal(follow.following, null);
  follow.start(2);
  assert.deepEqual(sent, [{ type: "follow", target: 2 }]);
  assert.equal(follow.following, 2);
  follow.heard({ type: "viewport", peer: 3, left: 0, top: 0, right: 5, bottom: 5 }); // not whom we follow
  follow.heard({ type: "viewport", peer: 2, left: 10, top: 20, right: 110, bottom: 90 });
  assert.deepEqual(viewport.shown.map((box) => box.left), [10]);
  assert.equal(follow.following, 2); // a followed move is not one's own
  viewport.moved();
  assert.equal(follow.following, null);
  assert.deepEqual(sent.at(-1), { type: "follow", target: 2, on: false });
  assert.equal(changes, 2);
});

test("following someone else stops following the first; their leaving stops it too", () => {
  const { follow, sent } = parts();
  follow.start(2);
  follow.start(3);
  assert.deepEqual(sent, [{ type: "follow", target: 2 }, { type: "follow", target: 2, on: false }, { type: "follow", target: 3 }]);
  follow.left(3);
  assert.equal(follow.following, null);
});

test("while someone follows this page it shares its view, at once and as it moves", () => {
  const { follow, viewport, sent } = parts();
  viewport.moved();
  assert.deepEqual(sent, []); // nobody follows: nothing is shared
  follow.heard({ type: "follow", peer: 5, target: 9, on: true }); // someone else is followed
  assert.deepEqual(sent, []);
  follow.heard({ type: "follow", peer: 5, target: 1, on: true });
  assert.deepEqual(sent, [{ type: "viewport", left: 0, top: 0, right: 1000, bottom: 700 }]);
  assert.deepEqual([...follow.followers], [5]);
  follow.pacer.cancel();
  follow.heard({ type: "follow", peer: 5, target: 1, on: false });
  assert.deepEqual([...follow.followers], []);
  viewport.box.right = 2e7; // past the board's edge: cut to the coordinates the protocol allows
  follow.heard({ type: "follow", peer: 6, target: 1, on: true });
  assert.equal(sent.at(-1).right, 10_000_000);
  follow.left(6);
  assert.equal(follow.followers.size, 0);
  follow.pacer.cancel();
});

test("a follower whose window is resized shows the followed area again, still following", () => {
  const { follow, viewport } = parts();
  follow.resized(); // following nobody: nothing to show
  assert.equal(viewport.shown.length, 0);
  follow.start(2);
  follow.resized(); // nothing heard from them yet
  assert.equal(viewport.shown.length, 0);
  follow.heard({ type: "viewport", peer: 2, left: 10, top: 20, right: 110, bottom: 90 });
  follow.resized();
  assert.deepEqual(viewport.shown.at(-1), { left: 10, top: 20, right: 110, bottom: 90 });
  assert.equal(viewport.shown.length, 2);
  assert.equal(follow.following, 2);
  follow.stop();
  follow.resized();
  assert.equal(viewport.shown.length, 2);
});
