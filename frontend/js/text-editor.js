// @ts-check
// Typing a text on the board, a new one or an existing one in place: a text field over the board
// at the text's place, in its size and color. Escape, Enter or clicking away keep what was typed
// (Shift+Enter starts a new line); a new text left empty is not stored, and emptying an existing
// one erases it. The field's keys are its own: none reaches the board's shortcuts, and Ctrl+Z in
// it undoes typing. The others see the text as it is typed (``typing`` messages, ephemeral like
// live ink) until the one operation that ends it (a ``text``, an ``edit`` or an ``erase`` with the
// same id) takes its place.

import { applyMatrix } from "./board.js";
import { hits } from "./geometry.js";
import { newId } from "./ids.js";
import { Pacer } from "./pacer.js";
import { LIMITS } from "./protocol.gen.js";

/** @typedef {import("./tools/context.js").ToolContext} ToolContext */
/** @typedef {import("./board.js").Placed} Placed */
/**
 * @typedef {object} Session a text being typed
 * @property {string} id the id of the operation that will end it
 * @property {string | null} object the text being edited, or null for a new one
 * @property {string} original its words when the editing started
 * @property {number} x @property {number} y @property {number} size @property {string} color
 * @property {HTMLTextAreaElement} area
 */

// Typing goes out at most this often; a field left open is announced again now and then, so that
// the others do not take it for abandoned (they forget live traffic after 10 s without news).
const SEND_INTERVAL_MS = 50;
const KEEPALIVE_MS = 4_000;
// What the text typed here is shown as (ephemeral.js): nothing is drawn (the field shows the
// words), but the text being edited is hidden meanwhile.
const OWN = "text";
const TOLERANCE_PX = 6;
// What the protocol refuses in a text (server/protocol.py's TEXT_PATTERN); a paste may hold it.
const NOT_TEXT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]/g;

export class TextEditor {
  /** @param {ToolContext} context @param {HTMLElement} host where the field floats */
  constructor(context, host) {
    this.context = context;
    this.host = host;
    /** @type {Session | null} */
    this.session = null;
    // Tells the others what the field holds now, at most every SEND_INTERVAL_MS.
    this.pacer = new Pacer(SEND_INTERVAL_MS, () => this._send());
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.keepalive = undefined;
    // A click on the board outside the field ends the editing before any tool sees the click.
    this.endedByClick = false;
    host.addEventListener(
      "pointerdown",
      (event) => {
        if (!this.session || event.target === this.session.area) return;
        this.finish();
        this.endedByClick = true;
        setTimeout(() => (this.endedByClick = false), 0);
      },
      { capture: true },
    );
  }

  get open() {
    return this.session !== null;
  }

  /**
   * Double-clicking a text edits it, while ``allowed`` says so (the select or text tool, a person
   * who may draw). @param {HTMLElement} surface @param {() => boolean} allowed
   */
  editOnDoubleClick(surface, allowed) {
    surface.addEventListener("dblclick", (event) => {
      if (!allowed()) return;
      const rect = surface.getBoundingClientRect();
      const p = this.context.view.toBoard(event.clientX - rect.left, event.clientY - rect.top);
      const hit = textAt(this.context, p);
      if (hit) this.edit(hit);
    });
  }

  /**
   * A new text at a board point, in the current style.
   * @param {{x: number, y: number}} p @param {boolean} pressed opened by a press still going on
   */
  start(p, pressed = false) {
    const style = this.context.style();
    const size = Math.min(LIMITS.MAX_TEXT_SIZE, Math.max(LIMITS.MIN_TEXT_SIZE, style.textSize));
    this._open({ id: newId(), object: null, original: "", x: p.x, y: p.y, size, color: style.color }, pressed);
  }

