"""Prometheus metrics, served at ``/metrics``."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """One set per app, on its own registry, so that several apps in one process stay apart."""

    def message_in(self, kind: str) -> None:
        """Count one received message of type ``kind``."""
        child = self._messages_in_by_type.get(kind)
        if child is None:
            child = self._messages_in_by_type[kind] = self.messages_in.labels(kind)
        child.inc()

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connections = Gauge(
            "inkroom_connections", "Open board connections", registry=self.registry
        )
        self.boards_open = Gauge(
            "inkroom_boards_open", "Boards with at least one connection", registry=self.registry
        )
        self.messages_in = Counter(
            "inkroom_messages_in", "Messages received, by type", ["type"], registry=self.registry
        )
        # Each type's child, looked up once: ``labels()`` takes a lock and builds a key, which
        # every message of a busy room paid.
        self._messages_in_by_type: dict[str, Counter] = {}
        self.messages_out = Counter(
            "inkroom_messages_out", "Messages queued to clients", registry=self.registry
        )
        self.frames_out = Counter(
            "inkroom_frames_out", "Frames sent to clients", registry=self.registry
        )
        self.rejected = Counter(
            "inkroom_rejected", "Messages or connections refused, by reason", ["reason"],
            registry=self.registry,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "inkroom_commit_seconds", "Time to store one batch of operations",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )  # fmt: skip
        self.commit_batch = Histogram(
            "inkroom_commit_batch_operations", "Operations per stored batch",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 512),
            registry=self.registry,
        )  # fmt: skip
        self.queue_drops = Counter(
            "inkroom_queue_drops", "Messages dropped or clients cut off for being slow, by kind",
            ["kind"], registry=self.registry,
        )  # fmt: skip
        self.snapshot_seconds = Histogram(
            "inkroom_snapshot_seconds", "Time to build and store one board snapshot",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=self.registry,
        )  # fmt: skip
        self.snapshots_served = Counter(
            "inkroom_snapshots_served", "Joins sent a snapshot instead of a replay",
            registry=self.registry,
        )  # fmt: skip
        self.desyncs = Counter(
            "inkroom_desyncs",
            "Clients whose board did not match a state check and loaded it again",
            registry=self.registry,
        )
        self.fanout_up = Gauge(
            "inkroom_fanout_up",
            "1 while events reach the other processes (Redis answers), else 0",
            registry=self.registry,
        )
        self.fanout_up.set(1)
        self.fanout_dropped = Counter(
            "inkroom_fanout_dropped", "Events not sent to the other processes (Redis away)",
            registry=self.registry,
        )  # fmt: skip
        self.limits_shared = Gauge(
            "inkroom_limits_shared",
            "1 while limits count the connections and events of every process (Redis answers), "
            "0 while this process counts its own alone",
            registry=self.registry,
        )
        self.limits_shared.set(1)
        self.gaps_filled = Counter(
            "inkroom_gaps_filled",
            "Committed operations read from the database because their event was lost",
            registry=self.registry,
        )


def scrapers(allowed: Iterable[str]) -> Callable[[str | None], bool]:
    """Whether a client address may read the metrics: ``allowed`` holds addresses or networks
    (``10.0.0.0/8``), or ``*`` for anyone."""
    allowed = list(allowed)
    if "*" in allowed:
        return lambda address: True
    networks = [ipaddress.ip_network(entry, strict=False) for entry in allowed]

    def may(address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in networks)

    return may
