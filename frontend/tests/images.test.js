// Adding images: what is refused before anything is sent, where a picture goes, and the way from
// a file to an ``image`` operation (with the upload and the decoding stood in for).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ImageAdder, bringImages, imageFiles, placement, refusal } from "../js/images.js";
import { Pictures } from "../js/pictures.js";

const MB = 2 ** 20;
const HASH = "c0ffee".repeat(10) + "c0ff";
const screen = { left: 0, top: 0, right: 1000, bottom: 800 };

test("a picture keeps its size in pixels when it fits, and is made smaller to fit the screen", () => {
  assert.deepEqual(placement(200, 100, { x: 500, y: 400 }, screen), { x: 400, y: 350, w: 200, h: 100 });
  const big = placement(4000, 2000, { x: 500, y: 400 }, screen);
  assert.equal(big.w, 600); // 60 % of the screen's width
  assert.equal(big.h, 300);
  assert.deepEqual([big.x + big.w / 2, big.y + big.h / 2], [500, 400]);
  const zoomedOut = placement(4000, 2000, { x: 0, y: 0 }, { left: 0, top: 0, right: 10_000, bottom: 8000 });
  assert.equal(zoomedOut.w, 4000);
});

test("SVG, other types and files over the limit are refused before they are sent", () => {
  assert.match(refusal({ name: "logo.svg", type: "image/svg+xml", size: 10 }, MB), /SVG/);
  assert.match(refusal({ name: "scan.tiff", type: "image/tiff", size: 10 }, MB), /only PNG, JPEG, WebP and GIF/);
  assert.match(refusal({ name: "big.png", type: "image/png", size: 11 * MB }, 10 * MB), /over the 10 MB limit/);
  assert.equal(refusal({ name: "photo.jpg", type: "image/jpeg", size: MB }, 10 * MB), null);
  assert.equal(refusal({ name: "unknown", type: "", size: MB }, 10 * MB), null); // the server decides
});

test("a paste's picture may come as an item only; text and other files are left alone", () => {
  const png = { name: "a.png", type: "image/png" };
  const items = [{ kind: "string", getAsFile: () => null }, { kind: "file", getAsFile: () => png }];
  assert.deepEqual(imageFiles(/** @type {any} */ ({ files: [], items })), [png]);
  const pdf = { name: "a.pdf", type: "application/pdf" };
  assert.deepEqual(imageFiles(/** @type {any} */ ({ files: [pdf, png], items: [] })), [png]);
  assert.deepEqual(imageFiles(null), []);
});

/** An adder whose upload answers ``answer``, and what it did. */
function adder(answer) {
  const done = { submitted: [], shown: [], told: [], placed: [], uploads: 0 };
  const pictures = new Pictures(async () => new Response(null, { status: 404 }));
  const parts = {
    upload: async () => {
      done.uploads++;
      return answer();
    },
    pictures,
    submit: (op) => done.submitted.push(op),
    show: (arriving) => done.shown.push(arriving.map((a) => a.id)),
    tell: (message) => done.told.push(message),
    area: () => screen,
    maxBytes: () => 10 * MB,
    placed: (ids) => done.placed.push(ids),
    decode: async () => ({ width: 300, height: 150 }),
  };
  return { adder: new ImageAdder(parts), done, pictures };
}

const file = (name = "shot.png", type = "image/png") => ({ name, type, size: 1000 });

test("a file shows at once, then is placed by the hash the server gave its copy", async () => {
  const { adder: add, done, pictures } = adder(() => Response.json({ hash: HASH }, { status: 201 }));
  await add.add([/** @type {any} */ (file())], { x: 100, y: 100 });
  assert.equal(done.submitted.length, 1);
  const [op] = done.submitted;
  assert.deepEqual({ ...op, id: undefined }, { kind: "image", id: undefined, hash: HASH, x: -50, y: 25, w: 300, h: 150 });
  assert.deepEqual(done.shown, [[op.id], []]); // shown on its way, then as the operation
  assert.deepEqual(done.placed, [[op.id]]);
  assert.ok(pictures.get(HASH), "the page knows the picture without fetching it");
});

