"""The board reducer's rules for restore and for any moment of a board's history."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server import protocol
from server.board import IDENTITY, Board, Matrix, apply, compose
from server.points import encode as encode_points
from tests.test_board_twins import random_log, random_matrix

Log = list[dict[str, Any]]


def board_of(log: Log) -> Board:
    board = Board()
    for entry in log:
        op = protocol.operation_adapter.validate_python(entry["op"])
        board.apply(entry["seq"], entry["author"], op)
    return board


def shown(board: Board, at: int | None = None) -> list[tuple[str, float, float, str | None]]:
    placed = board.visible() if at is None else board.visible(at)
    return [(item.op.id, item.dx, item.dy, getattr(item.op, "text", None)) for item in placed]


def renumbered(entries: Log, first: int) -> Log:
    return [{**entry, "seq": first + index} for index, entry in enumerate(entries)]


def later_edits(rng: random.Random, targets: list[str], count: int) -> Log:
    """New strokes, texts, edits, erases, moves and clears (no undo or redo of older
    operations)."""
    edits: Log = []
    for index in range(count):
        op_id = f"later-{index:04d}"
        roll = rng.random()
        if roll < 0.3 or not targets:
            points = encode_points([rng.uniform(0, 99), 1.0, 0.5])
            op: dict[str, Any] = {"kind": "stroke", "id": op_id, "color": "#000000",
                                  "width": 2.0, "points": points}  # fmt: skip
            targets.append(op_id)
        elif roll < 0.35:
            op = {"kind": "text", "id": op_id, "x": 0.0, "y": 0.0, "text": "later",
                  "size": 16.0, "color": "#000000"}  # fmt: skip
            targets.append(op_id)
        elif roll < 0.4:
            op = {"kind": "edit", "id": op_id, "object": rng.choice(targets), "text": op_id}
        elif roll < 0.6:
            op = {"kind": "erase", "id": op_id, "targets": [rng.choice(targets)]}
        elif roll < 0.9:
            op = {"kind": "move", "id": op_id, "targets": [rng.choice(targets)],
                  "dx": float(rng.randint(-5, 5)), "dy": 1.0}  # fmt: skip
        else:
            op = {"kind": "clear", "id": op_id}
        edits.append({"seq": 0, "author": rng.choice(["author-a", "author-d"]), "op": op})
    return edits


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32), length=st.integers(1, 60), later=st.integers(0, 15))
def test_after_restore_the_board_is_what_it_was_then_and_later_edits_apply_as_usual(
    seed: int, length: int, later: int
) -> None:
    rng = random.Random(seed)
    log = random_log(rng, length)
    moment = rng.randint(0, length)
    restore = {"seq": length + 1, "author": "author-r",
               "op": {"kind": "restore", "id": "the-restore", "at": moment}}  # fmt: skip
    then = shown(board_of(log), moment)
    assert shown(board_of([*log, restore])) == then

    targets = [item[0] for item in then]
    edits = later_edits(rng, targets, later)
    restored = board_of([*log, restore, *renumbered(edits, length + 2)])
    # The same edits made right after that moment, as if nothing had happened in between.
    replayed = board_of([*log[:moment], *renumbered(edits, moment + 1)])
    assert shown(restored) == shown(replayed)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), length=st.integers(1, 60))
def test_undoing_a_restore_brings_back_the_board_as_if_it_never_happened(
    seed: int, length: int
) -> None:
    rng = random.Random(seed)
    log = random_log(rng, length)
    before = shown(board_of(log))
    moment = rng.randint(0, length)
    restore = {"seq": length + 1, "author": "author-r",
               "op": {"kind": "restore", "id": "the-restore", "at": moment}}  # fmt: skip
    undo = {"seq": length + 2, "author": "author-r",
            "op": {"kind": "undo", "id": "undo-restore", "target": "the-restore"}}  # fmt: skip
    redo = {"seq": length + 3, "author": "author-r",
            "op": {"kind": "redo", "id": "redo-restore", "target": "the-restore"}}  # fmt: skip
    assert shown(board_of([*log, restore, undo])) == before
    assert shown(board_of([*log, restore, undo, redo])) == shown(board_of([*log, restore]))


def test_a_restore_brings_back_the_board_before_a_vandals_clear_erasures_and_moves() -> None:
    def stroke(index: int) -> dict[str, Any]:
        return {"kind": "stroke", "id": f"stroke-{index:04d}", "color": "#000000", "width": 2.0,
                "points": encode_points([float(index), 0.0, 0.5])}  # fmt: skip

    log: Log = [{"seq": i + 1, "author": "author-a", "op": stroke(i)} for i in range(10)]
    good = shown(board_of(log))
    vandalism = [
        {"kind": "move", "id": "vandal-move", "targets": [f"stroke-{i:04d}" for i in range(10)],
         "dx": 500.0, "dy": 500.0},
        {"kind": "erase", "id": "vandal-erase", "targets": ["stroke-0001", "stroke-0002"]},
        {"kind": "clear", "id": "vandal-clear"},
    ]  # fmt: skip
    log += [{"seq": 11 + i, "author": "author-v", "op": op} for i, op in enumerate(vandalism)]
    assert shown(board_of(log)) == []
    log.append({"seq": 14, "author": "author-a",
                "op": {"kind": "restore", "id": "owner-restore", "at": 10}})  # fmt: skip
    assert shown(board_of(log)) == good
    # The vandal's own undo of the clear, after the restore, changes nothing: the restore holds.
    log.append({"seq": 15, "author": "author-v",
                "op": {"kind": "undo", "id": "vandal-undo", "target": "vandal-clear"}})  # fmt: skip
    assert shown(board_of(log)) == good


def _with_a_text(log: Log) -> tuple[Log, str]:
    """The log with a text made by author-e on top, and that text's id."""
    text = {"kind": "text", "id": "the-text", "x": 3.0, "y": 4.0, "text": "first words",
            "size": 20.0, "color": "#000000"}  # fmt: skip
    return [*log, {"seq": len(log) + 1, "author": "author-e", "op": text}], "the-text"


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), length=st.integers(0, 40), moves=st.integers(0, 5))
def test_an_edit_changes_only_a_texts_words_and_its_undo_brings_them_back(
    seed: int, length: int, moves: int
) -> None:
    rng = random.Random(seed)
    log, text = _with_a_text(random_log(rng, length) if length else [])
    # Others move the text around the edit; the edit is made by the text's author or anyone.
    before: Log = [
        {"seq": 0, "author": "author-m",
         "op": {"kind": "move", "id": f"move-{i:04d}", "targets": [text], "dx": 1.0, "dy": 2.0}}
        for i in range(moves)
    ]  # fmt: skip
    editor = rng.choice(["author-e", "author-f"])
    edit_op = {"kind": "edit", "id": "the-edit", "object": text, "text": "new\nwords"}
    edit = {"seq": 0, "author": editor, "op": edit_op}
    cut = rng.randint(0, moves)
    unedited = renumbered(before, len(log) + 1)
    edited = renumbered([*before[:cut], edit, *before[cut:]], len(log) + 1)
    plain = shown(board_of([*log, *unedited]))
    expected = [(i, dx, dy, "new\nwords" if i == text else t) for i, dx, dy, t in plain]
    assert shown(board_of([*log, *edited])) == expected

    head = len(log) + len(edited)
    undo = {"seq": head + 1, "author": editor,
            "op": {"kind": "undo", "id": "undo-edit", "target": "the-edit"}}  # fmt: skip
    redo = {"seq": head + 2, "author": editor,
            "op": {"kind": "redo", "id": "redo-edit", "target": "the-edit"}}  # fmt: skip
    assert shown(board_of([*log, *edited, undo])) == plain
    assert shown(board_of([*log, *edited, undo, redo])) == expected


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), count=st.integers(1, 8))
def test_of_several_edits_of_a_text_the_newest_active_one_is_what_it_says(
    seed: int, count: int
) -> None:
    rng = random.Random(seed)
    log, text = _with_a_text([])
    authors = ["author-a", "author-b", "author-c"]
    for index in range(count):
        log.append({"seq": len(log) + 1, "author": rng.choice(authors),
                    "op": {"kind": "edit", "id": f"edit-{index:04d}", "object": text,
                           "text": f"version {index}"}})  # fmt: skip
    undone: set[str] = set()
    for _ in range(rng.randint(0, count)):
        target = rng.choice(log[1:])
        kind = rng.choice(["undo", "redo"])
        log.append({"seq": len(log) + 1, "author": target["author"],
                    "op": {"kind": kind, "id": f"{kind}-{len(log):04d}",
                           "target": target["op"]["id"]}})  # fmt: skip
        (undone.add if kind == "undo" else undone.discard)(target["op"]["id"])
    active = [e["op"]["text"] for e in log[1 : count + 1] if e["op"]["id"] not in undone]
    assert shown(board_of(log)) == [(text, 0.0, 0.0, active[-1] if active else "first words")]


