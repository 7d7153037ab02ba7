"""server/board.py and frontend/js/board.js read the same logs the same way."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path

from server import protocol
from server.board import Board
from server.points import encode as encode_points

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
NODE_REPLAY = """
import { readFileSync } from "node:fs";
import { Board } from "./js/board.js";
const logs = JSON.parse(readFileSync(0, "utf8"));
const results = logs.map((log) => {
  const board = new Board();
  for (const { seq, author, op } of log) board.applyCommitted(seq, author, op);
  const view = (placed) => placed.map(({ id, op, dx, dy, m }) => [
    id, dx, dy, op.text ?? null, m ?? null, op.color ?? null, op.width ?? null, op.fill ?? null,
    op.size ?? null,
  ]);
  // Now, then every moment of the board's history.
  return [view(board.visible()), ...log.map(({ seq }) => view(board.visibleAt(seq)))];
});
process.stdout.write(JSON.stringify(results));
"""


def random_matrix(rng: random.Random) -> list[float]:
    """A rotation and scale about a random point, as the select tool makes them."""
    angle = rng.choice([0.0, rng.uniform(-math.pi, math.pi)])
    sx, sy = rng.choice([1.0, rng.uniform(0.2, 3)]), rng.choice([1.0, rng.uniform(0.2, 3)])
    cx, cy = rng.uniform(-50, 150), rng.uniform(-50, 150)
    cos, sin = math.cos(angle), math.sin(angle)
    a, b, c, d = cos * sx, sin * sx, -sin * sy, cos * sy
    return [a, b, c, d, cx - a * cx - c * cy, cy - b * cx - d * cy]


def random_style(rng: random.Random) -> dict[str, object]:
    fields: dict[str, object] = {
        "color": rng.choice(["#ff0000", "#00ff00"]),
        "width": rng.choice([1.0, 8.0]),
        "fill": rng.choice(["#0000ff", "none"]),
        "size": rng.choice([12.0, 40.0]),
    }
    chosen = rng.sample(sorted(fields), rng.randint(1, 4))
    return {name: fields[name] for name in chosen}


def random_log(rng: random.Random, length: int) -> list[dict[str, object]]:
    users = ["author-a", "author-b", "author-c"]
    log: list[dict[str, object]] = []
    made: list[tuple[str, str]] = []  # (op id, author) of undoable operations
    texts: list[str] = []
    for seq in range(1, length + 1):
        author = rng.choice(users)
        op_id = f"operation-{seq:04d}"
        roll = rng.random()
        targets = [rng.choice(made)[0]] if made else []
        op: dict[str, object]
        if roll < 0.05:
            op = {"kind": "image", "id": op_id, "hash": f"{seq:064x}", "x": rng.uniform(0, 99),
                  "y": rng.uniform(0, 99), "w": 40.0, "h": 30.0}  # fmt: skip
        elif roll < 0.3 or not made:
            point = encode_points([rng.uniform(0, 99), rng.uniform(0, 99), 0.5])
            op = {"kind": "stroke", "id": op_id, "tool": "pen", "color": "#000000", "width": 2.0,
                  "points": point}  # fmt: skip
        elif roll < 0.36:
            op = {"kind": "text", "id": op_id, "x": 1.0, "y": 2.0, "text": f"typed {seq}",
                  "size": 16.0, "color": "#000000"}  # fmt: skip
            texts.append(op_id)
        elif roll < 0.44 and texts:
            # Mostly texts; now and then another object, which an edit leaves as it is.
            edited = rng.choice(texts) if rng.random() < 0.9 else rng.choice(made)[0]
            op = {"kind": "edit", "id": op_id, "object": edited, "text": f"edit {seq}"}
        elif roll < 0.4:
            op = {"kind": "shape", "id": op_id, "shape": "rect", "x1": 0.0, "y1": 0.0,
                  "x2": 5.0, "y2": 5.0, "color": "#000000", "width": 2.0}  # fmt: skip
        elif roll < 0.5:
            op = {"kind": "erase", "id": op_id, "targets": targets}
        elif roll < 0.6:
            op = {"kind": "move", "id": op_id, "targets": targets,
                  "dx": float(rng.randint(-5, 5)), "dy": float(rng.randint(-5, 5))}  # fmt: skip
        elif roll < 0.65:
            op = {"kind": "clear", "id": op_id}
        elif roll < 0.72:
            op = {"kind": "restore", "id": op_id, "at": rng.randint(0, seq - 1)}
        elif roll < 0.8:
            op = {
                "kind": "transform",
                "id": op_id,
                "targets": targets,
                "matrix": random_matrix(rng),
            }
        elif roll < 0.86:
            op = {"kind": "style", "id": op_id, "targets": targets} | random_style(rng)
        elif roll < 0.9:
            op = {"kind": "order", "id": op_id, "targets": targets,
                  "to": rng.choice(["front", "back"])}  # fmt: skip
        else:
            # Anyone may try; only the author's undo or redo counts.
            op = {"kind": rng.choice(["undo", "redo"]), "id": op_id, "target": rng.choice(made)[0]}
        if op["kind"] not in ("undo", "redo"):
            made.append((op_id, author))
        log.append({"seq": seq, "author": author, "op": op})
    return log


def python_views(log: list[dict[str, object]]) -> list[list[list[object]]]:
    """What the board shows now, then as of every moment of its history."""
    board = Board()
    for entry in log:
        op = protocol.operation_adapter.validate_python(entry["op"])
        board.apply(int(str(entry["seq"])), str(entry["author"]), op)
    moments = [int(str(entry["seq"])) for entry in log]
    views = [board.visible()] + [board.visible(at) for at in moments]
    return [
        [
            [
                item.op.id,
                item.dx,
                item.dy,
                getattr(item.op, "text", None),
                None if item.moved_only else list(item.matrix),
                getattr(item.op, "color", None),
                getattr(item.op, "width", None),
                getattr(item.op, "fill", None),
                getattr(item.op, "size", None),
            ]
            for item in view
        ]
        for view in views
    ]


def test_both_boards_show_the_same_objects_at_every_moment_of_300_random_logs() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser's board"
    rng = random.Random(2026)
    logs = [random_log(rng, rng.randint(5, 80)) for _ in range(300)]
    replayed = subprocess.run(
        [node, "--input-type=module", "-e", NODE_REPLAY],
        # The reducers never read points: bytes cross to node as a list of numbers.
        input=json.dumps(logs, default=list), capture_output=True, text=True, cwd=FRONTEND,
        check=True,
    )  # fmt: skip
    browser_views = json.loads(replayed.stdout)
    for index, log in enumerate(logs):
        assert browser_views[index] == python_views(log), f"log {index} differs"
