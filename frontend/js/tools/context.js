// @ts-check
// What every tool gets to work with. Tools are small objects made by a function of this context:
// {name, down(p), move(p), up(p), hover?(p), cancel?(), pans?}.

/**
 * @typedef {object} ToolContext
 * @property {import("../board.js").Board} board
 * @property {import("../connection.js").Connection} connection
 * @property {import("../renderer.js").Renderer} renderer  hit tests and the selection's box
 * @property {import("../ephemeral.js").Ephemeral} ephemeral  what is shown besides the objects
 * @property {import("../view.js").View} view
 * @property {() => {color: string, width: number, fill: boolean, textSize: number}} style
 * @property {(op: {kind: string, id: string, [field: string]: any}) => void} submit  apply locally and send
 */

export {};
