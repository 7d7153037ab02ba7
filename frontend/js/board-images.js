// @ts-check
// Images on the board page: where their pictures come from, how a person adds one (paste, drop,
// the image button), how one on its way is shown, and how copies pasted from another board bring
// theirs along. The page's wiring calls ``pictures`` first (the renderer draws with them), then
// ``installBoardImages`` once the rest of the page is up.

import { bringImages, ImageAdder } from "./images.js";
import { heldToken } from "./identity.js";
import { installImageInput } from "./image-input.js";
import { Pictures } from "./pictures.js";

/** @typedef {import("./images.js").Arriving} Arriving */
/** @typedef {import("./clipboard.js").Copied} Copied */

// The server's limit for one file when the page does not say (``INKROOM_MAX_IMAGE_BYTES``).
const DEFAULT_MAX_BYTES = 10 * 2 ** 20;

/** Another board's link, if this browser holds one. @param {string} board @returns {Record<string, string>} */
function linkOf(board) {
  const token = heldToken(board);
  return token ? { "X-Board-Token": token } : {};
}

/** The images API of a board. @param {string} board */
const imagesOf = (board) => `/api/boards/${encodeURIComponent(board)}/images`;

/**
 * The page's pictures, fetched from this board with its link.
 * @param {string} board @param {() => Record<string, string>} headers the board's link, as the API takes it
 */
export function boardPictures(board, headers) {
  return new Pictures((hash) => fetch(`${imagesOf(board)}/${hash}`, { headers: headers() }));
}

/**
 * @param {object} parts
 * @param {string} parts.board
 * @param {Pictures} parts.pictures
 * @param {import("./ephemeral.js").Ephemeral} parts.ephemeral shows images on their way
 * @param {() => Record<string, string>} parts.headers this board's link, as the API takes it
 * @param {HTMLElement} parts.surface
 * @param {import("./view.js").View} parts.view
 * @param {(op: {kind: string, id: string, [field: string]: any}) => void} parts.submit
 * @param {() => boolean} parts.canEdit
 * @param {(message: string) => void} parts.tell
 * @param {(ids: string[]) => void} parts.placed what was just added (the page selects it)
 * @param {() => Iterable<{op: {kind: string, [field: string]: any}}>} parts.objects what the board holds (for the images it has)
 */
export function installBoardImages({ board, pictures, ephemeral, headers, surface, view, submit, canEdit, tell, placed, objects }) {
  const upload = (/** @type {Blob} */ file) =>
    fetch(imagesOf(board), { method: "POST", body: file, headers: { ...headers(), "Content-Type": "application/octet-stream" } });
  const said = Number(document.body.dataset.maxImageBytes);
  /** @type {Set<string>} the images on their way that the ephemeral state shows */
  const shown = new Set();
  /** @param {Arriving[]} arriving */
  const show = (arriving) => {
    for (const id of shown) if (!arriving.some((image) => image.id === id)) ephemeral.endOwn(`image:${id}`);
    shown.clear();
    for (const image of arriving) {
      shown.add(image.id);
      ephemeral.showOwn(`image:${image.id}`, { ...image, tool: "image", color: "", width: 1, points: [] });
    }
  };
  const adder = new ImageAdder({
    upload,
    pictures,
    submit,
    show,
    tell,
    area: () => {
      const rect = surface.getBoundingClientRect();
      const topLeft = view.toBoard(0, 0);
      const bottomRight = view.toBoard(rect.width, rect.height);
      return { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
    },
    maxBytes: () => (Number.isFinite(said) && said > 0 ? said : DEFAULT_MAX_BYTES),
    placed,
  });
  const input = installImageInput({
    surface,
    adder,
    canEdit,
    tell,
    pickButton: document.getElementById("image-button"),
    toBoard: (clientX, clientY) => {
      const rect = surface.getBoundingClientRect();
      return view.toBoard(clientX - rect.left, clientY - rect.top);
    },
  });
  /** @param {Copied[]} copies @param {string | null} from */
  const bring = (copies, from) => {
    const held = new Set();
    for (const { op } of objects()) if (op.kind === "image") held.add(op.hash);
    return bringImages(copies, from, {
      here: board,
      held: (hash) => held.has(hash),
      fetchFrom: (other, hash) => fetch(`${imagesOf(other)}/${hash}`, { headers: linkOf(other) }),
      upload,
      tell,
    });
  };
  return { pick: input.pick, bring };
}
