"""A Python client of the board protocol, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from server import protocol


def new_id() -> str:
    return secrets.token_urlsafe(12)


def stroke(
    points: int = 5, color: str = "#1e1e1e", width: float = 4.0, x: float = 0.0
) -> protocol.StrokeOp:
    flat: list[float] = []
    for i in range(points):
        flat += [x + i * 2.0, i * 1.5, 0.5]
    return protocol.StrokeOp(kind="stroke", id=new_id(), color=color, width=width, points=flat)


class BoardClient:
    """One connection: ``join`` it, ``send`` messages, and read what arrives with ``expect``."""

    def __init__(self, url: str, user: str | None = None, name: str = "Tester") -> None:
        self.url = url
        self.user = user or new_id()
        self.name = name
        self.ws: ClientConnection | None = None
        self.inbox: list[Any] = []
        self.received: list[Any] = []  # everything ever received, in order
        self.last_seq = 0

    async def connect(self) -> None:
        self.ws = await websockets.connect(self.url, compression=None, max_size=None)

    async def join(self, last_seq: int | None = None) -> protocol.Welcome:
        """Connect, join and read until ``synced``; returns the welcome."""
        await self.connect()
        seq = self.last_seq if last_seq is None else last_seq
        await self.send(
            protocol.Join(
                type="join", user=self.user, name=self.name, color="#3366ff", last_seq=seq
            )
        )
        welcome = await self.expect("welcome")
        await self.expect("synced")
        return welcome

    async def send(self, message: Any) -> None:
        assert self.ws is not None
        await self.ws.send(protocol.encode_client(message))

    async def send_raw(self, data: bytes | str) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def submit(self, op: Any) -> None:
        await self.send(protocol.Submit(type="op", op=op))

    async def _pull(self, timeout: float) -> None:
        assert self.ws is not None
        data = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(data, bytes), "server frames are binary"
        for message in protocol.decode_server_frame(data):
            if message.type in ("committed", "ack"):
                self.last_seq = max(self.last_seq, message.seq)
            self.inbox.append(message)
            self.received.append(message)

    async def expect(self, kind: str, timeout: float = 5.0, **fields: Any) -> Any:
        """The next message of this type (and these field values); others stay in the inbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, message in enumerate(self.inbox):
                if message.type == kind and all(
                    getattr(message, k) == v for k, v in fields.items()
                ):
                    return self.inbox.pop(index)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {kind} {fields} within {timeout} s; inbox: {self.inbox}")
            await self._pull(remaining)

    async def drain(self, quiet: float = 0.3) -> list[Any]:
        """Everything that arrives until the connection has been quiet for ``quiet`` seconds."""
        try:
            while True:
                await self._pull(quiet)
        except (TimeoutError, websockets.ConnectionClosed):
            pass
        messages, self.inbox = self.inbox, []
        return messages

    async def closed(self, timeout: float = 5.0) -> tuple[int | None, str]:
        """Wait for the server to close the connection; returns its close code and reason."""
        assert self.ws is not None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self._pull(timeout)
        except websockets.ConnectionClosed:
            pass
        rcvd = self.ws.close_rcvd
        return (rcvd.code, rcvd.reason) if rcvd else (None, "")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
