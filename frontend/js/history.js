// @ts-check
// The History panel: a timeline slider over the board's life that shows the board as it was at
// any moment (read-only, nothing sent, the live board going on underneath), who drew when,
// restoring a version, a timelapse and its video. The markup is in board.html. What shows the
// past (moments, their keyframes, the timelapse and its video) is loaded when the panel is first
// opened, so that opening a board waits for none of it.

import { download } from "./exporting.js";
import { newId } from "./ids.js";
import { describeTime, nameOf } from "./timeline.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./renderer.js").Renderer} Renderer */
/** @typedef {import("./timeline.js").Timeline} Timeline */
/** @typedef {import("./timeline.js").TimelineFeed} TimelineFeed */
/** @typedef {import("./moment.js").Moment} Moment */

/** The modules that show the past, loaded once, when first needed. */
const pastModules = () => Promise.all([import("./moment.js"), import("./keyframes.js")]);

// The timeline is asked for again, while the panel is open and the board grows, at most this often.
const REFRESH_MS = 2000;
const NO_COLOR = "#adb5bd";

/** @param {string} id */
function element(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

export class HistoryPanel {
  /**
   * @param {object} parts
   * @param {Board} parts.board @param {Renderer} parts.renderer @param {TimelineFeed} parts.feed
   * @param {(op: {kind: string, id: string, [field: string]: any}) => void} parts.submit the page's
   * @param {() => string | null} parts.restoreRefused why this person may not restore, if so
   * @param {() => string} parts.fileName the board's name for downloads
   * @param {(open: boolean) => void} parts.toggled the panel opened or closed
   */
  constructor({ board, renderer, feed, submit, restoreRefused, fileName, toggled }) {
    this.board = board;
    this.renderer = renderer;
    this.feed = feed;
    this.submit = submit;
    this.restoreRefused = restoreRefused;
    this.fileName = fileName;
    this.toggled = toggled;
    /** @type {Moment | null} what the board shows while the panel is open */
    this.moment = null;
    this.opening = false;
    /** @type {Timeline | null} */
    this.timeline = null;
    this.head = 0;
    this.refreshedAt = -Infinity;
    this.watching = 0;
    /** @type {{started: number} | null} a timelapse playing */
    this.playing = null;
    /** @type {AbortController | null} a video being recorded */
    this.recording = null;
    this.panel = element("history");
    this.banner = element("history-banner");
    this.slider = /** @type {HTMLInputElement} */ (element("history-slider"));
    this.ticks = /** @type {HTMLCanvasElement} */ (element("history-ticks"));
    this.when = element("history-when");
    this.restoreButton = /** @type {HTMLButtonElement} */ (element("history-restore"));
    this.refusal = element("history-restore-why");
    this.playButton = /** @type {HTMLButtonElement} */ (element("history-play"));
    this.speed = /** @type {HTMLSelectElement} */ (element("history-speed"));
    this.videoButton = /** @type {HTMLButtonElement} */ (element("history-video"));
    this.slider.addEventListener("input", () => {
      this.pause();
      this.seek(Number(this.slider.value));
    });
    this.restoreButton.addEventListener("click", () => this.restore());
    // Both need the timeline: without it (the server out of reach), nothing plays.
    const warn = (/** @type {unknown} */ error) => console.warn("history:", error);
    this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play().catch(warn)));
    this.videoButton.addEventListener("click", () =>
      this.recording ? this.recording.abort() : this.record().catch(warn),
    );
    element("history-close").addEventListener("click", () => this.close());
    addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.isOpen) this.close();
    });
  }

  get isOpen() {
    return this.moment !== null;
  }

  /** What the page shows: a moment of the history, or the board now. */
  get source() {
    return this.moment ?? this.board;
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  /** Opens once the modules that show the past have loaded (at once after the first time). */
  async open() {
    if (this.isOpen || this.opening) return;
    this.opening = true;
    const [{ Moment }, { Keyframes }] = await pastModules().finally(() => (this.opening = false));
    this.head = this.board.lastSeq;
    this.moment = new Moment(this.board, this.head);
    this.moment.keyframes = new Keyframes(this.moment, this.renderer);
    this.renderer.show(this.moment);
    this.panel.hidden = this.banner.hidden = false;
    this.slider.max = String(Math.max(1, this.head));
    this.slider.value = String(this.head);
    this.slider.focus();
    this.seek(this.head);
    this.accessChanged();
    this.toggled(true);
    this.refresh();
    this.watch();
  }

  close() {
    if (!this.moment) return;
    this.pause();
    this.recording?.abort();
    this.moment.keyframes?.clear();
    this.moment = null;
    cancelAnimationFrame(this.watching);
    this.panel.hidden = this.banner.hidden = true;
    this.renderer.spotlight = null;
    this.renderer.show(this.board);
    this.toggled(false);
  }

  /** Show the board as of ``seq``: evaluated once, at the renderer's next frame. @param {number} seq */
  seek(seq) {
    if (!this.moment) return;
    this.moment.at = seq;
    this.renderer.show(this.moment);
    this.describe();
  }

  /** The time and the person under the thumb, the banner, and whether restoring makes sense. */
  describe() {
    const seq = this.moment?.at ?? 0;
    this.when.textContent = this.caption(seq);
    element("history-banner-when").textContent = this.whenOf(seq);
    this.accessChanged();
  }

  /** "Today 14:03 · Alice": when operation ``seq`` was made and by whom. @param {number} seq */
  caption(seq) {
    const made = this.timeline?.at(seq);
    return made ? `${describeTime(made.time)} · ${nameOf(made.person)}` : this.whenOf(seq);
  }

  /** When operation ``seq`` was made, as people say it. @param {number} seq */
  whenOf(seq) {
    const made = this.timeline?.at(seq);
    return made ? describeTime(made.time) : seq ? `operation ${seq}` : "the start";
  }

  /** The role or the lock changed, or the moment did: may this person restore it? */
  accessChanged() {
    if (!this.moment) return;
    const refused = this.restoreRefused();
    const now = this.moment.at >= this.board.lastSeq;
    this.restoreButton.disabled = !!refused || now || this.moment.at < 1;
    const why = refused ?? (now ? "This is the board as it is now." : "");
    this.restoreButton.title = why || "Make the board look like this again, for everyone (you can undo it)";
    this.refusal.textContent = refused ?? "";
  }

  restore() {
    const at = this.moment?.at;
    if (!at || this.restoreButton.disabled) return;
    const when = this.whenOf(at);
    if (!confirm(`Restore the board to how it was at ${when}? Everyone will see it; you can undo it.`)) return;
    this.submit({ kind: "restore", id: newId(), at });
    this.close();
  }

  /** Play the history from the start at the chosen speed, moving the slider. */
  async play() {
    const head = this.board.lastSeq;
    const schedule = await this.schedule(head);
    if (!this.moment || !schedule) return;
    this.slider.value = "1";
    this.seek(1); // from the start, whenever the first frame comes
    this.playing = { started: performance.now() };
    this.playButton.textContent = "⏸";
    this.playButton.title = "Pause the timelapse";
    const playing = this.playing;
    const step = () => {
      if (this.playing !== playing) return;
      const elapsed = performance.now() - playing.started;
      const seq = elapsed >= schedule.duration ? head : schedule.seqAt(elapsed);
      this.slider.value = String(seq);
      if (seq !== this.moment?.at) this.seek(seq);
      if (elapsed >= schedule.duration) this.pause();
      else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  pause() {
    this.playing = null;
    this.playButton.textContent = "▶";
    this.playButton.title = "Play the history from the start (timelapse)";
  }

  /** Record the timelapse at the chosen speed and download it as a WebM video. */
  async record() {
    const head = this.board.lastSeq;
    const schedule = await this.schedule(head);
    if (!schedule) return;
    const recording = new AbortController();
    this.recording = recording;
    const label = this.videoButton.textContent;
    try {
      const { recordTimelapse } = await import("./timelapse.js");
      const video = await recordTimelapse(this.board, schedule, head, {
        signal: recording.signal,
        progress: (fraction) => (this.videoButton.textContent = `Recording… ${Math.round(fraction * 100)}% (stop)`),
        caption: (seq) => this.caption(seq),
        pictures: this.renderer.pictures ?? undefined,
      });
      download(video, `${this.fileName()}-timelapse.webm`);
    } finally {
      this.recording = null;
      this.videoButton.textContent = label;
    }
  }

  /** The timelapse at the chosen speed up to ``head``. @param {number} head */
  async schedule(head) {
    const timeline = await this.feed.covering(head);
    const speed = this.speed.value === "whole" ? "whole" : Number(this.speed.value);
    return timeline.timelapse(speed, head);
  }

  /** Fetch the timeline again (it covers less than the board), then draw what depends on it. */
  async refresh() {
    this.refreshedAt = performance.now();
    try {
      this.timeline = await this.feed.covering(this.board.lastSeq);
    } catch (error) {
      console.warn(error);
      return;
    }
    if (!this.moment) return;
    this.describe();
    this.drawTicks();
    this.listPeople();
  }

  /** While open: the end of the timeline follows the board as others change it. */
  watch() {
    this.watching = requestAnimationFrame(() => {
      if (!this.moment) return;
      this.moment.keyframes?.step();
      if (this.board.lastSeq !== this.head) {
        this.head = this.board.lastSeq;
        this.slider.max = String(Math.max(1, this.head));
        this.accessChanged();
        this.drawTicks();
        if ((this.timeline?.head ?? 0) < this.head && performance.now() - this.refreshedAt > REFRESH_MS) this.refresh();
      }
      this.watch();
    });
  }

  /** A tick per operation along the slider, in its author's color (the newest wins a pixel). */
  drawTicks() {
    const canvas = this.ticks;
    const ratio = devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    context.clearRect(0, 0, width, height);
    const timeline = this.timeline;
    if (!timeline || this.head < 1) return;
    // Operation n takes its share of the width (at least a tick's), and the newest wins a pixel.
    const tick = Math.max(Math.round(2 * ratio), width / this.head);
    /** @type {(number | undefined)[]} author index per pixel column */
    const columns = new Array(width);
    const known = Math.min(timeline.author.length, this.head);
    for (let n = 0; n < known; n++) {
      const left = Math.min(width - tick, Math.floor((n / this.head) * width));
      for (let x = Math.max(0, left); x < left + tick; x++) columns[x] = timeline.author[n];
    }
    for (let x = 0; x < width; x++) {
      const author = columns[x];
      if (author === undefined) continue;
      context.fillStyle = timeline.people[author]?.color ?? NO_COLOR;
      context.fillRect(x, 0, 1, height);
    }
  }

  /** The people who drew, by name and color: clicking one makes their work stand out. */
  listPeople() {
    const people = this.timeline?.people ?? [];
    element("history-people").replaceChildren(
      ...people.map((person) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.title = `Show what ${nameOf(person)} drew, the rest faded`;
        button.setAttribute("aria-pressed", String(this.renderer.spotlight === person.user));
        const dot = document.createElement("span");
        dot.className = "dot";
        dot.style.setProperty("--color", person.color ?? NO_COLOR);
        const name = document.createElement("bdi");
        name.textContent = nameOf(person);
        button.append(dot, name);
        button.addEventListener("click", () => {
          this.renderer.spotlight = this.renderer.spotlight === person.user ? null : person.user;
          this.renderer.invalidate();
          this.listPeople();
        });
        item.append(button);
        return item;
      }),
    );
  }
}
