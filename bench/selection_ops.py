"""What a selection's operations cost the browser's board (``frontend/js/board.js``), in Node.

    .venv/bin/python -m bench.selection_ops --strokes 10000 100000 --targets 1000 --runs 7

On a board of that many strokes, applies one operation on ``targets`` of them and reads the
visible list, as the page does after each operation: a ``move`` (the reference: it patches the
cached list), a ``transform`` (a rotation), a ``style`` and an ``order``. Then, on the board with
that operation, one new stroke on top, which is what every later stroke costs: after an
``order`` the cached list cannot be patched (paint order is no longer sequence order). Prints the
fastest and the median of the runs, in milliseconds (on a busy machine the fastest says more).
No server.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

NODE = """
import { readFileSync } from "node:fs";
import { Board } from "./js/board.js";
import { encodePoints } from "./js/points.js";
const { strokes, targets, runs } = JSON.parse(readFileSync(0, "utf8"));
const points = encodePoints([0, 0, 0.5, 5, 5, 0.5, 10, 3, 0.5]);
const turn = [Math.cos(0.3), Math.sin(0.3), -Math.sin(0.3), Math.cos(0.3), 10, -20];
const kinds = {
  move: (ids) => ({ kind: "move", targets: ids, dx: 4, dy: 2 }),
  transform: (ids) => ({ kind: "transform", targets: ids, matrix: turn }),
  style: (ids) => ({ kind: "style", targets: ids, color: "#e03131", width: 8 }),
  order: (ids) => ({ kind: "order", targets: ids, to: "front" }),
};
const results = {};
for (const [kind, make] of Object.entries(kinds)) {
  const applied = [];
  const after = [];
  for (let run = 0; run < runs; run++) {
    const board = new Board();
    const entries = [];
    for (let i = 0; i < strokes; i++) {
      entries.push([i + 1, "author", { kind: "stroke", id: `stroke-${i}`, tool: "pen",
        color: "#1e1e1e", width: 2, points }]);
    }
    board.load(entries);
    board.loaded(strokes, `stroke-${strokes - 1}`);
    board.visible();
    const ids = [];
    for (let i = 0; i < targets; i++) ids.push(`stroke-${Math.floor((i * strokes) / targets)}`);
    let started = performance.now();
    board.applyCommitted(strokes + 1, "author", { ...make(ids), id: `op-${run}` });
    board.visible();
    applied.push(performance.now() - started);
    started = performance.now();
    board.applyCommitted(strokes + 2, "author", { kind: "stroke", id: `new-${run}`, tool: "pen",
      color: "#1e1e1e", width: 2, points });
    board.visible();
    after.push(performance.now() - started);
  }
  const stats = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { fastest: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
  };
  results[kind] = { applied: stats(applied), nextStroke: stats(after) };
}
process.stdout.write(JSON.stringify(results));
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--targets", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is needed")
    print("strokes  op         op+visible ms (fastest/median)  next stroke ms (fastest/median)")
    for strokes in args.strokes:
        config = {"strokes": strokes, "targets": min(args.targets, strokes), "runs": args.runs}
        done = subprocess.run(
            [node, "--input-type=module", "-e", NODE],
            input=json.dumps(config), capture_output=True, text=True, cwd=FRONTEND, check=True,
        )  # fmt: skip
        for kind, result in json.loads(done.stdout).items():
            applied, after = result["applied"], result["nextStroke"]
            print(
                f"{strokes:>7}  {kind:<9}  {applied['fastest']:>8.1f} / {applied['median']:<8.1f}"
                f"              {after['fastest']:>8.2f} / {after['median']:.2f}"
            )


if __name__ == "__main__":
    main()
