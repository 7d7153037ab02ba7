"""A Python client of the board protocol, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import secrets
import socket
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.protocol import State
from websockets.uri import parse_uri

from server import protocol
from server.points import encode as encode_points

# How long a test waits for what must come: generous, for a busy machine (it costs nothing when
# the answer comes sooner).
PATIENCE = 20.0


def new_id() -> str:
    return secrets.token_urlsafe(12)


def stroke(
    points: int = 5,
    color: str = "#1e1e1e",
    width: float = 4.0,
    x: float = 0.0,
    jagged: bool = False,
) -> protocol.StrokeOp:
    """A straight stroke (3 bytes a point), or a ``jagged`` one whose every point is far from the
    last (10 bytes a point: big operations, to fill buffers)."""
    flat: list[float] = []
    for i in range(points):
        if jagged:
            flat += [x + (i % 2) * 1e6, (i % 2) * 1e6, float(i % 2)]
        else:
            flat += [x + i * 2.0, i * 1.5, 0.5]
    return protocol.StrokeOp(
        kind="stroke", id=new_id(), color=color, width=width, points=encode_points(flat)
    )


def image(
    image_hash: str, x: float = 0.0, y: float = 0.0, w: float = 120.0, h: float = 80.0
) -> protocol.ImageOp:
    """An ``image`` operation placing the board's image ``image_hash``."""
    return protocol.ImageOp(kind="image", id=new_id(), hash=image_hash, x=x, y=y, w=w, h=h)


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

    async def join(
        self, last_seq: int | None = None, last_op: str | None = None, snapshot: bool = False
    ) -> protocol.Welcome:
        """Connect, join and read until ``synced``; returns the welcome."""
        await self.connect()
        seq = self.last_seq if last_seq is None else last_seq
        await self.send(
            protocol.Join(
                type="join",
                user=self.user,
                name=self.name,
                color="#3366ff",
                last_seq=seq,
                last_op=last_op,
                snapshot=snapshot,
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

    async def pull(self, timeout: float = PATIENCE) -> list[Any]:
        """Read one frame and return its messages (they also go to ``inbox`` and ``received``)."""
        start = len(self.received)
        await self._pull(timeout)
        return self.received[start:]

    async def expect(self, kind: str, timeout: float = PATIENCE, **fields: Any) -> Any:
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

    async def closed(self, timeout: float = PATIENCE) -> tuple[int | None, str]:
        """Wait for the server to close the connection; returns its close code and reason."""
        assert self.ws is not None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self._pull(timeout)
        except websockets.ConnectionClosed:
            pass
        rcvd = self.ws.protocol.close_rcvd
        return (rcvd.code, rcvd.reason) if rcvd else (None, "")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class StalledReader:
    """Joins over a raw socket with a tiny receive buffer, then stops reading, like a client
    whose tab froze: the server's writes back up into its own buffers."""

    def __init__(self, url: str, user: str | None = None, receive_buffer: int = 4096) -> None:
        self.url = url
        self.user = user or new_id()
        self.receive_buffer = receive_buffer
        self.protocol = ClientProtocol(parse_uri(url), max_size=None)
        self.sock: socket.socket | None = None

    async def join(self, timeout: float = PATIENCE) -> None:
        """Handshake and send ``join``; reads nothing after the handshake response."""
        loop = asyncio.get_running_loop()
        uri = parse_uri(self.url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting, so that the window the server sees stays small.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.setblocking(False)
        self.sock = sock
        async with asyncio.timeout(timeout):
            await loop.sock_connect(sock, (uri.host, uri.port))
            self.protocol.send_request(self.protocol.connect())
            await self._flush()
            while self.protocol.state is not State.OPEN:
                data = await loop.sock_recv(sock, 1)  # byte by byte: take no frame bytes
                if not data:
                    raise ConnectionError("closed during the handshake")
                self.protocol.receive_data(data)
                if self.protocol.handshake_exc is not None:
                    raise self.protocol.handshake_exc
        join = protocol.Join(type="join", user=self.user, name="Sleepy", color="#999999")
        self.protocol.send_binary(protocol.encode_client(join))
        await self._flush()

    async def _flush(self) -> None:
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        for data in self.protocol.data_to_send():
            if data:
                await loop.sock_sendall(self.sock, data)

    async def closed(self, timeout: float = PATIENCE) -> int | None:
        """Read again until the server closes: its close code, or None if it just hung up."""
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            while self.protocol.close_rcvd is None:
                try:
                    data = await loop.sock_recv(self.sock, 256 * 1024)
                except ConnectionResetError:
                    return None
                if not data:
                    return None
                self.protocol.receive_data(data)
                self.protocol.events_received()  # not kept: only the close matters here
        return self.protocol.close_rcvd.code

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Guest(BoardClient):
    """A ``BoardClient`` that may join with a link ``token``, connect from another loopback
    ``source`` address (each address has its own connection and creation limits), and send
    extra handshake ``headers`` (``Origin``, ``Cookie``)."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        name: str = "Tester",
        *,
        token: str | None = None,
        source: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(url, user, name)
        self.token = token
        self.source = source
        self.headers = headers or {}

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.url,
            compression=None,
            max_size=None,
            proxy=None,
            additional_headers=self.headers,
            local_addr=(self.source, 0) if self.source else None,
        )

    async def join(self, last_seq: int | None = None) -> protocol.Welcome:
        await self.connect()
        seq = self.last_seq if last_seq is None else last_seq
        join = protocol.Join(
            type="join", user=self.user, name=self.name, color="#3366ff", last_seq=seq,
            token=self.token,
        )  # fmt: skip
        await self.send(join)
        welcome = await self.expect("welcome")
        await self.expect("synced")
        return welcome


async def stored_log(url: str, **guest: Any) -> list[tuple[int, str, Any]]:
    """``(seq, author, op)`` of every stored operation, as a client joining from 0 gets them."""
    reader = Guest(url, name="History reader", **guest)
    try:
        await reader.join(0)
    finally:
        await reader.close()
    return [(m.seq, m.author, m.op) for m in reader.received if m.type == "committed"]
