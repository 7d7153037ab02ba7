"""A call under way shared by whoever asks meanwhile, in process."""

from __future__ import annotations

import asyncio

import pytest

from server.single_flight import SingleFlight


async def test_callers_that_ask_at_once_share_one_call() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def read() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return 42

    waiting = [asyncio.create_task(flight.run("board", read)) for _ in range(10)]
    await asyncio.sleep(0)
    release.set()

    assert await asyncio.gather(*waiting) == [42] * 10
    assert calls == 1
    assert len(flight) == 0, "nothing is kept once the call is over"


async def test_a_caller_that_gives_up_does_not_cancel_the_call_for_the_others() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def read() -> int:
        await release.wait()
        return 7

    quitter = asyncio.create_task(flight.run("board", read))
    stayer = asyncio.create_task(flight.run("board", read))
    await asyncio.sleep(0)
    quitter.cancel()
    release.set()

    assert await stayer == 7
    with pytest.raises(asyncio.CancelledError):
        await quitter


async def test_a_call_after_the_last_one_ended_is_a_new_call_and_errors_reach_every_caller() -> (
    None
):
    flight: SingleFlight[str, int] = SingleFlight()
    answers = iter([ValueError("database away"), 3])

    async def read() -> int:
        await asyncio.sleep(0)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    failed = await asyncio.gather(
        flight.run("board", read), flight.run("board", read), return_exceptions=True
    )
    assert [type(f) for f in failed] == [ValueError, ValueError]
    assert await flight.run("board", read) == 3
