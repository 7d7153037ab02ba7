"""Time for the browser's snapshot worker to decode a board's parts, in Node (the same modules).

    .venv/bin/python -m bench.part_decode --strokes 10000 --points 50 --runs 5

Builds the board's snapshot as ``bench.snapshot_build`` does, then runs in Node what
``frontend/js/snapshot-worker.js`` does with each part once fetched: msgpack-decode it, give each
stroke its points back from the part's streams (``joinStreams``; parts of format 1 held them in
the operations), and measure each stroke's extent (``decodePoints``). Prints the fastest and the
median time for all parts together (on a busy machine the fastest says more).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import brotli

from bench.snapshot_build import PART_OBJECTS, rows
from server import snapshot

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

NODE = """
import { readFileSync } from "node:fs";
import { decode } from "@msgpack/msgpack";
import * as codec from "./js/points.js";
const { files, runs } = JSON.parse(readFileSync(0, "utf8"));
const bodies = files.map((file) => new Uint8Array(readFileSync(file)));
function extent(points) {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i += 3) {
    if (points[i] < left) left = points[i];
    if (points[i] > right) right = points[i];
    if (points[i + 1] < top) top = points[i + 1];
    if (points[i + 1] > bottom) bottom = points[i + 1];
  }
  return [left, top, right, bottom];
}
const times = [];
let strokes = 0;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  strokes = 0;
  for (const body of bodies) {
    const document = decode(body);
    if (document.format >= 2) {
      const held = document.entries.filter(([, , op]) => op.kind === "stroke");
      const { counts, first, x, y, p } = document;
      const joined = codec.joinStreams(counts, first, x, y, p);
      joined.forEach((points, i) => { held[i][2].points = points; });
    }
    for (const [, , op] of document.entries) {
      if (op.kind === "stroke") { extent(codec.decodePoints(op.points)); strokes++; }
    }
  }
  times.push(performance.now() - started);
}
process.stdout.write(JSON.stringify({ times, strokes }));
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    board = rows(args.strokes, args.points)
    parts = snapshot.build("bench-board-0001", len(board), board, PART_OBJECTS)
    node = shutil.which("node")
    assert node, "node is needed"
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for part in parts:
            files.append(str(Path(folder) / f"part-{part.index}"))
            Path(files[-1]).write_bytes(brotli.decompress(part.body))
        ran = subprocess.run(
            [node, "--input-type=module", "-e", NODE],
            input=json.dumps({"files": files, "runs": args.runs}),
            capture_output=True, text=True, cwd=FRONTEND, check=True,
        )  # fmt: skip
    result = json.loads(ran.stdout)
    times = sorted(result["times"])
    runs = ", ".join(f"{t:.0f}" for t in result["times"])
    print(
        f"{result['strokes']} strokes in {len(parts)} parts (format {snapshot.FORMAT}): "
        f"decoded in {times[0]:.0f} ms at best, median {times[len(times) // 2]:.0f} ms "
        f"(runs {runs} ms)"
    )


if __name__ == "__main__":
    main()
