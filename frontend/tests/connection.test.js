// The connection owns the socket and the operations on their way: it joins, sends what waits
// once synced, forgets what is acknowledged or refused for good, retries what is worth it, and
// sends everything unacknowledged again after a drop. A fake socket stands in for the browser's
// WebSocket; the outbox is the real one (without IndexedDB under Node.js it keeps nothing).
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode } from "@msgpack/msgpack";

import { Connection, RETRY_DELAY_MS } from "../js/connection.js";
import { Outbox } from "../js/outbox.js";
import { CLOSE_CODES, ERROR_CODES } from "../js/protocol.gen.js";

class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.binaryType = "blob";
    /** @type {any[]} what the page sent, decoded */
    this.sent = [];
    this.onopen = this.onmessage = this.onclose = null;
  }
  send(bytes) {
    this.sent.push(decode(bytes));
  }
  close() {
    this.readyState = 3;
  }
  // The server's side.
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(...messages) {
    this.onmessage?.({ data: encode(messages).slice().buffer });
  }
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  ops() {
    return this.sent.filter((message) => message.type === "op").map((message) => message.op.id);
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function connect({ held = { lastSeq: 0, lastOp: null } } = {}) {
  const sockets = [];
  const connection = new Connection({
    url: "ws://board.test/ws/boards/b1",
    identity: () => ({ user: "user-0001", name: "Ada", color: "#1e1e1e" }),
    held: async () => held,
    outbox: new Outbox("b1"),
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  const heard = [];
  connection.addEventListener("message", (event) => heard.push(event.detail));
  connection.connect();
  return { connection, sockets, heard, socket: () => sockets[sockets.length - 1] };
}

const op = (id) => ({ kind: "clear", id });

test("the join says who and what the page holds, and operations wait for synced, in order", async () => {
  const { connection, socket } = connect({ held: { lastSeq: 7, lastOp: "op-000007" } });
  connection.submit(op("op-first1"));
  connection.submit(op("op-second"));
  socket().open();
  await flush();
  const [join] = socket().sent;
  assert.equal(join.type, "join");
  assert.equal(join.user, "user-0001");
  assert.equal(join.last_seq, 7);
  assert.equal(join.last_op, "op-000007");
  assert.deepEqual(socket().ops(), []);
  assert.equal(connection.state, "syncing");
  socket().receive({ type: "synced", head_seq: 7 });
  assert.equal(connection.state, "online");
  assert.deepEqual(socket().ops(), ["op-first1", "op-second"]);
  assert.equal(connection.pending, 2);
});

test("an acknowledged operation waits no more, and the page hears the ack", async () => {
  const { connection, socket, heard } = connect();
  socket().open();
  await flush();
  socket().receive({ type: "synced", head_seq: 0 });
  let changes = 0;
  connection.addEventListener("outbox", () => changes++);
  connection.submit(op("op-stroke1"));
  assert.deepEqual(socket().ops(), ["op-stroke1"]); // online: sent at once
  assert.equal(connection.pending, 1);
  socket().receive({ type: "ack", id: "op-stroke1", seq: 1 });
  assert.equal(connection.pending, 0);
  assert.deepEqual(heard.at(-1), { type: "ack", id: "op-stroke1", seq: 1 });
  assert.ok(changes >= 2);
});

test("a refusal for good drops the operation and is heard as refused; a retryable one is sent again later", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { connection, socket, heard } = connect();
  socket().open();
  await flush();
  socket().receive({ type: "synced", head_seq: 0 });
  connection.submit(op("op-nope001"));
  connection.submit(op("op-later01"));
  socket().receive(
    { type: "error", code: ERROR_CODES.READ_ONLY, reason: "read-only", id: "op-nope001" },
    { type: "error", code: ERROR_CODES.RATE_LIMITED, reason: "slow down", id: "op-later01" },
  );
  assert.deepEqual(heard.map((message) => message.type), ["synced", "refused"]);
  assert.equal(heard[1].id, "op-nope001");
  assert.equal(heard[1].code, ERROR_CODES.READ_ONLY);
  assert.deepEqual([...connection.unacknowledged.keys()], ["op-later01"]);
  t.mock.timers.tick(RETRY_DELAY_MS);
  assert.deepEqual(socket().ops(), ["op-nope001", "op-later01", "op-later01"]);
});

test("after a drop the connection joins again and sends every unacknowledged operation again", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { connection, sockets, socket } = connect();
  socket().open();
  await flush();
  socket().receive({ type: "synced", head_seq: 0 });
  connection.submit(op("op-kept001"));
  connection.submit(op("op-acked01"));
  socket().receive({ type: "ack", id: "op-acked01", seq: 1 });
  socket().drop(1006);
  assert.equal(connection.state, "offline");
  connection.submit(op("op-offline")); // waits while offline
  t.mock.timers.tick(10_000);
  assert.equal(sockets.length, 2);
  socket().open();
  await flush();
  assert.equal(socket().sent[0].type, "join");
  socket().receive({ type: "synced", head_seq: 1 });
  assert.deepEqual(socket().ops(), ["op-kept001", "op-offline"]);
});

test("a close after which reconnecting cannot help ends the connection for good", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { connection, sockets, socket } = connect();
  const ended = [];
  connection.addEventListener("ended", (event) => ended.push(event.detail.why));
  socket().open();
  await flush();
  socket().drop(CLOSE_CODES.KICKED, "kicked");
  t.mock.timers.tick(60_000);
  assert.equal(connection.state, "closed");
  assert.equal(connection.endedBecause, "kicked");
  assert.deepEqual(ended, ["kicked"]);
  assert.equal(sockets.length, 1);
});

