// @ts-check
// The board's images, decoded once each and kept by hash for every canvas of the page (the board,
// its exports, the history view). Fetched from the server with the board's authorization (a
// private board's link goes in a header, which an <img> could not send), so a picture is never
// put in the page by its URL; the browser's HTTP cache keeps the files (they are immutable).

// A picture that could not be fetched (offline, a server restart) is asked for again after this.
const RETRY_MS = 5_000;

/**
 * @typedef {object} Known
 * @property {CanvasImageSource | null} image decoded, once it is
 * @property {Promise<void>} settled when the fetch ended, either way
 * @property {number} failedAt when it last failed (0: it did not), to ask again later
 * @property {boolean} missing the board holds no such image (404): never asked again
 */

export class Pictures extends EventTarget {
  /**
   * @param {(hash: string) => Promise<Response>} fetchFile the board's image file of that hash
   * @param {(blob: Blob) => Promise<CanvasImageSource>} decode
   */
  constructor(fetchFile, decode = (blob) => createImageBitmap(blob)) {
    super();
    this.fetchFile = fetchFile;
    this.decode = decode;
    /** @type {Map<string, Known>} */
    this.known = new Map();
    // Bumped whenever a picture arrives: what was drawn without it is out of date.
    this.version = 0;
  }

  /**
   * The decoded picture, or null while it is on its way (asking starts the fetch).
   * @param {string} hash @returns {CanvasImageSource | null}
   */
  get(hash) {
    const known = this.known.get(hash);
    if (known?.image) return known.image;
    if (!known || (known.failedAt && !known.missing && performance.now() - known.failedAt > RETRY_MS)) {
      this._fetch(hash);
    }
    return null;
  }

  /**
   * A picture this page already holds (the file it is adding), known at once by its hash.
   * @param {string} hash @param {CanvasImageSource} image
   */
  put(hash, image) {
    if (this.known.get(hash)?.image) return;
    this.known.set(hash, { image, settled: Promise.resolve(), failedAt: 0, missing: false });
    this._arrived();
  }

  /**
   * Settles once each of these pictures is decoded or could not be (exports wait for it).
   * @param {Iterable<string>} hashes
   */
  async ready(hashes) {
    const waits = [];
    for (const hash of hashes) {
      this.get(hash);
      const known = this.known.get(hash);
      if (known) waits.push(known.settled);
    }
    await Promise.all(waits);
  }

  /** @param {string} hash */
  _fetch(hash) {
    /** @type {Known} */
    const known = { image: null, settled: Promise.resolve(), failedAt: 0, missing: false };
    this.known.set(hash, known);
    known.settled = (async () => {
      try {
        const response = await this.fetchFile(hash);
        if (response.status === 404) known.missing = true;
        if (!response.ok) throw new Error(`image ${hash}: ${response.status}`);
        known.image = await this.decode(await response.blob());
        this._arrived();
      } catch {
        known.failedAt = performance.now();
      }
    })();
  }

  _arrived() {
    this.version++;
    this.dispatchEvent(new Event("change"));
  }
}
