// @ts-check
// The only owner of the board's WebSocket and of the operations on their way: joins, resumes
// from the last sequence number after every drop, and keeps each operation (in memory and in the
// outbox, IndexedDB) until the server acknowledges it, sending it again after every reconnect and
// after a refusal worth retrying. The page hears what became of each: an ``ack`` message, or a
// ``refused`` one (instead of the ``error``) when the server will never take it.

import { decode, encode } from "@msgpack/msgpack";
import { joinMessage } from "./joining.js";
import { CLOSE_CODES, ERROR_CODES } from "./protocol.gen.js";

/** @typedef {"connecting" | "syncing" | "online" | "offline" | "closed"} ConnectionState */
/** @typedef {import("./joining.js").Identity} Identity */
/** @typedef {import("./joining.js").Held} Held */
/** @typedef {{id: string, [field: string]: any}} Operation */
/**
 * @typedef {object} Kept where operations wait on this device (outbox.js)
 * @property {(op: Operation) => Promise<void>} put resolves once the operation is kept
 * @property {(id: string) => Promise<void>} remove
 * @property {number} unkept how many are still being written
 */
/**
 * @typedef {object} Socket what the connection needs of a WebSocket
 * @property {number} readyState @property {BinaryType} binaryType
 * @property {(data: Uint8Array) => void} send @property {() => void} close
 * @property {((event: any) => void) | null} onopen @property {((event: any) => void) | null} onmessage
 * @property {((event: any) => void) | null} onclose
 */

const OPEN = 1; // WebSocket.OPEN
// Close codes after which reconnecting cannot help.
/** @type {Map<number, string>} */
const FINAL = new Map([
  [CLOSE_CODES.BOARD_NOT_FOUND, "not-found"],
  [CLOSE_CODES.BOARD_DELETED, "deleted"],
  [CLOSE_CODES.LINK_REQUIRED, "link-required"],
  [CLOSE_CODES.KICKED, "kicked"],
  [CLOSE_CODES.OUTDATED_CLIENT, "outdated"],
]);
// Refusals after which the operation is worth sending again later.
/** @type {Set<string>} */
const RETRYABLE = new Set([ERROR_CODES.STORAGE_UNAVAILABLE, ERROR_CODES.RATE_LIMITED]);
export const RETRY_DELAY_MS = 3000;
const MAX_BACKOFF_MS = 10_000;