def _stroke_at(op_id: str, x: float, y: float) -> dict[str, Any]:
    return {"kind": "stroke", "id": op_id, "color": "#000000", "width": 2.0,
            "points": encode_points([x, y, 0.5])}  # fmt: skip


def _geometry_op(rng: random.Random, op_id: str, targets: list[str]) -> dict[str, Any]:
    chosen = rng.sample(targets, rng.randint(1, len(targets)))
    if rng.random() < 0.4:
        return {"kind": "move", "id": op_id, "targets": chosen,
                "dx": float(rng.randint(-50, 50)), "dy": float(rng.randint(-50, 50))}  # fmt: skip
    return {"kind": "transform", "id": op_id, "targets": chosen, "matrix": random_matrix(rng)}


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32), people=st.integers(2, 4), gestures=st.integers(1, 12))
def test_concurrent_moves_and_transforms_compose_in_sequence_order_on_every_board(
    seed: int, people: int, gestures: int
) -> None:
    """People move, scale and rotate overlapping selections at once: whatever order the server
    gives their operations, every board (applying them in any order) shows each object at its
    own points times the product of its transforms in that sequence order."""
    rng = random.Random(seed)
    ids = [f"object-{i:04d}" for i in range(5)]
    made = [{"seq": i + 1, "author": "author-a", "op": _stroke_at(ids[i], i * 10.0, 5.0)}
            for i in range(len(ids))]  # fmt: skip
    ops = [
        {"seq": 0, "author": f"author-{rng.randrange(people)}",
         "op": _geometry_op(rng, f"gesture-{g:04d}", ids)}
        for g in range(gestures)
    ]  # fmt: skip
    rng.shuffle(ops)  # the order the server happened to receive them in
    log = [*made, *renumbered(ops, len(made) + 1)]
    expected: dict[str, Matrix] = {i: IDENTITY for i in ids}
    for entry in log[len(made) :]:
        op = entry["op"]
        for target in op["targets"]:
            m = expected[target]
            if op["kind"] == "move":
                expected[target] = (*m[:4], m[4] + op["dx"], m[5] + op["dy"])  # type: ignore[assignment]
            else:
                expected[target] = compose(tuple(op["matrix"]), m)  # type: ignore[arg-type]
    applied_in_arrival_order = log[:]
    rng.shuffle(applied_in_arrival_order)
    for board in (board_of(log), board_of(applied_in_arrival_order)):
        placed = {item.op.id: item for item in board.visible()}
        assert {i: placed[i].matrix for i in ids} == expected
        for index, i in enumerate(ids):
            x, y = apply(placed[i].matrix, index * 10.0, 5.0)
            assert all(math.isfinite(v) for v in (x, y))


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32), before=st.integers(0, 6), after=st.integers(0, 6))
def test_undoing_a_transform_takes_out_exactly_its_part_whatever_others_did_since(
    seed: int, before: int, after: int
) -> None:
    rng = random.Random(seed)
    ids = [f"object-{i:04d}" for i in range(4)]
    made = [{"seq": i + 1, "author": "author-a", "op": _stroke_at(ids[i], i * 7.0, 3.0)}
            for i in range(len(ids))]  # fmt: skip
    others = [
        {"seq": 0, "author": "author-b", "op": _geometry_op(rng, f"other-{g:04d}", ids)}
        for g in range(before + after)
    ]  # fmt: skip
    mine = {"seq": 0, "author": "author-m", "op": _geometry_op(rng, "my-gesture", ids)}
    if rng.random() < 0.5:
        mine["op"] = {"kind": "style", "id": "my-gesture", "targets": ids[:2],
                      "color": "#ff0000", "width": 9.0}  # fmt: skip
    with_mine = [*made, *renumbered([*others[:before], mine, *others[before:]], len(made) + 1)]
    without = [*made, *renumbered(others, len(made) + 1)]
    undo = {"seq": len(with_mine) + 1, "author": "author-m",
            "op": {"kind": "undo", "id": "undo-mine", "target": "my-gesture"}}  # fmt: skip
    someone_elses_undo = {**undo, "author": "author-b"}

    def geometry(log: Log) -> list[tuple[str, Any, str, float]]:
        return [(p.op.id, p.matrix, p.op.color, p.op.width) for p in board_of(log).visible()]  # type: ignore[union-attr]

    assert geometry([*with_mine, undo]) == geometry(without)
    assert geometry([*with_mine, someone_elses_undo]) == geometry(with_mine)


