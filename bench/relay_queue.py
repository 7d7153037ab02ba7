"""Reference relay, per-client design: the shape of ``server/rooms.py`` without the protocol.

Each message a client sends goes, as opaque bytes, into every other client's bounded queue; each
client's writer task sends whatever waits as one frame (a msgpack array of messages). No decoding,
no validation, no storage: the floor that inkroom's per-client fan-out is measured against.

    .venv/bin/python -m uvicorn bench.relay_queue:app --port 8101 --ws websockets-sansio \\
        --ws-per-message-deflate false
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.protocol import frame

MAX_QUEUED_BYTES = 2 * 1024 * 1024
SYNCED = frame([b"\x82\xa4type\xa6synced\xa8head_seq\x00"])


class Client:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.queue: deque[bytes] = deque()
        self.queued = 0
        self.wakeup = asyncio.Event()

    def deliver(self, message: bytes) -> None:
        if self.queued + len(message) > MAX_QUEUED_BYTES:
            return  # a slow reader loses messages; it never slows the others
        self.queue.append(message)
        self.queued += len(message)
        self.wakeup.set()

    async def write(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                messages = list(self.queue)
                self.queue.clear()
                self.queued = 0
                await self.websocket.send_bytes(frame(messages))


rooms: dict[str, set[Client]] = {}


async def relay(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive_bytes()  # the join
    await websocket.send_bytes(SYNCED)
    room = rooms.setdefault(websocket.path_params["board"], set())
    me = Client(websocket)
    room.add(me)
    writer = asyncio.create_task(me.write())
    try:
        while True:
            message = await websocket.receive_bytes()
            for client in room:
                if client is not me:
                    client.deliver(message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        room.discard(me)
        writer.cancel()


app = Starlette(routes=[WebSocketRoute("/ws/boards/{board}", relay)])
