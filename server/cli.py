"""The ``inkroom`` command."""

from __future__ import annotations

import ipaddress
import json
import os
from typing import Annotated, Any

import typer
import uvicorn

from server.config import Settings
from server.connections import WEBSOCKET_PROTOCOLS, Gate, http_protocol, open_files_limit
from server.logs import log_config
from server.migrate import upgrade
from server.protocol import Limits

# Connections the kernel queues for accepting. asyncio accepts up to this many at each wakeup,
# before the gate sees any of them, and a connection the gate refuses or evicts keeps its file
# descriptor for two more turns of the event loop: on a starved process (measured with clients
# connecting faster than it runs) three bursts are open at once beside the gate's connections.
BACKLOG = 64
# File descriptors kept for the database (a pool of readers, each with its WAL and shared memory),
# the worker process's pipes, logs, and those three bursts of accepts plus one to spare.
OPEN_FILES_RESERVE = 64 + 4 * BACKLOG

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="inkroom drawing board server")


@cli.callback()
def _root() -> None:
    """inkroom: a self-hosted collaborative drawing board."""


LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def default_allowed_hosts(address: str) -> list[str]:
    """Served on loopback, only the loopback names; elsewhere the public name is not known."""
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = address == "localhost"
    return LOOPBACK_HOSTS if loopback else ["*"]


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Annotated[
        str, typer.Option(help="SQLite file path, or a SQLAlchemy URL.", envvar="INKROOM_DATABASE")
    ] = "inkroom.db",
    redis: Annotated[
        str | None,
        typer.Option(
            help="Redis URL, for several processes on one PostgreSQL database.",
            envvar="INKROOM_REDIS",
        ),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Apply database migrations before serving.")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the board app and its WebSocket rooms."""
    os.environ["INKROOM_DATABASE"] = database
    if redis:
        os.environ["INKROOM_REDIS"] = redis
    if "INKROOM_ALLOWED_HOSTS" not in os.environ:
        os.environ["INKROOM_ALLOWED_HOSTS"] = json.dumps(default_allowed_hosts(host))
    settings = Settings()
    if "*" in settings.allowed_hosts:
        typer.echo("warning: any Host is accepted; set INKROOM_ALLOWED_HOSTS to this server's "
                   "public name (DNS rebinding)", err=True)  # fmt: skip
    if migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "server.main:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        **uvicorn_options(settings),
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``serve`` configures uvicorn: connection limits, proxies, the WebSocket protocol.
    ``bench/autobahn_echo.py`` serves its echo app with the same, for the conformance suite."""
    # Connections are capped below the open-files limit, so the process never runs out of file
    # descriptors (it could then accept nothing, and logged every failed accept).
    total = settings.max_connections or max(open_files_limit() - OPEN_FILES_RESERVE, 16)
    gate = Gate(
        settings.header_timeout_seconds,
        settings.max_http_connections_per_address,
        total,
        exempt=settings.trusted_proxies,
    )
    return {
        "log_config": log_config(),
        "http": http_protocol(gate),
        "backlog": BACKLOG,
        # X-Forwarded-For / -Proto are believed only from the proxies named in the settings.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
        "ws": WEBSOCKET_PROTOCOLS[settings.websocket_implementation],
        # Compression cost ~800x in p99 latency on a busy room; frames are msgpack already.
        "ws_per_message_deflate": False,
        "ws_max_size": Limits.MAX_FRAME_BYTES,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "timeout_graceful_shutdown": 5,
    }


@cli.command()
def migrate(
    database: Annotated[
        str, typer.Option(help="SQLite file path, or a SQLAlchemy URL.", envvar="INKROOM_DATABASE")
    ] = "inkroom.db",
) -> None:
    """Apply database migrations and exit."""
    os.environ["INKROOM_DATABASE"] = database
    upgrade(Settings().database_url)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
