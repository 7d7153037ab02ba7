// @ts-check
// Downloads: PNG of what the screen shows or of the whole board, and the server's SVG and JSON.

import { bounds, union } from "./geometry.js";
import { Renderer } from "./renderer.js";
import { View } from "./view.js";

/** @typedef {import("./renderer.js").Source} Source the board now, or a moment of its history */
/** @typedef {import("./pictures.js").Pictures} Pictures */

const MAX_EXPORT_PIXELS = 8192;

/** @param {Blob} blob @param {string} name */
export function download(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/**
 * A PNG of the board on white, drawn by a renderer of its own: the visible part (``view``) or
 * everything (``null``).
 * @param {Source} board @param {View | null} shown @param {number} width @param {number} height
 * @param {Pictures | null} [pictures] where its images' pictures come from (waited for)
 * @returns {Promise<Blob>}
 */
export async function renderPng(board, shown, width, height, pictures = null) {
  const view = new View();
  if (shown) {
    Object.assign(view, { x: shown.x, y: shown.y, scale: shown.scale });
  } else {
    const box = union(board.visible().map(bounds)) ?? { left: 0, top: 0, right: width, bottom: height };
    const margin = 24;
    const scale = Math.min(2, MAX_EXPORT_PIXELS / Math.max(box.right - box.left, box.bottom - box.top));
    width = Math.ceil((box.right - box.left) * scale) + 2 * margin;
    height = Math.ceil((box.bottom - box.top) * scale) + 2 * margin;
    Object.assign(view, { x: box.left - margin / scale, y: box.top - margin / scale, scale });
  }
  // The images' pictures first: an export cannot wait for them to arrive one by one.
  await pictures?.ready(board.visible().flatMap(({ op }) => (op.kind === "image" ? [op.hash] : [])));
  const host = document.createElement("div");
  host.className = "export-host";
  host.style.width = `${width}px`;
  host.style.height = `${height}px`;
  document.body.append(host);
  try {
    const renderer = new Renderer(host, board, view, { ratio: 1, ids: false, exact: true, pictures: pictures ?? undefined });
    renderer.drawInkNow();
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.drawImage(renderer.ink.canvas, 0, 0);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no PNG"))), "image/png"),
    );
  } finally {
    host.remove();
  }
}

/**
 * @param {Source} board @param {View | null} view @param {string} title @param {{width: number, height: number}} size
 * @param {Pictures | null} [pictures]
 */
export async function downloadPng(board, view, title, size, pictures = null) {
  download(await renderPng(board, view, size.width, size.height, pictures), `${slug(title)}.png`);
}

/** @param {string} url @param {string} name @param {Record<string, string>} headers */
export async function downloadFrom(url, name, headers) {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  download(await response.blob(), name);
}

/** @param {string} title */
export function slug(title) {
  return title.trim().replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "board";
}
