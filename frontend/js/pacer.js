// @ts-check
// Ephemeral messages at a steady pace: a call within the interval is not dropped but sent once
// the interval is over, so the others always see where a gesture got to.

export class Pacer {
  /** @param {number} intervalMs @param {() => void} send */
  constructor(intervalMs, send) {
    this.intervalMs = intervalMs;
    this.send = send;
    // Never sent: the first request goes at once, however young the page's clock.
    this.lastSent = -Infinity;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.trailing = undefined;
  }

  /** Send now if the interval has passed since the last send, else once it has. */
  request() {
    const wait = this.lastSent + this.intervalMs - performance.now();
    if (wait > 0) {
      // Only what is left of the interval: a request late in it is not held a whole one more.
      this.trailing ??= setTimeout(() => {
        this.trailing = undefined;
        this.now();
      }, Math.ceil(wait)); // timers count whole milliseconds: never before the interval is over
      return;
    }
    this.now();
  }

  /** Send now, whatever the pace. */
  now() {
    this.lastSent = performance.now();
    this.send();
  }

  /** Forget a send still waiting for its turn. */
  cancel() {
    clearTimeout(this.trailing);
    this.trailing = undefined;
  }
}
