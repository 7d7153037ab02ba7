"""Server settings, read from ``INKROOM_*`` environment variables or given by the CLI."""

from __future__ import annotations

from pathlib import Path

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
    # FULL syncs every commit to disk, so an acknowledged operation survives even power loss;
    # group commit keeps that cheap. NORMAL would still survive a process crash.
    sqlite_synchronous: str = "FULL"
    frontend_dir: Path = PROJECT_ROOT / "frontend"
    # Operations committed in one transaction at the most.
    commit_batch: int = 512
    # A client whose unsent frames exceed this is disconnected (close 4002) and resumes later.
    client_queue_bytes: int = 8 * 1024 * 1024
    join_timeout_seconds: float = 10.0
    replay_page_ops: int = 500
    # Origins whose pages may open board sockets; empty means this app's own origin only.
    allowed_origins: list[str] = []

    @property
    def database_url(self) -> str:
        return database_url(self.database)
