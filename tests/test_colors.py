"""The color a newcomer gets: theirs unless someone else on the board has it."""

from __future__ import annotations

from server.colors import color_on_board
from server.protocol import PERSON_COLORS, Peer

RED, GREEN, BLUE, ORANGE, PURPLE = PERSON_COLORS[:5]


def peer(n: int, color: str, user: str | None = None) -> Peer:
    return Peer(peer=n, user=user or f"user-{n:04d}", name=f"Person {n}", color=color)


def test_a_color_nobody_else_has_is_kept() -> None:
    assert color_on_board(PURPLE, "newcomer", [peer(1, RED), peer(2, GREEN)]) == PURPLE
    assert color_on_board("#123456", "newcomer", []) == "#123456"


def test_a_color_someone_has_gives_way_to_the_first_free_one() -> None:
    assert color_on_board(PURPLE, "newcomer", [peer(1, PURPLE)]) == RED
    assert color_on_board(PURPLE, "newcomer", [peer(1, PURPLE), peer(2, RED)]) == GREEN
    # Written in capitals it is the same color.
    assert color_on_board(PURPLE.upper(), "newcomer", [peer(1, PURPLE)]) == RED


def test_the_same_persons_other_connections_do_not_take_their_color() -> None:
    present = [peer(1, PURPLE, user="newcomer"), peer(2, RED)]
    assert color_on_board(PURPLE, "newcomer", present) == PURPLE


def test_a_board_of_every_color_repeats_the_one_fewest_have() -> None:
    everyone = [peer(n, color) for n, color in enumerate(PERSON_COLORS, start=1)]
    assert color_on_board(PURPLE, "newcomer", everyone) == PURPLE
    twice = [*everyone, peer(20, RED), peer(21, GREEN), peer(22, PURPLE)]
    assert color_on_board(PURPLE, "newcomer", twice) == BLUE


def test_newcomers_one_after_another_each_get_a_color_nobody_has_until_all_are_taken() -> None:
    present: list[Peer] = []
    for n in range(len(PERSON_COLORS)):
        present.append(peer(n + 1, color_on_board(PURPLE, f"guest-{n:04d}", present)))
    assert sorted(p.color for p in present) == sorted(PERSON_COLORS)
