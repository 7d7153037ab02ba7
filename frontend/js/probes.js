// @ts-check
// For tests and benchmarks: what the board page shows, read without reading pixels
// (``window.inkroom``).

import { pointsOf } from "./points.js";

/**
 * @param {object} parts
 * @param {import("./board.js").Board} parts.board
 * @param {import("./renderer.js").Renderer} parts.renderer
 * @param {import("./ephemeral.js").Ephemeral} parts.ephemeral
 * @param {import("./view.js").View} parts.view
 * @param {import("./connection.js").Connection} parts.connection
 * @param {import("./history.js").HistoryPanel} parts.history
 * @param {import("./dispatch.js").Dispatcher} parts.dispatcher
 */
export function installProbes({ board, renderer, ephemeral, view, connection, history, dispatcher }) {
  Object.assign(window, {
    inkroom: {
      // Stroke points decoded, so that tests read numbers.
      visibleStrokes: () =>
        board.visible().map((item) => ({
          ...item.op, id: item.id, author: item.author, seq: item.seq,
          ...(item.op.kind === "stroke" && { points: [...pointsOf(/** @type {any} */ (item.op))] }),
        })), // prettier-ignore
      placed: () => board.visible().map(({ id, seq, dx, dy, m, op }) => ({ id, seq, dx, dy, m: m ?? null, kind: op.kind, color: op.color, width: op.width ?? null, fill: op.fill ?? null, size: op.size ?? null })),
      // Images shown, with their places (as ``placed`` gives them).
      images: () =>
        board.visible().flatMap(({ id, dx, dy, m, op }) =>
          op.kind === "image" ? [{ id, dx, dy, m: m ?? null, hash: op.hash, x: op.x, y: op.y, w: op.w, h: op.h }] : [],
        ),
      // Objects shown where someone's gesture under way has them.
      previewed: () => [...ephemeral.previews.keys()],
      selectionBox: () => renderer.selectionBox(),
      // Whose ink being drawn and whose cursors this page shows, by peer id; and its own.
      liveFrom: () => [...new Set([...ephemeral.strokes.keys()].map((key) => Number(key.split(":")[0])).filter((peer) => Number.isInteger(peer)))],
      cursorsFrom: () => [...ephemeral.cursors.keys()],
      ownPeer: () => dispatcher.ownPeer ?? null,
      lastSeq: () => board.lastSeq,
      // The moment the History panel shows, or null while it is closed.
      historyAt: () => history.moment?.at ?? null,
      // The History panel's pictures of moments are painted for the current view.
      historyPictured: () => history.moment?.keyframes?.complete ?? false,
      shownStrokes: () => history.source.visible().map(({ id, author }) => ({ id, author })),
      view: () => ({ x: view.x, y: view.y, scale: view.scale }),
      pending: () => connection.pending,
      repairs: () => dispatcher.repairs,
      // Removes an object from this page's copy only, as a desync would (for tests).
      dropLocally: (/** @type {string} */ id) => {
        board.drop(id);
        renderer.invalidate();
      },
      lastInkMs: () => renderer.lastInkMs,
      selected: () => [...ephemeral.selected],
      // Texts others are typing, as this page shows them.
      typing: () => [...ephemeral.strokes.values()].filter((live) => live.tool === "text" && !live.own).map((live) => live.text),
      // The ink layer shows everything, sharp, for the current view.
      inkSettled: () => renderer.settled,
      // Draw the ink layer again from nothing, at once (what progressive drawing must match).
      redrawInk: () => renderer.drawInkNow(),
    },
  });
}
