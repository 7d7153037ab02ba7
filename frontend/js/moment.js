// @ts-check
// A moment of the board's history, as something a renderer can show: what the board showed as of
// ``at``. The board underneath keeps taking in everyone's changes; they all come after any moment
// the history can show, so the moment is evaluated again only when it moves, or when the board's
// past itself changed (a copy reloaded, a snapshot's parts arriving). Pure, no DOM.
//
// Evaluating a moment of a 100,000-object board from scratch takes tens of milliseconds: a moment
// goes on from a state it evaluated before (the previous position of the slider, or a keyframe's)
// when nothing but new objects came in between, which is most of any board's life.

import { CREATING_KINDS } from "./board.js";
import { HistoryIndex } from "./history-index.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").Entry} Entry */
/** @typedef {import("./board.js").Placed} Placed */

// States kept besides the keyframes': the last few the slider went through.
const RECENT_STATES = 4;

export class Moment {
  /** @param {Board} board @param {number} at */
  constructor(board, at) {
    this.board = board;
    this._at = at;
    this._version = 0;
    /** @type {Placed[] | null} */
    this._placed = null;
    this._boardVersion = board.version;
    this._past = this._signature();
    /** @type {Map<number, Placed[]>} states evaluated, by moment, to go on from */
    this._states = new Map();
    /** @type {Set<number>} moments whose states are kept however many others come */
    this._kept = new Set();
    this._forget();
    // Where everything the board ever had is: a renderer searches it instead of indexing each moment.
    this.index = new HistoryIndex(board);
    /** @type {import("./keyframes.js").Keyframes | null} pictures of it, which a page paints */
    this.keyframes = null;
  }

  get at() {
    return this._at;
  }

  set at(seq) {
    if (seq === this._at) return;
    this._at = seq;
    this._changed();
  }

  /** Bumped whenever ``visible()`` would answer differently. */
  get version() {
    if (this.board.version !== this._boardVersion) {
      this._boardVersion = this.board.version;
      const past = this._signature();
      if (past !== this._past) {
        this._past = past;
        this._forget();
        this._changed();
      }
    }
    return this._version;
  }

  /** The objects visible at this moment, in paint order: evaluated at most once per change. */
  visible() {
    this._placed ??= this.stateAt(this._at);
    return this._placed;
  }

  /**
   * The objects visible as of ``at``, in paint order: what ``board.visibleAt(at)`` answers.
   * @param {number} at @param {boolean} keep whether to keep this state for as long as the past holds
   * @returns {Placed[]}
   */
  stateAt(at, keep = false) {
    this.version; // a changed past forgets the states
    let state = this._states.get(at);
    if (!state) {
      let from = -1;
      for (const known of this._states.keys()) if (known <= at && known > from) from = known;
      state = (from >= 0 && this._goOn(/** @type {Placed[]} */ (this._states.get(from)), from, at)) || this.board.visibleAt(at);
      this._states.set(at, state);
    }
    if (keep) this._kept.add(at);
    // The oldest state that is not kept goes first.
    let others = this._states.size - this._kept.size;
    for (const known of this._states.keys()) {
      if (others <= RECENT_STATES) break;
      if (this._kept.has(known) || known === at) continue;
      this._states.delete(known);
      others--;
    }
    return state;
  }

  /**
   * The state as of ``at`` from the state as of ``from``, if every operation in between created an
   * object that nothing up to ``at`` erased, moved or undid: those go on top, in order. Anything
   * else (or an operation missing) is left to the full evaluation.
   * @param {Placed[]} state @param {number} from @param {number} at @returns {Placed[] | null}
   */
  _goOn(state, from, at) {
    const board = this.board;
    /** @type {Placed[]} */
    const added = [];
    if (board.orders.size) return null; // paint order is not sequence order
    for (let seq = from + 1; seq <= at; seq++) {
      const entry = board.bySeq.get(seq);
      if (!entry || !CREATING_KINDS.has(entry.op.kind) || board.pending.has(entry.op.id)) return null;
      const id = entry.op.id;
      for (const touched of [board.erasedBy, board.movedBy, board.styledBy, board.editedBy, board.toggledBy]) {
        for (const other of touched.get(id) ?? []) if ((board.entries.get(other)?.seq ?? 0) <= at) return null;
      }
      added.push({ id, seq, author: entry.author, op: entry.op, dx: 0, dy: 0 });
    }
    return added.length ? state.concat(added) : state;
  }

  /**
   * Changes when the board's past may have: anything but operations coming in one after another
   * at its end (a reset board starts a new map; a snapshot's parts fill it out of order).
   */
  _signature() {
    return `${mapId(this.board.entries)}:${this.board.bySeq.size - this.board.lastSeq}`;
  }

  /** Forget every state but the empty board before the first operation, to go on from. */
  _forget() {
    this._states.clear();
    this._kept.clear();
    this._states.set(0, []);
    this._kept.add(0);
  }

  _changed() {
    this._version++;
    this._placed = null;
  }
}

/** @type {WeakMap<object, number>} */
const mapIds = new WeakMap();
let nextMapId = 0;

/** A number for each map, so that a replaced one is told apart. @param {object} map */
function mapId(map) {
  let id = mapIds.get(map);
  if (id === undefined) mapIds.set(map, (id = nextMapId++));
  return id;
}
