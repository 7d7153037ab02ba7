// @ts-check
// The board's socket, opened by the page's first script: this module imports nothing, so that
// the browser runs it as soon as it has it, while the page's other modules still load (opening.js
// needs nine of them, app.js some sixty). The connection (connection.js) takes the socket over
// once the page has loaded and owns it from then on.

performance.mark("inkroom:socket"); // the first of the page's own code to run (benchmarks read it)

export const boardId = decodeURIComponent(location.pathname.split("/").pop() ?? "");
export const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/boards/${encodeURIComponent(boardId)}`;

/** The board's socket, opening while the page loads (the join is sent once it has loaded). */
export const firstSocket = openSocket();

function openSocket() {
  try {
    const socket = new WebSocket(socketUrl);
    socket.binaryType = "arraybuffer";
    return socket;
  } catch {
    return null; // the connection tries again, and says why it cannot
  }
}
