// @ts-check
// What the server says, taken in: messages that change the board are handled one at a time, in
// order (a welcome may first load this browser's copy or a snapshot, and what follows waits for
// that); the rest (people, cursors, live ink and other ephemeral traffic) is shown at once. Also
// what the page holds before its first join: the operations kept unsent on this device, and its
// copy of the board.

import { discardLoader, loadSnapshot } from "./snapshots.js";
import { ERROR_CODES } from "./protocol.gen.js";
import { keepColor } from "./identity.js";
import { toast } from "./toast.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./connection.js").Connection} Connection */
/** @typedef {import("./board-cache.js").BoardCache} BoardCache */
/** @typedef {import("./snapshots.js").SnapshotInfo} SnapshotInfo */

const IMMEDIATE = new Set(["presence", "live", "typing", "transforming", "drafting", "laser", "follow", "viewport", "cursor", "board"]);

export class Dispatcher {
  /**
   * @param {object} parts
   * @param {string} parts.boardId @param {{user: string, name: string, color: string}} parts.me
   * @param {Board} parts.board @param {Connection} parts.connection
   * @param {BoardCache} parts.cache this browser's copy of the board
   * @param {Promise<[any[], import("./board-cache.js").Copy | null]>} parts.reading what opening.js
   *   started reading: the operations kept unsent, and the copy
   * @param {import("./renderer.js").Renderer} parts.renderer
   * @param {import("./ephemeral.js").Ephemeral} parts.ephemeral
   * @param {import("./people.js").People} parts.people
   * @param {import("./follow.js").Follow} parts.follow
   * @param {import("./access.js").Access} parts.access
   * @param {import("./title.js").BoardTitle} parts.title
   * @param {import("./viewport.js").Viewport} parts.viewport
   * @param {() => Record<string, string>} parts.headers the board's link
   */
  constructor(parts) {
    this.parts = parts;
    /** @type {any[]} */
    this.inbox = [];
    this.pumping = false;
    this.rejoinWanted = false;
    /** Settles once the page knows what it holds: its unsent operations and its copy's newest one. */
    this.holding = Promise.resolve();
    /** Settles once this browser's copy of the board (if any) is loaded. */
    this.copyLoaded = Promise.resolve();
    this.repairs = 0;
    /** This connection's peer id, from its welcome. @type {number | undefined} */
    this.ownPeer = undefined;
    parts.connection.addEventListener("message", (event) => {
      const message = /** @type {CustomEvent} */ (event).detail;
      if (message.type === "welcome") this.ownPeer = message.peer;
      // The room's frames carry everyone's live ink, cursors and gestures, this page's own
      // among them (one frame for all is what keeps a crowded room cheap): those are skipped.
      else if (typeof message.peer === "number" && message.peer === this.ownPeer) return;
      if (IMMEDIATE.has(message.type)) return this.handle(message);
      this.inbox.push(message);
      this.pump();
    });
  }

  /**
   * Show what this browser drew and could not yet send, and start loading its copy of the board
   * (read since opening.js ran): the join waits only for the copy's newest operation, so that
   * only what is newer comes back.
   */
  start() {
    this.holding = this._readHeld();
  }

  /** What the join names as held: waits for the copy's newest operation to be known. */
  async held() {
    await this.holding;
    const { board } = this.parts;
    return { lastSeq: board.lastSeq, lastOp: board.lastOp };
  }

  /** A new name reaches the others by joining again, once this page has taken in what its join brought. */
  joinUnderNewName() {
    const { connection } = this.parts;
    // Not connected: the next join carries the new name anyway.
    if (connection.state !== "syncing" && connection.state !== "online") return;
    this.rejoinWanted = true;
    this.pump();
  }

