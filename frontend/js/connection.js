// @ts-check
// The only owner of the board's WebSocket: joins, resumes from the last sequence number after
// every drop, and keeps each operation in the outbox until the server acknowledges it.

import { decode, encode } from "../vendor/msgpack/index.mjs";
import { CLOSE_CODES, ERROR_CODES, LIMITS } from "./protocol.gen.js";

/** @typedef {"connecting" | "syncing" | "online" | "offline" | "closed"} ConnectionState */
/** @typedef {{user: string, name: string, color: string, token?: string}} Identity */
/** @typedef {{lastSeq: number, lastOp: string | null}} Held */

// Close codes after which reconnecting cannot help.
const FINAL = new Map([
  [CLOSE_CODES.BOARD_NOT_FOUND, "not-found"],
  [CLOSE_CODES.BOARD_DELETED, "deleted"],
  [CLOSE_CODES.LINK_REQUIRED, "link-required"],
  [CLOSE_CODES.KICKED, "kicked"],
  [CLOSE_CODES.OUTDATED_CLIENT, "outdated"],
]);
// Refusals after which the operation is worth sending again later.
const RETRYABLE = new Set([ERROR_CODES.STORAGE_UNAVAILABLE, ERROR_CODES.RATE_LIMITED]);
const RETRY_DELAY_MS = 3000;
const MAX_BACKOFF_MS = 10_000;

export class Connection extends EventTarget {
  /**
   * @param {string} url the board's socket URL
   * @param {() => Identity} identity who joins (read at every connect)
   * @param {() => Held | Promise<Held>} held the newest operation the page holds, which the
   *   server checks before it resumes from there; the socket opens while the page still finds
   *   out (reading its copy of the board), and the join waits for the answer
   * @param {WebSocket | null} [first] a socket to ``url`` opened before this page had loaded
   *   (opening.js), taken for the first connect while it is still connecting or open
   */
  constructor(url, identity, held, first = null) {
    super();
    this.url = url;
    this.identity = identity;
    this.held = held;
    this.first = first;
    /** @type {Map<string, object>} operations sent and not yet acknowledged, in order */
    this.outbox = new Map();
    /** @type {ConnectionState} */
    this.state = "connecting";
    /** @type {string | null} why the connection ended for good */
    this.endedBecause = null;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    addEventListener("online", () => this.state === "offline" && this.connectNow());
    // The device lost its network: the socket is as good as dead, so say so now rather than
    // after the next failed ping.
    addEventListener("offline", () => this.socket?.close());
  }

  connect() {
    if (this.state === "closed") return;
    this._setState("connecting");
    const first = this.first;
    this.first = null;
    const usable = first && first.readyState <= WebSocket.OPEN;
    if (first && !usable) first.close();
    const socket = usable ? first : new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    const opened = async () => {
      this.attempt = 0;
      this._setState("syncing");
      const { lastSeq, lastOp } = await this.held();
      if (this.socket !== socket) return; // closed meanwhile: the next socket joins
      const { user, name, color, token } = this.identity();
      // ``snapshot``: this page can load a big board's snapshot over HTTP; ``point_format``: the
      // points encoding it speaks.
      const point_format = LIMITS.POINT_FORMAT;
      const join = { type: "join", user, name, color, last_seq: lastSeq, snapshot: true, point_format };
      this._send({ ...join, ...(lastOp && lastSeq ? { last_op: lastOp } : {}), ...(token ? { token } : {}) });
    };
    // A socket opened early may be open already: its open event went by with nobody listening.
    if (socket.readyState === WebSocket.OPEN) opened();
    else socket.onopen = opened;
    socket.onmessage = (event) => this._receive(new Uint8Array(event.data));
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

  /** Send an operation now (or after the next sync) and keep it until it is acknowledged. */
  submit(/** @type {{id: string}} */ op) {
    this.outbox.set(op.id, op);
    if (this.state === "online") this._send({ type: "op", op });
    this._emit("outbox", { pending: this.outbox.size });
  }

  /** Live points and cursors: only worth sending while connected. */
  sendEphemeral(/** @type {object} */ message) {
    if (this.state === "online") this._send(message);
  }

  sendControl(/** @type {object} */ message) {
    if (this.state === "online") this._send(message);
  }

  get pending() {
    return this.outbox.size;
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
        this.outbox.delete(message.id);
        this._emit("outbox", { pending: this.outbox.size });
      } else if (message.type === "error" && message.id) {
        this._refused(message);
      } else if (message.type === "synced") {
        this._setState("online");
        for (const op of this.outbox.values()) this._send({ type: "op", op });
      }
      this._emit("message", message);
    }
  }

  /** @param {{id: string, code: string}} error */
  _refused(error) {
    if (!RETRYABLE.has(error.code)) {
      this.outbox.delete(error.id);
      this._emit("outbox", { pending: this.outbox.size });
      return;
    }
    setTimeout(() => {
      const op = this.outbox.get(error.id);
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
