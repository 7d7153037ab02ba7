"""Reference relay, shared-frame design: one frame per room per 10 ms tick, the same bytes for
every client (each client skips its own messages in it).

Messages are opaque bytes: no decoding, no validation, no storage. The floor that inkroom's
shared-frame fan-out is measured against.

    .venv/bin/python -m uvicorn bench.relay_tick:app --port 8102 --ws websockets-sansio \\
        --ws-per-message-deflate false
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.protocol import frame

TICK_SECONDS = 0.010
MAX_QUEUED_FRAMES = 100  # a second of ticks; past that a slow reader loses frames
SYNCED = frame([b"\x82\xa4type\xa6synced\xa8head_seq\x00"])


class Client:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.frames: deque[bytes] = deque()
        self.wakeup = asyncio.Event()

    def deliver(self, data: bytes) -> None:
        if len(self.frames) < MAX_QUEUED_FRAMES:
            self.frames.append(data)
            self.wakeup.set()

    async def write(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.frames:
                await self.websocket.send_bytes(self.frames.popleft())


class Room:
    def __init__(self) -> None:
        self.clients: set[Client] = set()
        self.pending: list[bytes] = []
        self.ticker = asyncio.create_task(self.tick())

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if self.pending:
                shared, self.pending = frame(self.pending), []
                for client in self.clients:
                    client.deliver(shared)


rooms: dict[str, Room] = {}


async def relay(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive_bytes()  # the join
    await websocket.send_bytes(SYNCED)
    board = websocket.path_params["board"]
    room = rooms.get(board) or rooms.setdefault(board, Room())
    me = Client(websocket)
    room.clients.add(me)
    writer = asyncio.create_task(me.write())
    try:
        while True:
            message = await websocket.receive_bytes()
            room.pending.append(message)  # after the await: a tick may have swapped the list
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        room.clients.discard(me)
        writer.cancel()


app = Starlette(routes=[WebSocketRoute("/ws/boards/{board}", relay)])
