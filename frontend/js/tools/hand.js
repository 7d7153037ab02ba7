// @ts-check
// The hand: dragging pans the view (Input does the panning for tools that say they pan).

export function hand() {
  return { name: "hand", pans: true, down() {}, move() {}, up() {} };
}
