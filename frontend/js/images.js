// @ts-check
// Adding images to the board. A file pasted, dropped or picked shows at once where it lands (from
// this browser's own decoding of it), goes to the server, which keeps a copy of its own made from
// the picture's pixels (docs/protocol.md, "Images"), and is then placed by an ``image`` operation
// that names that copy's hash, which everyone else sees. No DOM but what is passed in.

import { newId } from "./ids.js";

/** @typedef {import("./pictures.js").Pictures} Pictures */
/**
 * @typedef {{id: string, kind: "image", hash: string, x: number, y: number, w: number, h: number,
 *   picture: CanvasImageSource}} Arriving an image on its way: shown here, not yet an operation
 */
/** @typedef {{x: number, y: number}} Point */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Area */

export const IMAGE_TYPES = Object.freeze(["image/png", "image/jpeg", "image/webp", "image/gif"]);
// A new image covers at most this share of the screen; smaller ones keep their size in pixels.
const SCREEN_SHARE = 0.6;
// Several files at once are laid out side by side, this far apart (a share of the first's width).
const GAP_SHARE = 0.05;
// At most this many files of one paste, drop or pick are added.
export const MAX_FILES = 20;

/**
 * The files of a paste or a drop that may be images (a type the browser does not know is the
 * server's to judge). @param {DataTransfer | null} data @returns {File[]}
 */
export function imageFiles(data) {
  if (!data) return [];
  /** @type {File[]} */
  const files = [...(data.files ?? [])];
  // A pasted picture (a screenshot, an image copied in another page) may come as an item only.
  if (!files.length) {
    for (const item of data.items ?? []) {
      const file = item.kind === "file" ? item.getAsFile() : null;
      if (file) files.push(file);
    }
  }
  return files.filter((file) => !file.type || file.type.startsWith("image/"));
}

/**
 * Why a file will not be added, before anything is sent, or null.
 * @param {{name: string, type: string, size: number}} file @param {number} maxBytes
 */
export function refusal(file, maxBytes) {
  if (file.type === "image/svg+xml") return `${file.name}: SVG images cannot be added (only PNG, JPEG, WebP and GIF)`;
  if (file.type && !IMAGE_TYPES.includes(file.type)) return `${file.name}: only PNG, JPEG, WebP and GIF images can be added`;
  if (file.size > maxBytes) return `${file.name} is over the ${size(maxBytes)} limit for an image`;
  return null;
}

/** @param {number} bytes */
function size(bytes) {
  const [unit, scale] = bytes >= 2 ** 20 ? ["MB", 2 ** 20] : ["kB", 2 ** 10];
  return `${Math.round((bytes / scale) * 10) / 10} ${unit}`;
}

