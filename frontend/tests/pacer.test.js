// Ephemeral sends at a steady pace, the last one never dropped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Pacer } from "../js/pacer.js";

const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a burst of requests sends the first at once and the rest once, after the interval", async () => {
  let sent = 0;
  const pacer = new Pacer(30, () => sent++);
  pacer.request();
  pacer.request();
  pacer.request();
  assert.equal(sent, 1);
  await settle(80);
  assert.equal(sent, 2);
});

test("a cancelled pacer sends nothing more", async () => {
  let sent = 0;
  const pacer = new Pacer(30, () => sent++);
  pacer.request();
  pacer.request();
  pacer.cancel();
  await settle(80);
  assert.equal(sent, 1);
});

test("now sends whatever the pace", () => {
  let sent = 0;
  const pacer = new Pacer(10_000, () => sent++);
  pacer.now();
  pacer.now();
  assert.equal(sent, 2);
});

test("a request late in the interval waits only for what is left of it", async () => {
  const sentAt = [];
  const pacer = new Pacer(300, () => sentAt.push(performance.now()));
  pacer.request();
  await settle(200);
  pacer.request();
  await settle(400);
  assert.equal(sentAt.length, 2);
  // Due 300 ms after the first, not 200 + 300 (with room for timers that run late, and for
  // their clock, which keeps whole milliseconds).
  const gap = sentAt[1] - sentAt[0];
  assert.ok(gap >= 298 && gap < 450, `${gap} ms`);
});
