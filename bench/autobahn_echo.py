"""An echo WebSocket app served exactly as ``inkroom serve`` serves the board app (the same
uvicorn options: protocol classes, size limit, no compression, pings), for the Autobahn
TestSuite's fuzzing client (docs/security.md, "WebSocket conformance").

    .venv/bin/python -m bench.autobahn_echo --port 9001
    .venv/bin/python -m bench.autobahn_echo --port 9001 --max-size 20000000   # for cases 9.*
    .venv/bin/python -m bench.autobahn_echo --port 9001 --ws wsproto   # another implementation

Every text or binary message comes back as it came; the suite checks framing, fragmentation,
UTF-8, control frames and closing against RFC 6455.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import Receive, Scope, Send

from server.cli import uvicorn_options
from server.config import Settings
from server.connections import WEBSOCKET_PROTOCOLS


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
    parser.add_argument(
        "--ws",
        choices=list(WEBSOCKET_PROTOCOLS),
        help="uvicorn's WebSocket implementation, if not the one inkroom serves with",
    )
    args = parser.parse_args()
    settings = Settings(websocket_implementation=args.ws) if args.ws else Settings()
    options = uvicorn_options(settings)
    if args.max_size:
        options["ws_max_size"] = args.max_size
    uvicorn.run(echo, host="127.0.0.1", port=args.port, log_level="warning", **options)


if __name__ == "__main__":
    main()