  /** Edit a text where it is. @param {Placed} item a visible text @param {boolean} pressed as for ``start`` */
  edit(item, pressed = false) {
    const { op, m } = item;
    this.context.ephemeral.select([]);
    // A turned or scaled text is edited upright where its corner is, at the size it shows.
    const corner = m ? applyMatrix(m, op.x, op.y) : { x: op.x + item.dx, y: op.y + item.dy };
    const scale = m ? Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2])) : 1;
    const size = Math.min(LIMITS.MAX_TEXT_SIZE, Math.max(LIMITS.MIN_TEXT_SIZE, op.size * scale));
    this._open({
      id: newId(),
      object: item.id,
      original: op.text,
      x: corner.x,
      y: corner.y,
      size,
      color: op.color,
    }, pressed);
  }

  /** Keep what was typed: one operation, or none when nothing changed. */
  finish() {
    const session = this._close();
    if (!session) return;
    const text = clean(session.area.value).replace(/\s+$/, "");
    const { id, object, x, y, size, color } = session;
    if (object === null) {
      if (text.trim()) this.context.submit({ kind: "text", id, x, y, text, size, color });
      else this._ended(session);
    } else if (!text.trim()) {
      this.context.submit({ kind: "erase", id, targets: [object] });
    } else if (text !== session.original) {
      this.context.submit({ kind: "edit", id, object, text });
    } else {
      this._ended(session);
    }
  }

  /** Drop the field without storing anything (the board is leaving editing, for history). */
  cancel() {
    const session = this._close();
    if (session) this._ended(session);
  }

  /** @param {Omit<Session, "area">} fields @param {boolean} pressed */
  _open(fields, pressed) {
    this.finish();
    const { view, ephemeral } = this.context;
    const screen = view.toScreen(fields.x, fields.y);
    const area = document.createElement("textarea");
    area.className = "text-editor";
    area.maxLength = LIMITS.MAX_TEXT_CHARS;
    area.value = fields.original;
    area.style.left = `${screen.x}px`;
    area.style.top = `${screen.y}px`;
    area.style.fontSize = `${fields.size * view.scale}px`;
    area.style.color = fields.color;
    area.setAttribute("aria-label", fields.object ? "Edit text" : "New text");
    const session = { ...fields, area };
    area.addEventListener("keydown", (event) => {
      // Every key typed here is the field's: the board's shortcuts listen on the window.
      event.stopPropagation();
      if (event.isComposing) return;
      if (event.key === "Escape" || (event.key === "Enter" && !event.shiftKey)) {
        event.preventDefault();
        this.finish();
      }
    });
    area.addEventListener("input", () => this.pacer.request());
    // The press that opened the field may move the focus to the page as it ends: until it is over,
    // losing the focus puts it back rather than ending the text (else the next keys would reach
    // the board's shortcuts).
    let settling = pressed;
    if (pressed) {
      const settled = () => {
        removeEventListener("pointerup", settled, true);
        removeEventListener("pointercancel", settled, true);
        setTimeout(() => {
          settling = false;
          if (this.session === session) area.focus();
        }, 0);
      };
      addEventListener("pointerup", settled, true);
      addEventListener("pointercancel", settled, true);
    }
    area.addEventListener("blur", () => {
      if (this.session !== session) return;
      if (settling) setTimeout(() => this.session === session && area.focus(), 0);
      else this.finish();
    });
    this.host.append(area);
    this.session = session;
    ephemeral.showOwn(OWN, this._live(session));
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
    this.pacer.now();
    this.keepalive = setInterval(() => this.pacer.now(), KEEPALIVE_MS);
  }

  /** @returns {Session | null} the session that was open */
  _close() {
    const session = this.session;
    if (!session) return null;
    this.session = null; // first: removing the field blurs it
    this.pacer.cancel();
    clearInterval(this.keepalive);
    this.keepalive = undefined;
    session.area.remove();
    this.context.ephemeral.endOwn(OWN);
    return session;
  }

  /** Tell the others what the field holds now. */
  _send() {
    const session = this.session;
    if (!session) return;
    this.context.ephemeral.touchOwn(OWN);
    this.context.connection.sendEphemeral(typingMessage(session, session.area.value, false));
  }

  /** The others stop showing a text that ends with nothing to store. @param {Session} session */
  _ended(session) {
    this.context.connection.sendEphemeral(typingMessage(session, "", true));
  }

  /** @param {Session} session */
  _live(session) {
    const { object, x, y, size, color } = session;
    return { tool: "text", own: true, object, kind: "text", x, y, size, color, text: "", points: [], width: 1 };
  }
}

/** @param {Session} session @param {string} text @param {boolean} ended */
function typingMessage(session, text, ended) {
  const { id, object, x, y, size, color } = session;
  return {
    type: "typing",
    id,
    ...(object ? { object } : {}),
    x,
    y,
    size,
    color,
    text: clean(text),
    ...(ended ? { ended } : {}),
  };
}

/** @param {string} text */
function clean(text) {
  return text.replace(NOT_TEXT, "").slice(0, LIMITS.MAX_TEXT_CHARS);
}

/**
 * The topmost visible text at a board point, if any.
 * @param {ToolContext} context @param {{x: number, y: number}} p @returns {Placed | null}
 */
export function textAt(context, p) {
  const tolerance = TOLERANCE_PX / context.view.scale;
  const items = context.renderer.objectsNear(p.x, p.y, tolerance);
  for (let i = items.length - 1; i >= 0; i--) {
    if (items[i].op.kind === "text" && hits(items[i], p.x, p.y, tolerance)) return items[i];
  }
  return null;
}
