"""An echo WebSocket app served exactly as ``inkroom serve`` serves the board app (the same
uvicorn options: protocol classes, size limit, no compression, pings), for the Autobahn
TestSuite's fuzzing client (docs/security.md, "WebSocket conformance").

    .venv/bin/python -m bench.autobahn_echo --port 9001
    .venv/bin/python -m bench.autobahn_echo --port 9001 --max-size 20000000   # for cases 9.*

Every text or binary message comes back as it came; the suite checks framing, fragmentation,
UTF-8, control frames and closing against RFC 6455.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import Receive, Scope, Send

from server.cli import uvicorn_options
from server.config import Settings


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "websocket" or (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await send({"type": "websocket.send", "bytes": message["bytes"]})
        else:
            await send({"type": "websocket.send", "text": message["text"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument(
        "--max-size", type=int, help="a message size limit other than the protocol's (cases 9.*)"
    )
    args = parser.parse_args()
    options = uvicorn_options(Settings())
    if args.max_size:
        options["ws_max_size"] = args.max_size
    uvicorn.run(echo, host="127.0.0.1", port=args.port, log_level="warning", **options)


if __name__ == "__main__":
    main()
