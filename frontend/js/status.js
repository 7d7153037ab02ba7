// @ts-check
// The indicator at the top right: whether everything is saved, being saved, kept on this device
// while offline, or why the board cannot be reached.

/** @typedef {import("./connection.js").Connection} Connection */

const ENDED = {
  "not-found": "Board not found",
  deleted: "This board was deleted",
  "link-required": "This board needs a valid link",
  kicked: "You were removed from this board",
  outdated: "inkroom was updated · reload this page",
};

/** Keep ``element`` saying how the connection and its operations stand. @param {HTMLElement} element @param {Connection} connection */
export function showStatus(element, connection) {
  const update = () => {
    const { state, pending } = connection;
    let shown;
    let text;
    if (state === "closed") {
      shown = connection.endedBecause === "not-found" ? "not-found" : "ended";
      text = ENDED[/** @type {keyof typeof ENDED} */ (connection.endedBecause)] ?? "Disconnected";
    } else if (state === "offline") {
      shown = "offline";
      if (connection.unkept) text = "Offline · keeping on this device…";
      else text = pending ? `Offline · ${pending} unsaved` : "Offline · reconnecting";
    } else if (state !== "online") {
      shown = "connecting";
      text = "Connecting…";
    } else if (pending) {
      shown = "saving";
      text = `Saving… (${pending})`;
    } else {
      shown = "saved";
      text = "Saved";
    }
    // Called for every acknowledgement: touch the page only when something changed.
    if (element.dataset.state !== shown) element.dataset.state = shown;
    if (element.textContent !== text) element.textContent = text;
  };
  for (const type of ["state", "outbox", "ended"]) connection.addEventListener(type, update);
  update();
}