def test_a_style_sets_only_the_fields_an_object_has_and_the_newest_wins() -> None:
    shape = {"kind": "shape", "id": "the-shape", "shape": "rect", "x1": 0.0, "y1": 0.0,
             "x2": 9.0, "y2": 9.0, "color": "#000000", "width": 2.0, "fill": "#00ff00"}  # fmt: skip
    text = {"kind": "text", "id": "the-text", "x": 0.0, "y": 0.0, "text": "hi", "size": 16.0,
            "color": "#000000"}  # fmt: skip
    both = ["the-shape", "the-text"]
    log: Log = [
        {"seq": 1, "author": "author-a", "op": shape},
        {"seq": 2, "author": "author-a", "op": text},
        {"seq": 3, "author": "author-b",
         "op": {"kind": "style", "id": "first-style", "targets": both, "color": "#ff0000",
                "width": 6.0, "size": 30.0}},
        {"seq": 4, "author": "author-c",
         "op": {"kind": "style", "id": "second-style", "targets": both, "fill": "none",
                "color": "#0000ff"}},
    ]  # fmt: skip
    placed = {p.op.id: p.op for p in board_of(log).visible()}
    assert placed["the-shape"].model_dump(include={"color", "width", "fill"}) == {
        "color": "#0000ff", "width": 6.0, "fill": None}  # fmt: skip
    assert placed["the-text"].model_dump(include={"color", "size"}) == {
        "color": "#0000ff", "size": 30.0}  # fmt: skip
    assert not hasattr(placed["the-text"], "width")