/**
 * Where a picture of ``width`` × ``height`` pixels goes, in board units: centered on ``at``, at
 * its size in pixels at 100 %, made smaller to fit within the share of the screen ``area``.
 * @param {number} width @param {number} height @param {Point} at @param {Area} area what the screen shows
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function placement(width, height, at, area) {
  const room = Math.min((area.right - area.left) / width, (area.bottom - area.top) / height) * SCREEN_SHARE;
  const scale = Math.min(1, room);
  const w = Math.max(1, width * scale);
  const h = Math.max(1, height * scale);
  return { x: at.x - w / 2, y: at.y - h / 2, w, h };
}

export class ImageAdder {
  /**
   * @param {object} parts
   * @param {(file: Blob) => Promise<Response>} parts.upload sends a file to the board's images
   * @param {Pictures} parts.pictures the page's pictures, which learn the new ones at once
   * @param {(op: {kind: string, id: string, [field: string]: any}) => void} parts.submit
   * @param {(arriving: Arriving[]) => void} parts.show the images on their way, to draw
   * @param {(message: string) => void} parts.tell a message for the person adding them
   * @param {() => Area} parts.area what the screen shows, in board units
   * @param {() => number} parts.maxBytes the server's limit for one file
   * @param {(ids: string[]) => void} [parts.placed] the images of one paste, drop or pick are placed
   * @param {(file: Blob) => Promise<CanvasImageSource & {width: number, height: number}>} [parts.decode]
   */
  constructor({ upload, pictures, submit, show, tell, area, maxBytes, placed, decode }) {
    this.upload = upload;
    this.pictures = pictures;
    this.submit = submit;
    this.show = show;
    this.tell = tell;
    this.area = area;
    this.maxBytes = maxBytes;
    this.placed = placed ?? (() => {});
    this.decode = decode ?? ((file) => createImageBitmap(file));
    /** @type {Map<string, Arriving>} */
    this.arriving = new Map();
  }

  /**
   * Add ``files`` centered on ``at`` (a drop's point), or on the middle of the screen; several
   * go side by side. Settles when each is placed or refused. @param {File[]} files @param {Point | null} at
   */
  async add(files, at = null) {
    const area = this.area();
    let next = at ?? { x: (area.left + area.right) / 2, y: (area.top + area.bottom) / 2 };
    /** @type {Promise<string | null>[]} */
    const adding = [];
    for (const file of files.slice(0, MAX_FILES)) {
      const why = refusal(file, this.maxBytes());
      if (why) {
        this.tell(why);
        continue;
      }
      let picture;
      try {
        picture = await this.decode(file);
      } catch {
        this.tell(`${file.name || "The file"} is not an image this browser can read`);
        continue;
      }
      const place = placement(picture.width, picture.height, next, area);
      next = { x: next.x + place.w * (1 + GAP_SHARE), y: next.y };
      adding.push(this._send(file, picture, place));
    }
    const ids = (await Promise.all(adding)).filter((id) => id !== null);
    if (ids.length) this.placed(/** @type {string[]} */ (ids));
  }

  /**
   * Show the picture where it goes, send the file, then place it by its hash.
   * @param {Blob} file @param {CanvasImageSource} picture @param {{x: number, y: number, w: number, h: number}} place
   * @returns {Promise<string | null>} the image's id once placed
   */
  async _send(file, picture, place) {
    /** @type {Arriving} */
    const arriving = { id: newId(), kind: "image", hash: "", picture, ...place };
    this.arriving.set(arriving.id, arriving);
    this.show([...this.arriving.values()]);
    try {
      let response;
      try {
        response = await this.upload(file);
      } catch {
        this.tell("The image was not added: the server could not be reached");
        return null;
      }
      if (!response.ok) {
        this.tell(`The image was not added: ${await reasonOf(response)}`);
        return null;
      }
      const { hash } = await response.json();
      this.pictures.put(hash, picture);
      // As the wire carries them (float32), so that this page shows what everyone else does.
      const [x, y, w, h] = [place.x, place.y, place.w, place.h].map(Math.fround);
      this.submit({ kind: "image", id: arriving.id, hash, x, y, w, h });
      return arriving.id;
    } finally {
      this.arriving.delete(arriving.id);
      this.show([...this.arriving.values()]);
    }
  }
}

/** What the server said about a refused file, in words for the person adding it. @param {Response} response */
async function reasonOf(response) {
  if (response.status === 413) return "it is over the size limit for an image";
  if (response.status === 507) return "the board is full";
  if (response.status === 403) return "this board is read-only for you";
  try {
    const { detail } = await response.json();
    if (typeof detail === "string") return detail;
  } catch {
    // not the API's answer (a proxy's page, say)
  }
  return `the server answered ${response.status}`;
}

/**
 * Copies pasted from another board name images that board holds and this one may not: each is
 * fetched from there (with that board's link, if this browser has one) and added here, and the
 * copies name the hashes this board gave them. A copy whose image cannot be brought is left out.
 * @template {{op: Record<string, any>}} C
 * @param {C[]} copies @param {string | null} from the board they were copied on
 * @param {object} parts
 * @param {string} parts.here this board's id
 * @param {(hash: string) => boolean} parts.held whether this board holds the image already
 * @param {(board: string, hash: string) => Promise<Response>} parts.fetchFrom
 * @param {(file: Blob) => Promise<Response>} parts.upload
 * @param {(message: string) => void} parts.tell
 * @returns {Promise<C[]>}
 */
export async function bringImages(copies, from, { here, held, fetchFrom, upload, tell }) {
  const wanted = new Set(copies.flatMap(({ op }) => (op.kind === "image" && !held(op.hash) ? [op.hash] : [])));
  if (!wanted.size || !from || from === here) return copies;
  /** @type {Map<string, string>} the other board's hash -> this one's */
  const brought = new Map();
  await Promise.all(
    [...wanted].map(async (hash) => {
      try {
        const file = await fetchFrom(from, hash);
        if (!file.ok) return;
        const added = await upload(await file.blob());
        if (added.ok) brought.set(hash, (await added.json()).hash);
      } catch {
        // left out below
      }
    }),
  );
  if (brought.size < wanted.size) tell("Some images could not be brought from the board they were copied on");
  /** @type {C[]} */
  const ready = [];
  for (const copy of copies) {
    const { op } = copy;
    if (op.kind !== "image" || !wanted.has(op.hash)) ready.push(copy);
    else if (brought.has(op.hash)) ready.push({ ...copy, op: { ...op, hash: brought.get(op.hash) } });
  }
  return ready;
}
