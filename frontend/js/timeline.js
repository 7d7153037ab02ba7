// @ts-check
// The board's timeline from GET /api/boards/{id}/history (docs/protocol.md, "History"): when each
// operation was made and by whom, decoded from its columns; how moments are named for people;
// and the pace of a timelapse. Fetched lazily and again once the board has moved past it.

/** @typedef {{user: string, name: string | null, color: string | null}} Person */

// A timelapse "as drawn" shortens every pause to this: nobody wants to watch a lunch break.
const LONGEST_PAUSE_MS = 1000;
// The speed that plays the whole board in this long, whatever its age.
export const WHOLE_BOARD_MS = 10_000;

export class Timeline {
  /**
   * @param {{head: number, start: string | null, people: Person[], kinds: string[],
   *   time: number[], author: number[], kind: number[]}} columns the endpoint's answer
   */
  constructor(columns) {
    this.head = columns.head;
    this.people = columns.people;
    this.kinds = columns.kinds;
    this.author = columns.author;
    this.kind = columns.kind;
    const start = columns.start ? Date.parse(columns.start) : 0;
    // Operation n (seq n + 1) was made at start + time[0] + ... + time[n].
    this.times = new Float64Array(columns.time.length);
    // The same clock with every pause shortened: a timelapse's schedule.
    this.paced = new Float64Array(columns.time.length);
    let time = start;
    let paced = 0;
    for (let n = 0; n < columns.time.length; n++) {
      time += columns.time[n];
      paced += Math.min(columns.time[n], LONGEST_PAUSE_MS);
      this.times[n] = time;
      this.paced[n] = paced;
    }
  }

  /** When operation ``seq`` was made (ms since the epoch) and by whom, if the timeline has it. @param {number} seq */
  at(seq) {
    const n = seq - 1;
    if (n < 0 || n >= this.times.length) return null;
    return { time: this.times[n], person: this.people[this.author[n]], kind: this.kinds[this.kind[n]] };
  }

  /**
   * A timelapse at ``speed`` (times as fast as drawn, pauses shortened; or "whole" for the whole
   * board in ``WHOLE_BOARD_MS``) up to ``head``: how long it lasts and which moment shows when.
   * Operations newer than the timeline follow its last one at once.
   * @param {number | "whole"} speed @param {number} head
   * @returns {{duration: number, seqAt: (elapsed: number) => number}}
   */
  timelapse(speed, head) {
    if (head < 1) return { duration: 0, seqAt: () => head };
    if (speed === "whole") {
      return { duration: WHOLE_BOARD_MS, seqAt: (elapsed) => clamp(Math.ceil((head * elapsed) / WHOLE_BOARD_MS), 1, head) };
    }
    const paced = this.paced;
    const known = Math.min(paced.length, head);
    const last = known ? paced[known - 1] - paced[0] : 0;
    return {
      duration: last / speed,
      seqAt: (elapsed) => {
        if (!known) return head;
        const wanted = paced[0] + elapsed * speed;
        // The newest operation made by then: a binary search of the paced clock.
        let low = 0;
        let high = known - 1;
        while (low < high) {
          const middle = (low + high + 1) >> 1;
          if (paced[middle] <= wanted) low = middle;
          else high = middle - 1;
        }
        return low === known - 1 ? head : low + 1;
      },
    };
  }
}

/** @param {number} value @param {number} low @param {number} high */
function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

/**
 * A moment as people say it: "Today 14:03", "Yesterday 09:12", "Mon 3 Nov 14:03", or with the
 * year when it is not this one. @param {number} time ms since the epoch @param {Date} now
 */
export function describeTime(time, now = new Date()) {
  const when = new Date(time);
  const clock = CLOCK.format(when);
  const day = (/** @type {Date} */ date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const days = Math.round((day(now) - day(when)) / 86_400_000);
  if (days === 0) return `Today ${clock}`;
  if (days === 1) return `Yesterday ${clock}`;
  const sameYear = when.getFullYear() === now.getFullYear();
  return `${(sameYear ? DAY : DAY_OF_YEAR).format(when)} ${clock}`;
}

// Made once: a formatter costs milliseconds to make, and the slider names a moment every frame.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
const DAY_OF_YEAR = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });

/** Someone as the timeline names them. @param {Person | undefined} person */
export function nameOf(person) {
  return person?.name ?? "someone";
}

/**
 * The board's timeline, fetched the first time it is wanted and again when the board has
 * operations it does not cover; one request at a time.
 */
export class TimelineFeed {
  /** @param {string} url @param {() => Record<string, string>} headers */
  constructor(url, headers) {
    this.url = url;
    this.headers = headers;
    /** @type {Timeline | null} */
    this.current = null;
    /** @type {Promise<Timeline> | null} */
    this.loading = null;
  }

  /** A timeline that covers ``seq`` if the server has it by now. @param {number} seq @returns {Promise<Timeline>} */
  async covering(seq) {
    // A request already under way may have left before ``seq`` was stored: then one more.
    for (let tries = 0; tries < 2; tries++) {
      if (this.current && this.current.head >= seq) break;
      this.loading ??= this._fetch().finally(() => (this.loading = null));
      await this.loading;
    }
    return /** @type {Timeline} */ (this.current);
  }

  async _fetch() {
    const response = await fetch(this.url, { headers: this.headers() });
    if (!response.ok) throw new Error(`history: ${response.status} ${response.statusText}`);
    this.current = new Timeline(await response.json());
    return this.current;
  }
}
