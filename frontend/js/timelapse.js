// @ts-check
// A timelapse as a WebM video: the board's history played onto a canvas that fits everything ever
// drawn on it, captured with canvas.captureStream() and MediaRecorder (VP8 or VP9, as the browser
// offers). Drawn by a renderer of its own, so the page's view is left alone.

import { CREATING_KINDS } from "./board.js";
import { bounds, union } from "./geometry.js";
import { Moment } from "./moment.js";
import { Renderer } from "./renderer.js";
import { View } from "./view.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {{duration: number, seqAt: (elapsed: number) => number}} Schedule */

const WIDTH = 1280;
const HEIGHT = 720;
const FRAMES_PER_SECOND = 30;
// The finished board stays on screen this long at the end.
const HOLD_MS = 1500;
// VP8 first: the cheapest to encode in real time on a small machine.
const TYPES = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"];

/**
 * Record the timelapse ``schedule`` of ``board`` up to ``head``; resolves with the video.
 * @param {Board} board @param {Schedule} schedule @param {number} head
 * @param {{signal?: AbortSignal, progress?: (fraction: number) => void, caption?: (seq: number) => string,
 *   pictures?: import("./pictures.js").Pictures}}
 *   options stop early, follow it, what to write under each moment (when it was, who drew), and
 *   where images' pictures come from (all of them are fetched before the video starts)
 * @returns {Promise<Blob>}
 */
export async function recordTimelapse(board, schedule, head, options = {}) {
  const type = TYPES.find((candidate) => MediaRecorder.isTypeSupported(candidate));
  if (!type) throw new Error("this browser cannot record video");
  const host = document.createElement("div");
  host.className = "export-host";
  host.style.width = `${WIDTH}px`;
  host.style.height = `${HEIGHT}px`;
  document.body.append(host);
  const moment = new Moment(board, 0);
  const view = new View();
  view.fit(everythingDrawn(board, head) ?? { left: 0, top: 0, right: WIDTH, bottom: HEIGHT }, WIDTH, HEIGHT);
  const { pictures } = options;
  const hashes = [];
  for (const entry of board.entries.values()) if (entry.seq <= head && entry.op.kind === "image") hashes.push(entry.op.hash);
  await pictures?.ready(hashes);
  const renderer = new Renderer(host, moment, view, { ratio: 1, ids: false, pictures });
  const frame = document.createElement("canvas");
  frame.width = WIDTH;
  frame.height = HEIGHT;
  host.append(frame);
  const context = /** @type {CanvasRenderingContext2D} */ (frame.getContext("2d"));
  const stream = frame.captureStream(FRAMES_PER_SECOND);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4_000_000 });
  /** @type {Blob[]} */
  const chunks = [];
  recorder.addEventListener("dataavailable", (event) => event.data.size && chunks.push(event.data));
  const stopped = new Promise((resolve) => recorder.addEventListener("stop", resolve, { once: true }));
  try {
    const total = schedule.duration + HOLD_MS;
    const caption = options.caption ?? (() => "");
    paint(renderer, moment, context, 1, caption(1), 0);
    recorder.start(500);
    const started = performance.now();
    for (;;) {
      await nextFrame();
      const elapsed = performance.now() - started;
      if (elapsed >= total || options.signal?.aborted) break;
      const seq = elapsed >= schedule.duration ? head : schedule.seqAt(elapsed);
      // Painted on every frame, changed or not: the stream takes a frame when the canvas is painted.
      paint(renderer, moment, context, seq, caption(seq), elapsed / total);
      options.progress?.(elapsed / total);
    }
    recorder.stop();
    await stopped;
  } finally {
    for (const track of stream.getTracks()) track.stop();
    host.remove();
  }
  return new Blob(chunks, { type: "video/webm" });
}

/**
 * The board as of ``seq`` on white, its caption and how far the timelapse has come.
 * @param {Renderer} renderer @param {Moment} moment @param {CanvasRenderingContext2D} context
 * @param {number} seq @param {string} caption @param {number} done between 0 and 1
 */
function paint(renderer, moment, context, seq, caption, done) {
  if (seq !== moment.at) {
    moment.at = seq;
    renderer.drawInkNow();
  }
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, WIDTH, HEIGHT);
  context.drawImage(renderer.ink.canvas, 0, 0);
  context.fillStyle = "#4263eb";
  context.fillRect(0, HEIGHT - 4, WIDTH * Math.min(1, done), 4);
  context.font = "20px system-ui, sans-serif";
  context.fillStyle = "#6b6f76";
  // fillText draws characters: a name full of markup stays a name.
  context.fillText(caption, 16, HEIGHT - 16);
}

/** The box around every object the board ever had, up to ``head``. @param {Board} board @param {number} head */
function everythingDrawn(board, head) {
  const boxes = [];
  for (const entry of board.entries.values()) {
    if (entry.seq <= head && CREATING_KINDS.has(entry.op.kind)) boxes.push(bounds({ op: entry.op, dx: 0, dy: 0 }));
  }
  return union(boxes);
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}
