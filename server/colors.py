"""The color a person has on a board: the one their join asks for, unless someone else on the
board has it. Pure: the caller says who is there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from server import protocol


def color_on_board(wanted: str, user: str, present: Iterable[protocol.Peer]) -> str:
    """``wanted`` when nobody else present has it; else the person color that the fewest others
    have (the first of those in ``PERSON_COLORS``' order): one nobody has while any is left. Once
    every one is taken, ``wanted`` is kept when it is as rare as any.

    Args:
        wanted: the color the join asks for (the one the page remembers).
        user: who joins. Connections of the same user (their other tabs, or the connection a
            reload replaces, not yet gone) are not others: one person keeps one color.
        present: everyone on the board.
    """
    used = Counter(peer.color.lower() for peer in present if peer.user != user)
    fewest = min(protocol.PERSON_COLORS, key=lambda color: used[color])
    return wanted if used[wanted.lower()] <= used[fewest] else fewest
