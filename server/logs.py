"""Logging that cannot flood: the same message (by its format string) is written at most
``BURST`` times a minute; then one line says how many were left out. And logging that never
holds a token: the ``access_token`` query parameter is blanked out of every line."""

from __future__ import annotations

import copy
import logging
import re
import time
from typing import Any

from uvicorn.config import LOGGING_CONFIG

BURST = 10
WINDOW_SECONDS = 60.0


class RateLimit(logging.Filter):
    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.windows: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        started, count = self.windows.get(key, (now, 0))
        if now - started >= WINDOW_SECONDS:
            if count > BURST:
                record.msg = f"{record.msg} [{count - BURST} similar lines left out]"
            started, count = now, 0
        self.windows[key] = (started, count + 1)
        if len(self.windows) > 10_000:  # messages with variable text must not grow this
            self.windows.clear()
        return count < BURST


_TOKEN_IN_QUERY = re.compile(r"(access_token=)[^&\s\"']*")
# uvicorn's line for a refused upgrade; server.refusals writes one with the reason instead.
_UVICORN_UPGRADE_REFUSED = ('%s - "WebSocket %s" %d', '%s - "WebSocket %s" 403')


class Scrub(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("uvicorn") and record.msg in _UVICORN_UPGRADE_REFUSED:
            return False
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and "access_token=" in arg for arg in record.args
        ):
            record.args = tuple(
                _TOKEN_IN_QUERY.sub(r"\1[hidden]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, rate limited, with the app's and asyncio's records on the same
    handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"scrub": {"()": Scrub}, "rate_limit": {"()": RateLimit}}
    for handler in config["handlers"].values():
        handler["filters"] = ["scrub", "rate_limit"]
    config["loggers"]["server"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["asyncio"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    return config
