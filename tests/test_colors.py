"""The color a newcomer gets: theirs unless someone else on the board has it, or one like it."""

from __future__ import annotations

from server.colors import color_on_board
from server.protocol import PERSON_COLORS, Peer

RED, GREEN, BLUE, ORANGE, PURPLE, TEAL, CRIMSON, INDIGO = PERSON_COLORS


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


def test_a_color_like_someone_elses_gives_way_while_one_unlike_all_is_left() -> None:
    assert color_on_board(INDIGO, "newcomer", [peer(1, PURPLE)]) == RED
    assert color_on_board(CRIMSON, "newcomer", [peer(1, RED), peer(2, GREEN)]) == BLUE
    # Once every color stands apart from someone's, a free one is kept, alike or not.
    apart = [peer(n, c) for n, c in enumerate([RED, GREEN, BLUE, ORANGE, PURPLE, TEAL], start=1)]
    assert color_on_board(INDIGO, "newcomer", apart) == INDIGO
    assert color_on_board(RED, "newcomer", apart) == CRIMSON


def test_the_first_six_newcomers_get_colors_none_alike() -> None:
    present: list[Peer] = []
    for n, wanted in enumerate([PURPLE, INDIGO, RED, CRIMSON, INDIGO, CRIMSON]):
        present.append(peer(n + 1, color_on_board(wanted, f"guest-{n:04d}", present)))
    colors = [p.color for p in present]
    assert len(set(colors)) == 6
    assert not {PURPLE, INDIGO} <= set(colors) and not {RED, CRIMSON} <= set(colors)
