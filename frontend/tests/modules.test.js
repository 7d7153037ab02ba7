// Every module of the client loads under Node.js, the npm packages it imports included (the
// board page's import map gives the browser the same names), except the scripts that run a page
// or a worker as they load.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test } from "node:test";

// They start something as they load: the page's socket, its reads, the page itself, the worker.
const RUN_AS_THEY_LOAD = ["app.js", "first-socket.js", "first-worker.js", "opening.js", "home.js", "snapshot-worker.js"];

const root = new URL("../js/", import.meta.url);
const modules = (await readdir(root, { recursive: true })).filter((name) => name.endsWith(".js")).sort();

test("every module but the pages' and the worker's own scripts loads", async () => {
  assert.ok(modules.length > 40);
  for (const name of modules) {
    if (RUN_AS_THEY_LOAD.includes(name)) continue;
    await assert.doesNotReject(import(new URL(name, root).href), name);
  }
});
