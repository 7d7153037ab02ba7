// A moment of the history as a renderer source, and the timeline's columns, names and pace.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Board } from "../js/board.js";
import { Timeline, WHOLE_BOARD_MS, describeTime } from "../js/timeline.js";
import { encodePoints } from "../js/points.js";
import { random, randomLog } from "./random-log.js";

import { Moment } from "../js/moment.js";

const stroke = (id) => ({ kind: "stroke", id, tool: "pen", color: "#000000", width: 2, points: encodePoints([0, 0, 0.5, 1, 1, 0.5]) });
const ids = (source) => source.visible().map((item) => item.id);

test("a moment shows the board as of its sequence number and follows the slider", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "alice", stroke("b"));
  board.applyCommitted(3, "bob", { kind: "clear", id: "c" });
  const moment = new Moment(board, 2);
  assert.deepEqual(ids(moment), ["a", "b"]);
  assert.deepEqual(ids(board), []);
  const version = moment.version;
  moment.at = 1;
  assert.ok(moment.version > version);
  assert.deepEqual(ids(moment), ["a"]);
});

test("changes after the moment leave it alone; a change of its past is seen", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "alice", stroke("b"));
  const moment = new Moment(board, 2);
  const shown = moment.visible();
  const version = moment.version;
  board.applyCommitted(3, "bob", { kind: "erase", id: "e", targets: ["a"] });
  board.applyLocal("alice", stroke("pending"));
  assert.equal(moment.version, version);
  assert.equal(moment.visible(), shown); // not evaluated again
  board.reset();
  board.load([[1, "alice", stroke("a")]]);
  assert.ok(moment.version > version);
  assert.deepEqual(ids(moment), ["a"]); // what is pending comes after every moment
});

const columns = {
  head: 4,
  start: "2026-12-01T10:00:00Z",
  people: [{ user: "ua", name: "Alice", color: "#e03131" }, { user: "ub", name: "Bob", color: "#1971c2" }],
  kinds: ["stroke", "clear"],
  time: [0, 500, 3_600_000, 250],
  author: [0, 0, 1, 0],
  kind: [0, 0, 1, 0],
};

test("the timeline's columns tell when each operation was made, by whom, of what kind", () => {
  const timeline = new Timeline(columns);
  const start = Date.parse(columns.start);
  assert.deepEqual(timeline.at(1), { time: start, person: columns.people[0], kind: "stroke" });
  assert.deepEqual(timeline.at(3), { time: start + 3_600_500, person: columns.people[1], kind: "clear" });
  assert.equal(timeline.at(5), null);
  assert.equal(timeline.at(0), null);
});

test("a timelapse shortens pauses, plays faster at higher speeds, and ends at the head", () => {
  const timeline = new Timeline(columns);
  // 500 ms, an hour shortened to a second, 250 ms.
  const asDrawn = timeline.timelapse(1, 4);
  assert.equal(asDrawn.duration, 1750);
  assert.deepEqual([0, 499, 500, 1499, 1500, 1750, 99_999].map(asDrawn.seqAt), [1, 1, 2, 2, 3, 4, 4]);
  assert.equal(timeline.timelapse(4, 4).duration, 1750 / 4);
  // Newer operations than the timeline knows come at its end.
  assert.equal(timeline.timelapse(1, 6).seqAt(1750), 6);
  const whole = timeline.timelapse("whole", 4);
  assert.equal(whole.duration, WHOLE_BOARD_MS);
  assert.deepEqual([0, WHOLE_BOARD_MS / 2, WHOLE_BOARD_MS].map(whole.seqAt), [1, 2, 4]);
});

test("moments are named as people say them", () => {
  const now = new Date(2026, 11, 3, 15, 0);
  assert.match(describeTime(new Date(2026, 11, 3, 14, 3).getTime(), now), /^Today (14.03|0?2.03\sPM)$/);
  assert.match(describeTime(new Date(2026, 11, 2, 9, 12).getTime(), now), /^Yesterday /);
  assert.doesNotMatch(describeTime(new Date(2026, 10, 3, 9, 12).getTime(), now), /2026|Today|Yesterday/);
  assert.match(describeTime(new Date(2025, 10, 3, 9, 12).getTime(), now), /2025/);
});

test("300 random logs: a moment going on from states it evaluated is what the reducer shows", () => {
  const shape = (placed) => placed.map(({ id, seq, author, dx, dy }) => `${id}:${seq}:${author}@${dx},${dy}`);
  for (let seed = 1; seed <= 300; seed++) {
    const rand = random(seed);
    const log = randomLog(rand, 60);
    const board = new Board();
    const split = Math.floor(log.length / 2);
    for (const { seq, author, op } of log.slice(0, split)) board.applyCommitted(seq, author, op);
    const moment = new Moment(board, split);
    for (let step = 0; step < 40; step++) {
      // The rest of the log arrives while the slider moves.
      if (step === 20) for (const { seq, author, op } of log.slice(split)) board.applyCommitted(seq, author, op);
      const at = Math.floor(rand() * (board.lastSeq + 1));
      const keep = rand() < 0.2;
      assert.deepEqual(shape(moment.stateAt(at, keep)), shape(board.visibleAt(at)), `seed ${seed}, moment ${at}`);
      moment.at = at;
      assert.deepEqual(shape(moment.visible()), shape(board.visibleAt(at)), `seed ${seed}, moment ${at}`);
    }
  }
});

test("a board of strokes only is gone on from, not evaluated again", () => {
  const board = new Board();
  for (let seq = 1; seq <= 100; seq++) board.applyCommitted(seq, "alice", stroke(`s${seq}`));
  const moment = new Moment(board, 100);
  const keyframe = moment.stateAt(40, true);
  let evaluated = 0;
  const visibleAt = board.visibleAt.bind(board);
  board.visibleAt = (at) => (evaluated++, visibleAt(at));
  for (const at of [50, 45, 90, 41, 100]) assert.equal(moment.stateAt(at).length, at);
  assert.equal(moment.stateAt(40), keyframe);
  assert.equal(evaluated, 0);
  assert.equal(moment.stateAt(10).length, 10); // from the empty board
  assert.equal(evaluated, 0);
  board.applyCommitted(101, "bob", { kind: "erase", id: "e", targets: ["s5"] });
  assert.equal(moment.stateAt(101).length, 99); // not only new objects since: evaluated
  assert.equal(evaluated, 1);
});
