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