  async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inbox.length) {
        const message = this.inbox.shift();
        if (message.type === "welcome") await this._welcomed(message);
        else this.handle(message);
      }
    } finally {
      this.pumping = false;
    }
    if (this.rejoinWanted && this.parts.connection.state === "online") {
      this.rejoinWanted = false;
      this.parts.connection.rejoin();
    }
  }

  /** @param {any} message */
  handle(message) {
    const { board, cache, renderer, ephemeral, people, me } = this.parts;
    switch (message.type) {
      case "committed":
        if (board.applyCommitted(message.seq, message.author, message.op)) {
          cache.record(message.seq, message.author, message.op);
          ephemeral.committed(message.op.id);
          renderer.invalidate();
        }
        break;
      case "ack": {
        const own = board.entries.get(message.id);
        board.acknowledge(message.id, message.seq);
        if (own) cache.record(message.seq, me.user, own.op);
        renderer.invalidate(); // the board's version moved: the renderer catches up
        break;
      }
      case "refused":
        // The server will never take it: it goes from the board here too.
        board.drop(message.id);
        renderer.invalidate();
        if (message.code === ERROR_CODES.READ_ONLY) toast("This board is read-only for you.");
        if (message.code === ERROR_CODES.UNKNOWN_IMAGE) toast("The image was not placed: the board does not hold it.");
        break;
      case "error":
        if (message.code === ERROR_CODES.READ_ONLY) toast("This board is read-only for you.");
        break;
      case "check":
        // The server's hash of the board after ``seq``: a page whose copy differs loads it again.
        if (board.lastSeq >= message.seq && board.stateHash(message.seq) !== message.hash) this._repair(message.seq);
        break;
      case "presence":
        if (message.event === "joined") people.joined(message.peer);
        else {
          people.left(message.peer.peer);
          ephemeral.left(message.peer.peer);
          this.parts.follow.left(message.peer.peer);
        }
        break;
      case "live":
        ephemeral.ink(message);
        break;
      case "typing":
        ephemeral.typing(message);
        break;
      case "transforming":
        ephemeral.transforming(message);
        break;
      case "drafting":
        ephemeral.drafting(message);
        break;
      case "laser":
        ephemeral.laser(message);
        break;
      case "follow":
      case "viewport":
        this.parts.follow.heard(message);
        break;
      case "cursor": {
        const person = people.get(message.peer);
        if (person) ephemeral.cursor(message, person);
        break;
      }
      case "board":
        this.parts.title.show(message.title);
        this.parts.access.update({ locked: message.locked });
        break;
    }
  }

  /** Join the board's state with what the server is about to send. @param {any} message */
  async _welcomed(message) {
    const { board, cache, renderer, people, access, title, me } = this.parts;
    await this.copyLoaded;
    title.show(message.title);
    this.parts.follow.welcome(message.peer);
    if (message.color && message.color !== me.color) {
      // Someone on the board has this person's color: the others see them in the one given.
      me.color = message.color;
      keepColor(message.color);
    }
    people.welcome(message.peers, { peer: message.peer, user: me.user, name: me.name, color: me.color });
    access.update({ role: message.role, locked: message.locked, protected: message.protected });
    if (!message.snapshot) discardLoader(); // nothing to load in the background after all
    if (message.snapshot) {
      await this._loadFromSnapshot(message.snapshot);
    } else if (message.resume > board.lastSeq) {
      // The join named a copy this page could not load after all: join again from nothing.
      this._joinAgain();
      return;
    } else if (message.resume < board.lastSeq || (message.resume === 0 && board.lastSeq > 0)) {
      // What this page holds is not this board's history as the server has it: start again.
      board.reset();
      await cache.drop();
      cache.start(null);
    } else if (message.resume === 0) {
      cache.start(null);
    }
    renderer.invalidate();
  }

  /** @param {SnapshotInfo} snapshot */
  async _loadFromSnapshot(snapshot) {
    const { board, cache, renderer, viewport, boardId, headers } = this.parts;
    board.reset();
    const screen = viewport.placeFor(snapshot);
    /** @type {string | null} */
    let lastOp = null;
    renderer.arriving = true;
    try {
      await loadSnapshot({ board: boardId, snapshot, screen, headers: headers() }, (entries) => {
        board.load(entries);
        for (const [seq, , op] of entries) if (seq === snapshot.seq) lastOp = op.id;
        renderer.invalidate();
      });
    } catch (error) {
      // A snapshot replaced since the welcome, say: join again, and get the newest.
      console.warn("snapshot not loaded:", error);
      board.reset();
      await cache.drop();
      this._joinAgain();
      return;
    } finally {
      renderer.arriving = false;
    }
    board.loaded(snapshot.seq, lastOp);
    cache.start(snapshot);
    cache.started(lastOp);
  }

  /** This page's board differs from the server's: load it again, without reloading the page. @param {number} seq */
  _repair(seq) {
    const { board, cache, renderer, connection } = this.parts;
    this.repairs++;
    connection.sendControl({ type: "desync", seq });
    board.reset();
    cache.drop();
    renderer.invalidate();
    this._joinAgain(); // the join after it asks for everything
  }

  /** Drop what the socket still brings and join again (the connection reconnects at once). */
  _joinAgain() {
    this.inbox.length = 0;
    this.parts.connection.socket?.close();
  }

  async _readHeld() {
    const { board, connection, me, reading } = this.parts;
    const [saved, copy] = await reading;
    for (const op of saved) board.applyLocal(me.user, op);
    connection.restore(saved);
    if (copy) {
      board.loaded(copy.lastSeq, copy.lastOp); // what the join names; the entries follow
      this.copyLoaded = this._loadCopy(copy);
    }
  }

  /** @param {import("./board-cache.js").Copy} copy */
  async _loadCopy(copy) {
    const { board, cache, renderer, viewport, boardId, headers } = this.parts;
    const { lastSeq, lastOp } = copy;
    renderer.arriving = true;
    try {
      if (copy.snapshot) {
        const screen = viewport.placeFor(copy.snapshot);
        await loadSnapshot({ board: boardId, snapshot: copy.snapshot, screen, headers: headers() }, (entries) => {
          board.load(entries);
          renderer.invalidate();
        });
      }
      board.load(copy.tail);
      board.loaded(lastSeq, lastOp);
    } catch (error) {
      console.warn("this browser's copy of the board is unusable:", error);
      board.reset();
      await cache.drop();
    } finally {
      renderer.arriving = false;
    }
  }
}