test("several files go side by side, each placed once", async () => {
  const { adder: add, done } = adder(() => Response.json({ hash: HASH }, { status: 201 }));
  await add.add([/** @type {any} */ (file("a.png")), /** @type {any} */ (file("b.png"))], { x: 0, y: 0 });
  const [a, b] = done.submitted;
  assert.ok(b.x >= a.x + a.w, "the second is right of the first");
  assert.equal(new Set([a.id, b.id]).size, 2);
  assert.deepEqual(done.placed, [[a.id, b.id]]);
});

test("a refused file is taken away again and the server's reason is told", async () => {
  const answer = () => Response.json({ detail: "only PNG, JPEG, WebP and GIF images can be added" }, { status: 415 });
  const { adder: add, done } = adder(answer);
  await add.add([/** @type {any} */ (file("fake.png"))]);
  assert.deepEqual(done.submitted, []);
  assert.deepEqual(done.shown.at(-1), []);
  assert.deepEqual(done.told, ["The image was not added: only PNG, JPEG, WebP and GIF images can be added"]);
  const full = adder(() => new Response("{}", { status: 507 }));
  await full.adder.add([/** @type {any} */ (file())]);
  assert.deepEqual(full.done.told, ["The image was not added: the board is full"]);
  const offline = adder(() => Promise.reject(new TypeError("Failed to fetch")));
  await offline.adder.add([/** @type {any} */ (file())]);
  assert.match(offline.done.told[0], /could not be reached/);
});

test("an SVG is refused without being sent", async () => {
  const { adder: add, done } = adder(() => Response.json({ hash: HASH }, { status: 201 }));
  await add.add([/** @type {any} */ (file("logo.svg", "image/svg+xml"))]);
  assert.equal(done.uploads, 0);
  assert.match(done.told[0], /SVG/);
});

test("pictures are fetched once, and a board without one stops asking", async () => {
  let fetched = 0;
  const pictures = new Pictures(
    async (hash) => {
      fetched++;
      return hash === HASH ? new Response("bytes") : new Response(null, { status: 404 });
    },
    async () => /** @type {any} */ ({ width: 1, height: 1 }),
  );
  let changes = 0;
  pictures.addEventListener("change", () => changes++);
  assert.equal(pictures.get(HASH), null);
  assert.equal(pictures.get(HASH), null);
  await pictures.ready([HASH, "0".repeat(64)]);
  assert.ok(pictures.get(HASH));
  assert.equal(pictures.get("0".repeat(64)), null);
  assert.equal(fetched, 2);
  assert.equal(changes, 1);
});

test("copies pasted from another board bring their images and name this board's hashes", async () => {
  const theirs = "a".repeat(64);
  const ours = "b".repeat(64);
  const kept = "d".repeat(64);
  const copies = [
    { op: { kind: "image", hash: theirs, x: 0, y: 0, w: 1, h: 1 }, m: [1, 0, 0, 1, 0, 0] },
    { op: { kind: "image", hash: kept, x: 0, y: 0, w: 1, h: 1 }, m: [1, 0, 0, 1, 0, 0] },
    { op: { kind: "text", text: "hi" }, m: [1, 0, 0, 1, 0, 0] },
  ];
  const fetched = [];
  const parts = {
    here: "board-here",
    held: (hash) => hash === kept,
    fetchFrom: async (board, hash) => {
      fetched.push([board, hash]);
      return new Response("file");
    },
    upload: async () => Response.json({ hash: ours }, { status: 201 }),
    tell: () => assert.fail("nothing to tell"),
  };
  const ready = await bringImages(copies, "board-there", parts);
  assert.deepEqual(ready.map(({ op }) => op.hash ?? op.text), [ours, kept, "hi"]);
  assert.deepEqual(fetched, [["board-there", theirs]]);
  assert.equal(await bringImages(copies, "board-here", parts), copies); // the same board: as they are
  const told = [];
  const lost = await bringImages(copies, "board-there", { ...parts, fetchFrom: async () => new Response(null, { status: 403 }), tell: (m) => told.push(m) });
  assert.deepEqual(lost.map(({ op }) => op.hash ?? op.text), [kept, "hi"]);
  assert.equal(told.length, 1);
});
