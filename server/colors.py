"""The color a person has on a board: the one their join asks for, unless someone else on the
board has it, or one hard to tell from it. Pure: the caller says who is there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from server import protocol

# Person colors that two cursors side by side are hard to tell apart by: red and crimson,
# purple and indigo. The others stand alone.
LOOK_ALIKE = (("#e03131", "#c2255c"), ("#9c36b5", "#5f3dc4"))
FAMILY = {color: family for family in LOOK_ALIKE for color in family}


def color_on_board(wanted: str, user: str, present: Iterable[protocol.Peer]) -> str:
    """``wanted`` when nobody else present has it nor one like it (``LOOK_ALIKE``), while such a
    color is left; else the first such color in ``PERSON_COLORS``' order. Once none is left:
    ``wanted`` when nobody else has it, else the person color the fewest others have (the first
    of those); once every one is taken, ``wanted`` is kept when it is as rare as any.

    Args:
        wanted: the color the join asks for (the one the page remembers).
        user: who joins. Connections of the same user (their other tabs, or the connection a
            reload replaces, not yet gone) are not others: one person keeps one color.
        present: everyone on the board.
    """
    used = Counter(peer.color.lower() for peer in present if peer.user != user)
    wanted_key = wanted.lower()

    def family_used(color: str) -> int:
        return sum(used[alike] for alike in FAMILY.get(color, (color,)))

    apart = [color for color in protocol.PERSON_COLORS if family_used(color) == 0]
    if apart:
        return wanted if family_used(wanted_key) == 0 else apart[0]
    fewest = min(protocol.PERSON_COLORS, key=lambda color: used[color])
    return wanted if used[wanted_key] <= used[fewest] else fewest
