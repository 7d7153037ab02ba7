"""A room's budget for live points on the way in: in process with a made-up clock, then on a
real server where one person floods a room that two others draw in at a normal pace."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter

import httpx
import pytest

from server import protocol
from server.intake import Intake
from server.points import encode as encode_points
from tests.live_server import LiveServer
from tests.wire import BoardClient, new_id, stroke


def offer(
    intake: Intake, rates: dict[int, float], seconds: float, recipients: int, start: float = 1000.0
) -> Counter[int]:
    """Each sender sends at its rate (messages a second, with jitter) for ``seconds`` from
    ``start``; what the room took from each."""
    rng = random.Random(3)
    arrivals = sorted(
        (rng.uniform(0, seconds), sender)
        for sender, rate in rates.items()
        for _ in range(int(rate * seconds))
    )
    taken: Counter[int] = Counter()
    for at, sender in arrivals:
        if intake.admit(sender, recipients, start + at):
            taken[sender] += 1
    return taken


def test_a_room_within_its_budget_takes_everything() -> None:
    intake = Intake(deliveries_per_second=200 * 30 * 199 * 1.5)
    taken = offer(intake, {sender: 30 for sender in range(200)}, 5.0, recipients=199)
    assert sum(taken.values()) == 200 * 30 * 5
    assert intake.shed == 0


def test_past_its_budget_a_room_gives_every_sender_the_same_share() -> None:
    # 500 people at 30 messages a second; the room can hand on 4,000 a second to 499 others.
    intake = Intake(deliveries_per_second=4000 * 499)
    taken = offer(intake, {sender: 30 for sender in range(500)}, 10.0, recipients=499)
    per_second = {sender: count / 10.0 for sender, count in taken.items()}
    assert len(per_second) == 500, "everyone's points get through, some of them"
    assert sum(taken.values()) <= 4000 * 10 * 1.1
    assert max(per_second.values()) <= 2 * min(per_second.values())
    assert intake.shed == 500 * 30 * 10 - sum(taken.values())


def test_a_slow_sender_loses_nothing_to_a_fast_one() -> None:
    # Three others; room budget 60 messages a second: 20 each. The flooder sends 500 a second.
    intake = Intake(deliveries_per_second=60 * 3)
    taken = offer(intake, {1: 500, 2: 10, 3: 10}, 10.0, recipients=3)
    assert taken[2] >= 0.95 * 100 and taken[3] >= 0.95 * 100
    assert taken[1] <= 0.1 * 5000


def test_a_room_stops_shedding_once_the_crowd_calms_down() -> None:
    intake = Intake(deliveries_per_second=100 * 9)
    busy = offer(intake, {sender: 30 for sender in range(10)}, 3.0, recipients=9)
    assert sum(busy.values()) < 10 * 30 * 3
    # Two seconds later everyone draws at 5 a second: 50 for a budget of 100.
    rng = random.Random(5)
    arrivals = sorted((rng.uniform(5, 10), s) for s in range(10) for _ in range(25))
    taken = sum(intake.admit(sender, 9, 1000.0 + at) for at, sender in arrivals)
    assert taken == len(arrivals)


def test_a_process_that_falls_behind_sheds_more_until_it_keeps_up_again() -> None:
    intake = Intake(deliveries_per_second=200 * 30 * 199 * 1.5)
    for _ in range(20):
        intake.ticked(late=0.300)  # ticks leaving 300 ms late: the process is behind
    behind = offer(intake, {sender: 30 for sender in range(200)}, 2.0, recipients=199)
    assert sum(behind.values()) < 0.1 * 200 * 30 * 2
    assert len(behind) == 200, "still a share for everyone"
    for _ in range(200):
        intake.ticked(late=0.001)
    rates = {sender: 30.0 for sender in range(200)}
    caught_up = offer(intake, rates, 2.0, recipients=199, start=1010.0)
    assert sum(caught_up.values()) == 200 * 30 * 2


def test_a_tick_late_now_and_then_costs_nobody_their_points() -> None:
    intake = Intake(deliveries_per_second=200 * 30 * 199 * 1.5)
    for tick in range(500):
        intake.ticked(late=0.120 if tick % 10 == 0 else 0.002)  # a collection, say
    rates = {sender: 30.0 for sender in range(200)}
    taken = offer(intake, rates, 2.0, recipients=199)
    assert sum(taken.values()) == 200 * 30 * 2


# The room on the real server hands on 120 live messages a second to its 3 others: 40 for each of
# the three who draw. Per-connection rates are out of the way (a flood would otherwise be closed).
CROWDED = {
    "INKROOM_ROOM_LIVE_DELIVERIES_PER_SECOND": str(120 * 3),
    "INKROOM_LIVE_PER_SECOND": "100000",
    "INKROOM_LIVE_BURST": "100000",
}


def live(stroke_id: str, index: int) -> protocol.Live:
    flat = [float(index), float(index), 0.5] * 4
    return protocol.Live(
        type="live", stroke=stroke_id, color="#1971c2", width=4.0, points=encode_points(flat)
    )


@pytest.mark.parametrize("server", [CROWDED], indirect=True)
async def test_a_flooded_room_sheds_the_flooders_points_and_keeps_every_stroke(
    server: LiveServer, board_id: str
) -> None:
    url = server.ws_url(board_id)
    watcher, flooder, *drawers = [BoardClient(url) for _ in range(4)]
    peers = {}
    for client in (watcher, flooder, *drawers):
        peers[id(client)] = (await client.join()).peer
    strokes = [stroke(5, x=float(i)) for i in range(20)]

    async def flood() -> None:
        stroke_id = new_id()
        for index in range(1500):
            await flooder.send(live(stroke_id, index))
            if index % 75 == 0:
                await flooder.submit(strokes[index // 75])
            await asyncio.sleep(0.002)

    async def draw(client: BoardClient) -> None:
        stroke_id = new_id()
        for index in range(30):  # 10 a second for 3 s: a quarter of its share
            await client.send(live(stroke_id, index))
            await asyncio.sleep(0.1)

    await asyncio.gather(flood(), *(draw(drawer) for drawer in drawers))
    for op in strokes:
        await flooder.expect("ack", timeout=60, id=op.id)
    while sum(m.type == "committed" for m in watcher.received) < len(strokes):
        await watcher.pull(timeout=60)
    await watcher.drain(quiet=1.0)
    received = watcher.received

    lives = Counter(m.peer for m in received if m.type == "live")
    committed = [m for m in received if m.type == "committed"]
    assert [m.seq for m in committed] == list(range(1, len(strokes) + 1))
    assert [m.op.id for m in committed] == [op.id for op in strokes]
    flooded = lives[peers[id(flooder)]] / 1500
    assert flooded < 0.5
    for drawer in drawers:
        # What a person drawing at a normal pace sent arrives, or (on a machine too busy to keep
        # up, where the room's budget shrinks) a far larger part of it than of the flood.
        drawn = lives[peers[id(drawer)]] / 30
        assert drawn >= 25 / 30 or drawn >= 3 * flooded
    async with httpx.AsyncClient(timeout=30) as http:
        metrics = (await http.get(f"{server.url}/metrics")).text
    shed = re.search(r'inkroom_queue_drops_total\{kind="live_in"\} (\S+)', metrics)
    assert shed is not None and float(shed.group(1)) >= 1500 / 2
    for client in (watcher, flooder, *drawers):
        await client.close()
