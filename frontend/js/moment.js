// @ts-check
// A moment of the board's history, as something a renderer can show: what the board showed as of
// ``at``. The board underneath keeps taking in everyone's changes; they all come after any moment
// the history can show, so the moment is evaluated again only when it moves, or when the board's
// past itself changed (a copy reloaded, a snapshot's parts arriving). Pure, no DOM.

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").Placed} Placed */

export class Moment {
  /** @param {Board} board @param {number} at */
  constructor(board, at) {
    this.board = board;
    this._at = at;
    this._version = 0;
    /** @type {Placed[] | null} */
    this._placed = null;
    this._boardVersion = board.version;
    this._past = this._fingerprint();
  }

  get at() {
    return this._at;
  }

  set at(seq) {
    if (seq === this._at) return;
    this._at = seq;
    this._past = this._fingerprint();
    this._changed();
  }

  /** Bumped whenever ``visible()`` would answer differently. */
  get version() {
    if (this.board.version !== this._boardVersion) {
      this._boardVersion = this.board.version;
      const past = this._fingerprint();
      if (past !== this._past) {
        this._past = past;
        this._changed();
      }
    }
    return this._version;
  }

  /** The objects visible at this moment, in paint order: evaluated at most once per change. */
  visible() {
    this._placed ??= this.board.visibleAt(this._at);
    return this._placed;
  }

  /**
   * What the operations up to the moment are: their number and the sum of their sequence
   * numbers, and which map holds them (a reset board starts a new one). New operations, all
   * after the moment, leave it as it is.
   */
  _fingerprint() {
    let count = 0;
    let sum = 0;
    for (const entry of this.board.entries.values()) {
      if (entry.seq <= this._at) {
        count++;
        sum += entry.seq;
      }
    }
    return `${count}:${sum}:${mapId(this.board.entries)}`;
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
