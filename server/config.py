"""Server settings, read from ``INKROOM_*`` environment variables or given by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as an SQLite file)."""
    if "://" in value:
        return value
    return f"sqlite+aiosqlite:///{Path(value).expanduser().resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INKROOM_")

    database: str = "inkroom.db"
    # Redis URL: room traffic and presence between processes sharing one PostgreSQL database.
    # None: one process, fan-out in memory.
    redis: str | None = None
    # Each process tells the others on a board who is here this often; silent 3 times as long,
    # it has died and its people have left.
    presence_heartbeat_seconds: float = 1.0
    # With Redis, committed operations missing this long are read from the database.
    fanout_gap_seconds: float = 0.5
    # Redis commands taking longer than this count as Redis being away.
    redis_timeout_seconds: float = 1.0
    # FULL syncs every commit to disk, so an acknowledged operation survives even power loss;
    # group commit keeps that cheap. NORMAL would still survive a process crash.
    sqlite_synchronous: str = "FULL"
    frontend_dir: Path = PROJECT_ROOT / "frontend"
    # Operations committed in one transaction at the most.
    commit_batch: int = 512
    # A client whose unsent frames exceed this is disconnected (close 4002) and resumes later.
    client_queue_bytes: int = 8 * 1024 * 1024
    join_timeout_seconds: float = 10.0
    # A request whose headers are not all in this long after its first byte is closed.
    header_timeout_seconds: float = 10.0
    # Connections not yet upgraded to a board socket, per client address.
    max_http_connections_per_address: int = 64
    # All connections; 0: the open-files limit (raised to its hard limit) less a reserve.
    max_connections: int = 0
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto are believed; none by default.
    trusted_proxies: list[str] = []
    # uvicorn's WebSocket implementation: wsproto passes the conformance suite where the others
    # fail cases, at a fan-out cost within the noise (docs/security.md, "WebSocket conformance");
    # the others are there to be measured against it.
    websocket_implementation: Literal["wsproto", "websockets-sansio", "websockets"] = "wsproto"
    # A client that takes none of a frame for this long has stopped reading: close 4002.
    send_timeout_seconds: float = 10.0
    # A connection that sends nothing for this long is closed (4008); 0 turns it off.
    idle_timeout_seconds: float = 3600.0
    # Limits (docs/security.md lists each with its answer on the wire).
    max_board_operations: int = 1_000_000
    max_board_bytes: int = 512 * 1024 * 1024
    max_connections_per_board: int = 100
    max_connections_per_address: int = 40
    boards_per_address_per_hour: int = 60
    operations_per_second: float = 30.0
    operations_burst: float = 120.0
    live_per_second: float = 90.0
    live_burst: float = 180.0
    cursors_per_second: float = 30.0
    cursors_burst: float = 60.0
    # A room's live points, counted in deliveries (a message times its recipients) a second:
    # past this, each sender gets an equal share and the rest is dropped unread (at 200 people
    # drawing at 30 messages a second a room delivers 1.2 million; docs/benchmarks.md).
    room_live_deliveries_per_second: float = 2_000_000.0
    # Messages refused in a row for rate before the connection is closed (4429).
    flood_tolerance: int = 100
    replay_page_ops: int = 500
    # Every this many operations, clients get the board's state hash to check theirs (0: never).
    state_check_every_ops: int = 200
    # Snapshots (docs/storage.md): built every this many operations (and a tenth of the board),
    # or once a board has been quiet this long with this many new operations.
    snapshot_every_ops: int = 1000
    snapshot_quiet_seconds: float = 30.0
    snapshot_quiet_ops: int = 100
    # A board's snapshot is built again at most this often.
    snapshot_min_interval_seconds: float = 30.0
    # Objects per snapshot part: a browser fetches the parts on its screen first.
    snapshot_part_objects: int = 8192
    # A joining browser is sent a snapshot rather than a replay past this many operations.
    snapshot_offer_after_ops: int = 500
    # Request bodies over this many bytes are refused with 413 before they are read in full.
    max_body_bytes: int = 64 * 1024
    # The board import's own limit (a board document holds the whole history, images included).
    max_import_bytes: int = 16 * 1024 * 1024
    # An image file added to a board (PNG, JPEG, WebP or GIF), before the server encodes it again.
    max_image_bytes: int = 10 * 1024 * 1024
    # Images added per client address per minute: each costs the worker process a decode.
    images_per_address_per_minute: int = 60
    # Server-wide sign-in (docs/security.md): set a secret to require a JWT everywhere.
    jwt_secret: str | None = None
    jwt_algorithm: str = "HS256"
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    # Origins whose pages may open board sockets; empty means this app's own origin only.
    allowed_origins: list[str] = []
    # Host names this server answers to (any port); others get 400, which is what stops DNS
    # rebinding. Empty: the loopback names when serving on a loopback address, else any ("*").
    allowed_hosts: list[str] = []
    # Anyone may list every open board (GET /api/boards): the instance is a public gallery.
    # Off, only a signed-in admin may; everyone else knows the boards they were given.
    public_gallery: bool = False
    # Addresses or networks that may read /metrics (every refusal count is in it); ["*"]: anyone.
    metrics_allowed: list[str] = ["127.0.0.0/8", "::1"]

    @property
    def database_url(self) -> str:
        return database_url(self.database)
