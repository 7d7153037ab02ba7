"""Throwaway PostgreSQL, Redis and nginx for tests: the real ``postgres``, ``redis-server`` and
``nginx`` binaries on free ports in a temporary directory, never the machine's own services.

A test that needs them and cannot start them fails (RuntimeError), it is never skipped: the set-up
step (``make services``) installs Debian's ``postgresql``, ``redis-server`` and ``nginx`` packages.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.live_server import free_port


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if os.environ.get("INKROOM_TEST_PG_BIN"):
        return Path(os.environ["INKROOM_TEST_PG_BIN"])
    if found:
        return Path(found[-1]).parent
    postgres = shutil.which("postgres")
    if postgres is None:
        raise RuntimeError("PostgreSQL not found: run `make services` (Debian's postgresql)")
    return Path(postgres).parent


def _wait(what: str, ready: object, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start:\n{log.read_text(errors='replace')}")
        if callable(ready) and ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start:\n{log.read_text(errors='replace')}")


class PostgresServer:
    """A cluster of its own; ``new_database`` gives each user an empty database."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="inkroom-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "postgres.log"
        self._databases = 0
        # PostgreSQL refuses to run as root: run it as the postgres user then.
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            self._as = {"user": "postgres", "group": "postgres", "extra_groups": []}
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *command: str) -> None:
        result = subprocess.run(command, capture_output=True, check=False, **self._as)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stderr.decode(errors='replace')}")

    def start(self) -> None:
        data = self.dir / "data"
        if not data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "inkroom",
                      "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        command = [
            str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port),
            "-k", str(self.dir), "-c", "listen_addresses=127.0.0.1",
            # Throwaway data: no disk syncs (a killed server process still loses nothing).
            "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, **self._as
            )
        isready = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        _wait(
            "postgres", lambda: subprocess.run(isready, check=False).returncode == 0,
            self.process, self.log,
        )  # fmt: skip

    def new_database(self) -> str:
        """A new empty database's SQLAlchemy URL."""
        self._databases += 1
        name = f"inkroom_{self._databases}"
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "inkroom", name)  # fmt: skip
        return f"postgresql+asyncpg://inkroom@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """``restart`` keeps the port; ``pause`` / ``resume`` stop and continue the process."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server not found: run `make services` (Debian's redis-server)"
            )
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="inkroom-redis-"))
        self.port = free_port()
        self.log = self.dir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        return False

    def start(self) -> None:
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.dir),
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _wait("redis-server", self._answers, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class NginxServer:
    """nginx in front of ``upstreams`` with ``deploy/nginx-inkroom.conf``, the documented
    example, its ports replaced by free loopback ones; in the foreground, in a directory of its
    own (configuration, pid, logs, temporary files)."""

    EXAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "nginx-inkroom.conf"
    EXAMPLE_UPSTREAMS = ("127.0.0.1:8001", "127.0.0.1:8002")

    def __init__(self, upstreams: list[int]) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.access(binary, os.X_OK):
            raise RuntimeError("nginx not found: run `make services` (Debian's nginx)")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="inkroom-nginx-"))
        self.dir.chmod(0o755)  # run as root, its workers are another user
        self.port = free_port()
        self.log = self.dir / "error.log"
        self.process: subprocess.Popen[bytes] | None = None
        site = self.EXAMPLE.read_text()
        assert len(upstreams) == len(self.EXAMPLE_UPSTREAMS)
        for example, port in zip(self.EXAMPLE_UPSTREAMS, upstreams, strict=True):
            assert example in site
            site = site.replace(example, f"127.0.0.1:{port}")
        assert "listen 80;" in site
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        (self.dir / "inkroom.conf").write_text(site)
        d = self.dir
        (d / "nginx.conf").write_text(
            f"pid {d}/nginx.pid;\nerror_log {d}/error.log info;\n"
            "worker_processes 1;\nworker_shutdown_timeout 3s;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n  access_log {d}/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {d}/{kind}_temp;\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {d}/inkroom.conf;\n}}\n"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, board_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/boards/{board_id}"

    def _answers(self) -> bool:
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        return False

    def start(self) -> None:
        command = [
            self.binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"),
            "-e", str(self.log), "-g", "daemon off;",
        ]  # fmt: skip
        test = subprocess.run([*command, "-t"], capture_output=True, check=False)
        if test.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{test.stderr.decode()}")
        with (self.dir / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait("nginx", self._answers, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its workers too
                self.process.wait()
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)
