// @ts-check
// Loading a board snapshot (docs/protocol.md, "Snapshots"): the worker fetches and decodes its
// parts, those on screen first, and the board takes each part as it arrives.

import { startWorker, takeFirstWorker } from "./first-worker.js";
import { knowBounds } from "./geometry.js";
import { knowPoints } from "./points.js";

/** @typedef {{part: number, count: number, bounds?: number[] | null}} PartInfo */
/** @typedef {{seq: number, parts: PartInfo[]}} SnapshotInfo */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */
/**
 * @typedef {object} Strokes a slice's strokes as the worker sends them: column k is stroke k
 * @property {Float64Array} seq @property {Uint16Array} author into ``authors``
 * @property {string[]} authors @property {string[]} id
 * @property {Uint16Array} style into ``styles``: the operation's other fields, as JSON
 * @property {string[]} styles
 * @property {Uint32Array} ranges from, to in the decoded points, then from, to in the encoded ones
 * @property {Float64Array} extents left, top, right, bottom of each stroke's points
 */

/**
 * The entries of a slice's strokes, each operation rebuilt with its points (encoded, and known
 * decoded: ``knowPoints``) and its box known (``knowBounds``).
 * @param {Strokes} strokes @param {Float64Array} points @param {Uint8Array} bytes
 * @returns {[number, string, any][]}
 */
function strokeEntries(strokes, points, bytes) {
  const { seq, author, authors, id, style, ranges, extents } = strokes;
  // Each operation gets its fields in the order they came (its id and points hold their places).
  const styles = strokes.styles.map((json) => JSON.parse(json));
  /** @type {[number, string, any][]} */
  const entries = new Array(seq.length);
  for (let k = 0; k < seq.length; k++) {
    const op = { ...styles[style[k]], id: id[k], points: bytes.subarray(ranges[4 * k + 2], ranges[4 * k + 3]) };
    knowBounds(op, [extents[4 * k], extents[4 * k + 1], extents[4 * k + 2], extents[4 * k + 3]]);
    knowPoints(op, points.subarray(ranges[4 * k], ranges[4 * k + 1]));
    entries[k] = [seq[k], authors[author[k]], op];
  }
  return entries;
}

/**
 * Part numbers in the order to fetch them: the rules (part 0), then the parts that overlap the
 * screen, nearest its middle first, then the rest, nearest first.
 * @param {PartInfo[]} parts @param {Box} screen
 */
export function fetchOrder(parts, screen) {
  const middleX = (screen.left + screen.right) / 2;
  const middleY = (screen.top + screen.bottom) / 2;
  /** @param {PartInfo} info */
  const rank = (info) => {
    if (!info.bounds) return -Infinity;
    const [left, top, right, bottom] = info.bounds;
    const overlaps = left <= screen.right && right >= screen.left && top <= screen.bottom && bottom >= screen.top;
    const distance = Math.hypot((left + right) / 2 - middleX, (top + bottom) / 2 - middleY);
    return (overlaps ? 0 : 1e15) + distance;
  };
  return [...parts].sort((a, b) => rank(a) - rank(b)).map((info) => info.part);
}

/** The box around every part's objects, or null for a board with none. @param {PartInfo[]} parts */
export function snapshotBounds(parts) {
  const boxes = parts.flatMap((info) => (info.bounds ? [info.bounds] : []));
  if (!boxes.length) return null;
  return {
    left: Math.min(...boxes.map((b) => b[0])),
    top: Math.min(...boxes.map((b) => b[1])),
    right: Math.max(...boxes.map((b) => b[2])),
    bottom: Math.max(...boxes.map((b) => b[3])),
  };
}

/** @type {Worker | null} a worker started before it is needed: its modules load meanwhile */
let prepared = null;

/** Have a worker ready (the one the page started first), so that a snapshot's first part waits less. */
export function prepareLoader() {
  prepared ??= takeFirstWorker() ?? startWorker();
}

/** The worker prepared will not be needed after all. */
export function discardLoader() {
  prepared?.terminate();
  prepared = null;
  early?.worker.terminate();
  early = null;
}

/** @typedef {{board: string, snapshot: SnapshotInfo, screen: Box, headers: Record<string, string>}} Request */

/**
 * A job begun before the page could take its parts (``fetchEarly``): what the worker posted
 * meanwhile waits here (the worker posts few slices before it waits for the page to take them).
 * @type {{board: string, seq: number, worker: Worker, posted: MessageEvent[], error: ErrorEvent | null} | null}
 */
let early = null;

/**
 * Start fetching a snapshot's parts now, before the page can take them: ``loadSnapshot`` for the
 * same snapshot takes over what has arrived by then. @param {Request} request
 */
export function fetchEarly({ board, snapshot, screen, headers }) {
  const worker = prepared ?? startWorker();
  prepared = null;
  early?.worker.terminate();
  /** @type {MessageEvent[]} */
  const posted = [];
  const job = { board, seq: snapshot.seq, worker, posted, error: /** @type {ErrorEvent | null} */ (null) };
  worker.onmessage = (event) => posted.push(event);
  worker.onerror = (event) => {
    job.error = event;
  };
  worker.postMessage({ board, seq: snapshot.seq, parts: fetchOrder(snapshot.parts, screen), headers });
  early = job;
}

/**
 * Fetch a snapshot's parts in a worker, handing their entries to ``onPart`` a slice at a time
 * (a part comes in several; the worker sends the next once the page has taken one).
 * @param {Request} request
 * @param {(entries: [number, string, any][]) => void} onPart
 * @returns {Promise<void>} settles when every part has been handed over
 */
export function loadSnapshot({ board, snapshot, screen, headers }, onPart) {
  const begun = early;
  early = null;
  const takeOver = begun?.board === board && begun.seq === snapshot.seq;
  if (begun && !takeOver) begun.worker.terminate();
  const worker = takeOver ? begun.worker : (prepared ?? startWorker());
  if (!takeOver) prepared = null;
  return new Promise((resolve, reject) => {
    /** @param {MessageEvent} event */
    const received = (event) => {
      const message = event.data;
      if (message.type === "part") {
        const strokes = message.strokes ? strokeEntries(message.strokes, message.points, message.bytes) : [];
        onPart(message.entries.concat(strokes));
        if (message.strokes) worker.postMessage({ type: "taken" });
      }
      else if (message.type === "done") resolve(undefined);
      else reject(new Error(message.reason));
      if (message.type !== "part") setTimeout(() => worker.terminate(), 1000);
    };
    /** @param {ErrorEvent} event */
    const failed = (event) => {
      reject(new Error(event.message || "the snapshot worker failed"));
      worker.terminate();
    };
    worker.onmessage = received;
    worker.onerror = failed;
    if (!takeOver) worker.postMessage({ board, seq: snapshot.seq, parts: fetchOrder(snapshot.parts, screen), headers });
    else if (begun.error) failed(begun.error);
    else for (const event of begun.posted) received(event);
  });
}
