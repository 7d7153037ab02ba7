// @ts-check
// The board's socket, opened by the page's first script: this module imports nothing, so that
// the browser runs it as soon as it has it, while the page's other modules still load. The
// page's opening module (opening.js) sends the join on it as soon as it can; what the server
// answers waits here until the connection (connection.js) takes the socket over, once the page
// has loaded, and owns it from then on.

performance.mark("inkroom:socket"); // the first of the page's own code to run (benchmarks read it)

export const boardId = decodeURIComponent(location.pathname.split("/").pop() ?? "");
export const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/boards/${encodeURIComponent(boardId)}`;

/**
 * @typedef {object} EarlySocket the socket opened while the page loads
 * @property {WebSocket} socket
 * @property {ArrayBuffer[]} frames what arrived before the connection took the socket over
 * @property {import("./joining.js").Held | null} joined what the join sent on it named as held,
 *   if one was sent
 * @property {boolean} taken whether the connection has taken it over (nothing more is sent on it
 *   from outside then)
 */

/** @type {EarlySocket | null} */
export const firstSocket = openSocket();

function openSocket() {
  try {
    const socket = new WebSocket(socketUrl);
    socket.binaryType = "arraybuffer";
    /** @type {EarlySocket} */
    const early = { socket, frames: [], joined: null, taken: false };
    socket.onmessage = (event) => early.frames.push(event.data);
    return early;
  } catch {
    return null; // the connection tries again, and says why it cannot
  }
}