export class Connection extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.url the board's socket URL
   * @param {() => Identity} options.identity who joins (read at every connect)
   * @param {() => Held | Promise<Held>} options.held the newest operation the page holds, which
   *   the server checks before it resumes from there; the socket opens while the page still
   *   finds out (reading its copy of the board), and the join waits for the answer
   * @param {Kept} options.outbox where operations are kept until acknowledged
   * @param {{socket: Socket, frames: ArrayBuffer[], joined: Held | null, taken: boolean} | null} [options.first]
   *   a socket to ``url`` opened before this page had loaded (first-socket.js), taken for the
   *   first connect while it is still connecting or open; if a join was sent on it already
   *   (opening.js), what arrived since is taken in first
   * @param {(url: string) => Socket} [options.openSocket] opens a socket (a WebSocket)
   */
  constructor({ url, identity, held, outbox, first = null, openSocket = (url) => new WebSocket(url) }) {
    super();
    this.url = url;
    this.identity = identity;
    this.held = held;
    this.outbox = outbox;
    this.first = first;
    this.openSocket = openSocket;
    /** @type {Map<string, Operation>} operations submitted and not yet acknowledged, in order */
    this.unacknowledged = new Map();
    /** @type {ConnectionState} */
    this.state = "connecting";
    /** @type {string | null} why the connection ended for good */
    this.endedBecause = null;
    /** @type {Socket | null} */
    this.socket = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    globalThis.addEventListener?.("online", () => this.state === "offline" && this.connectNow());
    // The device lost its network: the socket is as good as dead, so say so now rather than
    // after the next failed ping.
    globalThis.addEventListener?.("offline", () => this.socket?.close());
  }

  connect() {
    if (this.state === "closed") return;
    this._setState("connecting");
    const first = this.first;
    this.first = null;
    if (first) first.taken = true; // nothing more is sent on it from outside
    const usable = first && first.socket.readyState <= OPEN;
    if (first && !usable) first.socket.close();
    const socket = first && usable ? first.socket : this.openSocket(this.url);
    const early = first && usable ? first : null;
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    const receive = (/** @type {{data: ArrayBuffer}} */ event) => this._receive(new Uint8Array(event.data));
    const opened = async () => {
      this.attempt = 0;
      this._setState("syncing");
      const held = await this.held();
      if (this.socket !== socket) return; // closed meanwhile: the next socket joins
      // Joined already (with what the page holds, read from the same copy): what the server
      // said since then is taken in first, in order, and then what it says next.
      for (const frame of early?.frames.splice(0) ?? []) this._receive(new Uint8Array(frame));
      socket.onmessage = receive;
      if (!early?.joined) this._send(joinMessage(this.identity(), held));
    };
    // A socket opened early may be open already: its open event went by with nobody listening.
    if (socket.readyState === OPEN) opened();
    else socket.onopen = opened;
    if (!early) socket.onmessage = receive;
    socket.onclose = (event) => this._closed(event.code, event.reason);
  }

  connectNow() {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  }

  /** Join again under what ``identity`` now says (a new name, say): resumes as after a drop, at once. */
  rejoin() {
    const old = this.socket;
    // Not connected: the next join reads the identity anyway.
    if (!old || this.state !== "online") return;
    // The old socket's last messages are replayed on the new one: they are ignored from here.
    old.onmessage = null;
    old.onclose = null;
    old.close();
    this.socket = null;
    this.connectNow();
  }

  /** Keep an operation (here and on this device) and send it now, or after the next sync. @param {Operation} op */
  submit(op) {
    this.unacknowledged.set(op.id, op);
    // "Unsaved" (kept on this device) only once the outbox write has committed.
    this.outbox
      .put(op)
      .catch(() => {})
      .finally(() => this._outboxChanged());
    if (this.state === "online") this._send({ type: "op", op });
    this._outboxChanged();
  }

  /**
   * Operations an earlier page kept on this device and the server never acknowledged: sent
   * after the next sync like any other (they are kept already). @param {Iterable<Operation>} ops
   */
  restore(ops) {
    for (const op of ops) {
      this.unacknowledged.set(op.id, op);
      if (this.state === "online") this._send({ type: "op", op });
    }
    this._outboxChanged();
  }

  /** Live points, cursors and the like: only worth sending while connected. @param {object} message */
  sendEphemeral(message) {
    if (this.state === "online") this._send(message);
  }

  /** @param {object} message */
  sendControl(message) {
    if (this.state === "online") this._send(message);
  }

  /** How many operations wait for their acknowledgement. */
  get pending() {
    return this.unacknowledged.size;
  }

  /** How many of those are not yet safely on this device. */
  get unkept() {
    return this.outbox.unkept;
  }

  /** @param {object} message */
  _send(message) {
    // Points are already bytes (Uint8Array, sent as bin); the other numbers (widths, shape,
    // text and cursor positions, moves) need no more than float32, as the server sends them.
    this.socket?.send(encode(message, { forceFloat32: true, ignoreUndefined: true }));
  }

  /** @param {Uint8Array} data */
  _receive(data) {
    const messages = /** @type {any[]} */ (decode(data));
    for (const message of messages) {
      if (message.type === "ack") {
        this._settled(message.id);
      } else if (message.type === "error" && message.id) {
        if (RETRYABLE.has(message.code)) {
          this._retryLater(message.id);
          continue;
        }
        this._settled(message.id);
        this._emit("message", { type: "refused", id: message.id, code: message.code, reason: message.reason });
        continue;
      } else if (message.type === "synced") {
        this._setState("online");
        for (const op of this.unacknowledged.values()) this._send({ type: "op", op });
      }
      this._emit("message", message);
    }
  }

  /** The server has decided about operation ``id``: it waits no more. @param {string} id */
  _settled(id) {
    this.unacknowledged.delete(id);
    this.outbox.remove(id).catch(() => {});
    this._outboxChanged();
  }

  /** @param {string} id */
  _retryLater(id) {
    setTimeout(() => {
      const op = this.unacknowledged.get(id);
      if (op && this.state === "online") this._send({ type: "op", op });
    }, RETRY_DELAY_MS);
  }

  /** @param {number} code @param {string} reason */
  _closed(code, reason) {
    this.socket = null;
    const final = FINAL.get(code);
    if (final) {
      this.endedBecause = final;
      this._setState("closed");
      this._emit("ended", { code, reason, why: final });
      return;
    }
    this._setState("offline");
    // A client that fell behind has lost nothing: it resumes at once.
    const delay =
      code === CLOSE_CODES.FELL_BEHIND
        ? 0
        : Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  _outboxChanged() {
    this._emit("outbox", { pending: this.unacknowledged.size });
  }

  /** @param {ConnectionState} state */
  _setState(state) {
    this.state = state;
    this._emit("state", { state });
  }

  /** @param {string} type @param {object} detail */
  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