test("operations kept on this device by an earlier page are sent after the sync like the others", async () => {
  const { connection, socket } = connect();
  connection.restore([op("op-saved01"), op("op-saved02")]);
  assert.equal(connection.pending, 2);
  socket().open();
  await flush();
  socket().receive({ type: "synced", head_seq: 0 });
  assert.deepEqual(socket().ops(), ["op-saved01", "op-saved02"]);
});

/** A connection that takes over ``first`` (as first-socket.js hands it over). */
function takeOver(first, { held = { lastSeq: 0, lastOp: null } } = {}) {
  const connection = new Connection({
    url: first.socket.url,
    identity: () => ({ user: "user-0001", name: "Ada", color: "#1e1e1e" }),
    held: () => held,
    outbox: new Outbox("b1"),
    first,
    openSocket: () => assert.fail("no second socket"),
  });
  const heard = [];
  connection.addEventListener("message", (event) => heard.push(event.detail));
  connection.connect();
  return { connection, heard };
}

test("a socket opened before the page loaded is taken over, even when it is open already", async () => {
  const socket = new FakeSocket("ws://board.test/ws/boards/b1");
  socket.readyState = 1;
  const first = { socket, frames: [], joined: null, taken: false };
  takeOver(first);
  await flush();
  assert.equal(first.taken, true); // the opening module sends no join on it any more
  assert.equal(socket.binaryType, "arraybuffer");
  assert.equal(socket.sent[0].type, "join");
  assert.equal(socket.sent[0].last_op, undefined);
});

test("a socket joined before the page loaded is not joined again: what came since is heard first, in order", async () => {
  const socket = new FakeSocket("ws://board.test/ws/boards/b1");
  socket.readyState = 1;
  // What the server answered the opening module's join, kept by first-socket.js.
  const frame = (...messages) => encode(messages).slice().buffer;
  const frames = [frame({ type: "welcome", resume: 7 }), frame({ type: "committed", seq: 8 }, { type: "synced", head_seq: 8 })];
  const first = { socket, frames, joined: { lastSeq: 7, lastOp: "op-000007" }, taken: false };
  const { connection, heard } = takeOver(first, { held: { lastSeq: 7, lastOp: "op-000007" } });
  connection.submit(op("op-waiting"));
  await flush();
  assert.deepEqual(heard.map((message) => message.type), ["welcome", "committed", "synced"]);
  assert.equal(connection.state, "online");
  assert.deepEqual(socket.sent.map((message) => message.type), ["op"]); // no second join
  socket.receive({ type: "ack", id: "op-waiting", seq: 9 });
  assert.equal(heard.at(-1).type, "ack");
  assert.equal(connection.pending, 0);
});

test("a socket joined early that closed before the page loaded is replaced, and the new one joins", async () => {
  const closed = new FakeSocket("ws://board.test/ws/boards/b1");
  closed.readyState = 3;
  const first = { socket: closed, frames: [], joined: { lastSeq: 0, lastOp: null }, taken: false };
  const sockets = [];
  const connection = new Connection({
    url: closed.url,
    identity: () => ({ user: "user-0001", name: "Ada", color: "#1e1e1e" }),
    held: () => ({ lastSeq: 0, lastOp: null }),
    outbox: new Outbox("b1"),
    first,
    openSocket: (url) => {
      sockets.push(new FakeSocket(url));
      return sockets.at(-1);
    },
  });
  connection.connect();
  sockets[0].open();
  await flush();
  assert.equal(sockets[0].sent[0].type, "join");
});

test("ephemeral messages go out only while online", async () => {
  const { connection, socket } = connect();
  connection.sendEphemeral({ type: "cursor", x: 1, y: 2 });
  socket().open();
  await flush();
  connection.sendEphemeral({ type: "cursor", x: 1, y: 2 });
  socket().receive({ type: "synced", head_seq: 0 });
  connection.sendEphemeral({ type: "cursor", x: 3, y: 4 });
  assert.deepEqual(socket().sent.filter((m) => m.type === "cursor").map((m) => m.x), [3]);
});
