// The table of shortcuts: each key press finds its own action and no other; Shift, Ctrl and the
// keyboard's layout are told apart as people type them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SHORTCUTS, actionOf, hint, matches } from "../js/keymap.js";

/** A key press as a browser reports it. */
function press(key, { code = "", shift = false, ctrl = false, meta = false, alt = false } = {}) {
  return { key, code, shiftKey: shift, ctrlKey: ctrl, metaKey: meta, altKey: alt };
}

test("letters, digits and symbols find their actions", () => {
  assert.equal(actionOf(press("p")), "tool:pen");
  assert.equal(actionOf(press("P", { shift: true })), undefined); // Shift+P is not P
  assert.equal(actionOf(press("F", { shift: true })), "fit");
  assert.equal(actionOf(press("f")), "fill");
  assert.equal(actionOf(press("1", { code: "Digit1" })), "color:#1e1e1e");
  assert.equal(actionOf(press("!", { code: "Digit1", shift: true })), "width:0"); // Shift+1 types "!"
  assert.equal(actionOf(press("=", { code: "Equal" })), "zoom-in");
  assert.equal(actionOf(press("+", { code: "Equal", shift: true })), "zoom-in");
  assert.equal(actionOf(press("?", { code: "Slash", shift: true })), "help");
  assert.equal(actionOf(press("_", { code: "Slash", shift: true })), "help"); // another layout's Shift+/
  assert.equal(actionOf(press("z", { ctrl: true })), "undo");
  assert.equal(actionOf(press("z", { meta: true })), "undo"); // ⌘ on a Mac
  assert.equal(actionOf(press("Z", { ctrl: true, shift: true })), "redo");
  assert.equal(actionOf(press("y", { ctrl: true })), "redo");
  assert.equal(actionOf(press("p", { ctrl: true })), undefined);
  assert.equal(actionOf(press("p", { alt: true })), undefined);
  assert.equal(actionOf(press("Backspace")), "delete");
});

test("every key with an action finds that action, and each combination means one thing", () => {
  const seen = new Map();
  for (const shortcut of SHORTCUTS) {
    for (const combo of shortcut.keys) {
      if (!shortcut.action) continue; // the text editor's Enter is not the board's
      assert.ok(!seen.has(combo), `${combo} has two actions`);
      seen.set(combo, shortcut);
      const parts = combo === "+" ? ["+"] : combo.split("+");
      const key = parts.pop();
      const digit = /^[0-9]$/.test(key);
      const event = press(key.length === 1 ? key.toLowerCase() : key, {
        code: digit ? `Digit${key}` : "",
        shift: parts.includes("Shift"),
        ctrl: parts.includes("Ctrl"),
      });
      assert.equal(actionOf(event), shortcut.action, combo);
      assert.ok(matches(event, combo));
    }
  }
});

test("a tooltip says what the control does and its keys", () => {
  const redo = SHORTCUTS.find((shortcut) => shortcut.action === "redo");
  assert.equal(hint(redo), "Redo (Ctrl+Shift+Z or Ctrl+Y)");
});
