import assert from "node:assert/strict";
import { test } from "node:test";
import { matches, sorted } from "../js/gallery-order.js";

const board = (id, title, updated, created, opened) => ({
  id,
  title,
  updated_at: `2026-12-0${updated}T10:00:00Z`,
  created_at: `2026-11-0${created}T10:00:00Z`,
  opened,
});

const boards = [
  board("a", "Sprint 10 retro", 3, 1, 100),
  board("b", "sprint 9 retro", 5, 2),
  board("c", "Café floor plan", 1, 9, 300),
  board("d", "Untitled board", 4, 3, 200),
];
const ids = (list) => list.map((b) => b.id).join("");

test("a search finds every word of it in a title, in any case and without accents", () => {
  assert.ok(matches("Café floor plan", "cafe"));
  assert.ok(matches("Café floor plan", "PLAN  floor"));
  assert.ok(!matches("Café floor plan", "plans"));
  assert.ok(matches("anything", "   "));
});

test("each order puts the boards as its name says", () => {
  assert.equal(ids(sorted(boards, "updated")), "bdac");
  assert.equal(ids(sorted(boards, "opened")), "cdab"); // never opened here: last, by last change
  assert.equal(ids(sorted(boards, "created")), "cdba");
  assert.equal(ids(sorted(boards, "title")), "cbad"); // 9 before 10, case ignored
});

test("sorting leaves the given list as it was", () => {
  const before = ids(boards);
  sorted(boards, "title");
  assert.equal(ids(boards), before);
});
