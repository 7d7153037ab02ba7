"""The board reducer's rules for restore and for any moment of a board's history."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server import protocol
from server.board import Board
from server.points import encode as encode_points
from tests.test_board_twins import random_log

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
