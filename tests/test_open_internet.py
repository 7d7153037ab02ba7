"""Hardening for the open internet: what an attacker tried from outside, against a real
``inkroom serve``, each with its documented answer (docs/security.md) and proof that everyone
else kept drawing. Cases share a server where the settings allow it, each from a loopback address
of its own (see ``tests/test_abuse.py``)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import psutil
import pytest
import websockets

from server import protocol
from server.exports import DocumentStroke
from server.protocol import CloseCode, ErrorCode, Limits
from tests.live_server import LiveServer, running
from tests.test_abuse import (
    Bench,
    Witnesses,
    expect_presence,
    fresh_address,
    join_frame,
    refusal_code,
    store,
)
from tests.wire import Guest, StalledReader, new_id, stroke

IMPORT_BYTES = 4 * 1024 * 1024
BODY_BYTES = 16 * 1024
EXPOSED_ENV = {
    "INKROOM_MAX_IMPORT_BYTES": str(IMPORT_BYTES),
    "INKROOM_MAX_BODY_BYTES": str(BODY_BYTES),
    "INKROOM_SEND_TIMEOUT_SECONDS": "2",
    "INKROOM_HEADER_TIMEOUT_SECONDS": "1",
    "INKROOM_MAX_HTTP_CONNECTIONS_PER_ADDRESS": "20",
}


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The server most cases share: small body limits, everything else as configured by default."""
    with running(tmp_path_factory.mktemp("exposed") / "inkroom.db", EXPOSED_ENV) as live:
        yield live


@pytest.fixture
async def bench(exposed: LiveServer) -> Any:
    opened = Bench(exposed)
    try:
        yield opened
    finally:
        await opened.close()


def document_stroke() -> dict[str, Any]:
    """A one-point stroke as a board file holds it (points as numbers)."""
    return DocumentStroke.of(stroke(points=1)).model_dump()


def tiny_ops_document(count: int, title: str = "Imported") -> dict[str, Any]:
    author = new_id()
    ops = [{"seq": i + 1, "author": author, "op": document_stroke()} for i in range(count)]
    return {"format": "inkroom-board", "version": 1, "title": title, "operations": ops}


def raw_request(server: LiveServer, source: str, head: str, body: bytes = b"") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(head.encode() + body)
    return sock


async def answer_of(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection or goes quiet."""
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    received = b""
    try:
        async with asyncio.timeout(timeout):
            while chunk := await loop.sock_recv(sock, 65536):
                received += chunk
                if b"\r\n\r\n" in received and received.split(b"\r\n\r\n", 1)[1]:
                    head = received.split(b"\r\n\r\n", 1)[0].lower()
                    length = next(
                        int(line.split(b":")[1]) for line in head.split(b"\r\n")
                        if line.startswith(b"content-length:")
                    )  # fmt: skip
                    if len(received.split(b"\r\n\r\n", 1)[1]) >= length:
                        break
    except (TimeoutError, ConnectionResetError):
        pass
    return received


# 1. Large bodies


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        pytest.param("POST", "/api/boards/import", IMPORT_BYTES, id="import over its own limit"),
        pytest.param("POST", "/api/boards", BODY_BYTES, id="board creation"),
        pytest.param("PATCH", "/api/boards/{board}", BODY_BYTES, id="rename"),
    ],
)
async def test_a_body_declared_over_its_limit_is_refused_413_before_it_is_sent(
    bench: Bench, method: str, path: str, limit: int
) -> None:
    w = await Witnesses.gather(bench)
    head = (
        f"{method} {path.format(board=w.board_id)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {300 * 1024 * 1024}\r\n\r\n"
    )
    sock = raw_request(bench.server, bench.source, head, b'{"title": "')
    try:
        answer = await answer_of(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert len(answer) < 2_000
    await w.assert_unharmed()


async def test_a_chunked_body_is_cut_off_413_once_it_passes_the_limit(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    assert bench.server.process is not None
    server = psutil.Process(bench.server.process.pid)
    before = server.memory_info().rss
    sent = 0

    async def endless() -> Any:
        nonlocal sent
        yield b'{"title": "'
        while sent < 64 * 1024 * 1024:  # stops by itself if the server never answers
            sent += 64 * 1024
            yield b"a" * (64 * 1024)

    try:
        response = await bench.http.post(
            "/api/boards/import", content=endless(), headers={"Content-Type": "application/json"}
        )
        status = response.status_code
    except httpx.HTTPError:  # the server may answer and close while the upload is still going
        status = 413
    assert status == 413
    grown = server.memory_info().rss - before
    assert grown < 32 * 1024 * 1024, f"{sent} bytes sent took the server {grown} bytes"
    await w.assert_unharmed()


async def test_an_invalid_import_is_refused_briefly_without_echoing_it(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    document = tiny_ops_document(20_000)
    document["operations"][-1]["op"]["points"] = ["MARKER"] * 3
    body = json.dumps(document).encode()
    assert len(body) > 2 * 1024 * 1024
    response = await bench.http.post(
        "/api/boards/import", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert len(response.content) < 2_000 and b"MARKER" not in response.content
    assert "operations.19999.op" in response.json()["detail"]
    await w.assert_unharmed()


async def test_other_boards_keep_their_pace_while_the_largest_allowed_import_runs(
    bench: Bench,
) -> None:
    """Loosely: acks stalled for 6 s before; bench/import_stall.py measures the p99 precisely."""
    w = await Witnesses.gather(bench)
    document = tiny_ops_document(1)
    one = len(json.dumps(document["operations"][0])) + 2
    count = IMPORT_BYTES // one
    while len(body := json.dumps(tiny_ops_document(count)).encode()) > IMPORT_BYTES:
        count -= (len(body) - IMPORT_BYTES) // one + 1
    assert IMPORT_BYTES - 10_000 < len(body) <= IMPORT_BYTES
    importer = httpx.AsyncClient(
        base_url=bench.server.url,
        timeout=120.0,
        transport=httpx.AsyncHTTPTransport(local_address=fresh_address()),
    )
    importing = asyncio.create_task(
        importer.post(
            "/api/boards/import", content=body, headers={"Content-Type": "application/json"}
        )
    )
    latencies: list[float] = []
    try:
        while not importing.done():
            started = time.monotonic()
            await store(w.a, stroke())
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)  # 20 ops a second: under the rate limit of 30
        response = await importing
    finally:
        await importer.aclose()
    assert response.status_code == 201, response.text[:300]
    assert response.json()["head_seq"] == count
    assert len(latencies) >= 5, "the import finished before it could be measured"
    assert max(latencies) < 1.0, f"an ack took {max(latencies):.2f} s during the import"


async def test_a_lone_surrogate_nan_or_huge_number_gets_422_with_a_short_reason(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    op = document_stroke()
    bodies = {
        "a lone surrogate in a title": ("PATCH", f"/api/boards/{w.board_id}",
                                        b'{"title": "ab\\ud800cd"}'),
        "a lone surrogate in a new board's title": ("POST", "/api/boards",
                                                    b'{"title": "\\udfff"}'),
        "NaN in a new board's body": ("POST", "/api/boards", b'{"title": NaN}'),
        "a lone surrogate in an imported text": ("POST", "/api/boards/import", json.dumps(
            {"title": "t", "operations": [{"seq": 1, "author": new_id(), "op": {
                "kind": "text", "id": new_id(), "x": 1.0, "y": 1.0, "text": "PLACEHOLDER",
                "size": 16.0, "color": "#000000"}}]}).replace("PLACEHOLDER", "\\ud800").encode()),
        "NaN in imported points": ("POST", "/api/boards/import", json.dumps(
            {"title": "t", "operations": [{"seq": 1, "author": new_id(), "op": op}]})
            .replace('"points": [0.0', '"points": [NaN').encode()),
        "1e400 in imported points": ("POST", "/api/boards/import", json.dumps(
            {"title": "t", "operations": [{"seq": 1, "author": new_id(), "op": op}]})
            .replace('"points": [0.0', '"points": [1e400').encode()),
    }  # fmt: skip
    for case, (method, path, body) in bodies.items():
        response = await bench.http.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (case, response.status_code, response.text[:300])
        assert len(response.content) < 2_000, case
        assert response.json()["detail"], case
    assert (await bench.http.get(f"/api/boards/{w.board_id}")).json()["title"] == "Abuse"
    await w.assert_unharmed()


# 2. Connections that never send a byte


async def closed_by_server(sock: socket.socket, timeout: float = 10.0) -> bool:
    """Does the server close this connection (EOF or reset) within ``timeout``?"""
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            while await loop.sock_recv(sock, 65536):
                pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(b"", id="nothing"),
        pytest.param(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", id="half a request"),
        pytest.param(b"GET /ws/boards/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n",
                     id="half an upgrade"),
        pytest.param(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /heal",
                     id="half a second request on a kept-alive connection"),
    ],
)  # fmt: skip
async def test_a_connection_that_does_not_finish_its_headers_is_closed(
    bench: Bench, sent: bytes
) -> None:
    w = await Witnesses.gather(bench)
    sock = raw_request(bench.server, bench.source, "", sent)
    try:
        assert await closed_by_server(sock), "still open after 10 s (the deadline is 1 s)"
    finally:
        sock.close()
    await w.assert_unharmed()


async def test_idle_connections_over_the_per_address_cap_are_refused_at_once(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    crowd = fresh_address()
    idle = [raw_request(bench.server, crowd, "") for _ in range(30)]
    try:
        refused = await asyncio.gather(*(closed_by_server(sock, 0.5) for sock in idle[20:]))
        assert all(refused)
        health = await asyncio.to_thread(httpx.get, f"{bench.server.url}/healthz", timeout=5.0)
        assert health.status_code == 200
    finally:
        for sock in idle:
            sock.close()
    await w.assert_unharmed()


def test_at_the_open_files_limit_healthz_still_answers_and_the_log_stays_small(
    tmp_path: Path,
) -> None:
    live = LiveServer(
        tmp_path / "inkroom.db", env={"INKROOM_HEADER_TIMEOUT_SECONDS": "60"}, open_files=400
    )
    live.start()
    idle: list[socket.socket] = []
    try:
        for n in range(500):  # 50 addresses, 10 each: under the per-address cap
            idle.append(raw_request(live, f"127.1.{n // 10}.{n % 10 + 1}", ""))
        for attempt in range(3):
            health = httpx.get(f"{live.url}/healthz", timeout=5.0)
            assert health.status_code == 200, attempt
        board_id = live.create_board()
        assert httpx.get(f"{live.url}/api/boards/{board_id}", timeout=5.0).status_code == 200
    finally:
        for sock in idle:
            sock.close()
        live.stop()
    log = live.log()
    assert "Too many open files" not in log
    assert len(log) < 20_000, log[-2000:]


# 3. Clients that stop reading


async def open_connections(server: LiveServer) -> float:
    metrics = (await asyncio.to_thread(httpx.get, f"{server.url}/metrics", timeout=5.0)).text
    line = next(line for line in metrics.splitlines() if line.startswith("inkroom_connections "))
    return float(line.split()[1])


async def test_a_client_that_stops_reading_its_replay_is_dropped_and_its_socket_aborted(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    history = [await store(w.a, stroke(points=Limits.MAX_STROKE_POINTS, x=float(i), jagged=True))
               for i in range(50)]  # about 5 MB  # fmt: skip
    sleepy = StalledReader(bench.server.ws_url(w.board_id))
    try:
        await sleepy.join()
        await expect_presence(w.a, "joined", sleepy.user)
        # Send deadline (2 s here) and the close's grace: it is gone well within 10 s.
        await expect_presence(w.a, "left", sleepy.user, timeout=10.0)
        # The server aborted the connection: reading again ends in a reset or EOF, not in
        # megabytes of history and a connection that stays open.
        assert await sleepy.closed(timeout=10.0) in (None, 4002)
    finally:
        sleepy.close()
    assert await open_connections(bench.server) == 2  # the witnesses
    await w.assert_unharmed(added=history)


def test_shutdown_does_not_wait_for_a_client_that_stopped_reading(tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "inkroom.db", env={"INKROOM_SEND_TIMEOUT_SECONDS": "30"})
    live.start()

    async def stall() -> StalledReader:
        board_id = await asyncio.to_thread(live.create_board)
        writer = Guest(live.ws_url(board_id))
        await writer.join()
        for i in range(50):  # about 5 MB
            await store(writer, stroke(points=Limits.MAX_STROKE_POINTS, x=float(i), jagged=True))
        await writer.close()
        sleepy = StalledReader(live.ws_url(board_id))
        await sleepy.join()
        return sleepy

    sleepy = asyncio.run(stall())
    try:
        live.stop()
    finally:
        sleepy.close()
    log = live.log()
    assert "timeout graceful shutdown exceeded" not in log, log[-2000:]


# 4. Listing every board


async def test_a_stranger_cannot_list_the_boards_and_gets_403_without_any_id(bench: Bench) -> None:
    board_id = await bench.board("Findable?")
    for params in ({}, {"limit": 200}):
        listed = await bench.http.get("/api/boards", params=params)
        assert listed.status_code == 403, listed.text
        assert board_id not in listed.text
    assert (await bench.http.get(f"/api/boards/{board_id}")).status_code == 200  # by its id


def test_a_public_gallery_lists_open_boards_to_anyone_but_never_protected_ones(
    tmp_path: Path,
) -> None:
    with running(tmp_path / "inkroom.db", {"INKROOM_PUBLIC_GALLERY": "true"}) as gallery:
        shown = gallery.create_board("Shown")
        created = httpx.post(f"{gallery.url}/api/boards", json={"protected": True}, timeout=5.0)
        listed = httpx.get(f"{gallery.url}/api/boards", timeout=5.0)
    assert listed.status_code == 200
    ids = [board["id"] for board in listed.json()]
    assert shown in ids and created.json()["id"] not in ids


# 5. DNS rebinding


async def test_a_rebinding_page_with_its_own_host_and_origin_is_refused(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
    sock = raw_request(
        bench.server, bench.source,
        f"GET /ws/boards/{w.board_id} HTTP/1.1\r\nHost: evil.example\r\n"
        "Origin: http://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )  # fmt: skip
    try:
        answer = await answer_of(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    page = await bench.http.get("/", headers=rebound)
    assert page.status_code == 400 and "evil" not in page.headers.get("content-security-policy", "")
    api = await bench.http.post("/api/boards", json={"title": "x"}, headers=rebound)
    assert api.status_code == 400
    await w.assert_unharmed()


# 6. Long JWT subjects


SECRET = "a-test-secret-of-at-least-32-bytes!"


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("jwt") / "inkroom.db"
    with running(path, {**EXPOSED_ENV, "INKROOM_JWT_SECRET": SECRET}) as live:
        yield live


def token_for(sub: str, exp: Any = None, **claims: Any) -> str:
    return jwt.encode({"sub": sub, "exp": exp or int(time.time()) + 600, **claims}, SECRET)


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        pytest.param({}, 403, id="a signed-in user"),
        pytest.param({"admin": False}, 403, id="admin false"),
        pytest.param({"admin": "true"}, 401, id="admin as a string"),
        pytest.param({"admin": True}, 200, id="an admin"),
    ],
)
async def test_only_a_signed_in_admin_lists_every_board(
    signed_in: LiveServer, claims: dict[str, Any], status: int
) -> None:
    creator = {"Authorization": f"Bearer {token_for('creator-01')}"}
    lister = {"Authorization": f"Bearer {token_for('lister-01', **claims)}"}
    async with httpx.AsyncClient(base_url=signed_in.url, timeout=5.0) as http:
        board_id = (await http.post("/api/boards", headers=creator)).json()["id"]
        listed = await http.get("/api/boards", params={"limit": 200}, headers=lister)
    assert listed.status_code == status, listed.text
    assert (board_id in listed.text) == (status == 200)


async def test_two_long_subjects_with_a_common_prefix_are_two_authors(
    signed_in: LiveServer,
) -> None:
    source = fresh_address()
    alice_token, mallory_token = token_for("a" * 64 + "_alice"), token_for("a" * 64 + "_mallory")
    async with httpx.AsyncClient(
        base_url=signed_in.url, transport=httpx.AsyncHTTPTransport(local_address=source)
    ) as http:
        created = await http.post("/api/boards", headers={"Authorization": f"Bearer {alice_token}"})
    board_id = created.json()["id"]
    url = signed_in.ws_url(board_id)
    alice = Guest(url, headers={"Cookie": f"inkroom_token={alice_token}"}, source=source)
    mallory = Guest(url, headers={"Cookie": f"inkroom_token={mallory_token}"}, source=source)
    try:
        await alice.join()
        await mallory.join()
        seq, _, op = await store(alice, stroke())
        committed = await mallory.expect("committed", seq=seq)
        undo = protocol.UndoOp(kind="undo", id=new_id(), target=op.id)
        await mallory.submit(undo)
        assert (await mallory.expect("error", id=undo.id)).code == ErrorCode.FORBIDDEN
        welcome = next(m for m in mallory.received if m.type == "welcome")
        assert committed.author != welcome.peers[0].user or len(welcome.peers) == 1
    finally:
        await alice.close()
        await mallory.close()


@pytest.mark.parametrize("exp", ["9999999999", True, [9999999999]])
async def test_a_token_whose_exp_is_not_a_number_is_refused_401(
    signed_in: LiveServer, exp: Any
) -> None:
    response = await asyncio.to_thread(
        httpx.get, f"{signed_in.url}/api/boards/{'A' * 22}",
        headers={"Authorization": f"Bearer {token_for('someone-01', exp)}"}, timeout=5.0,
    )  # fmt: skip
    assert response.status_code == 401


# 8. Numbers and names the protocol documents


async def test_a_join_with_a_last_seq_beyond_2_to_the_53_gets_the_whole_board(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    late = bench.guest(w.board_id)
    await late.connect()
    await late.send_raw(join_frame(last_seq=2**63))
    await late.expect("welcome")
    await late.expect("synced")
    assert [m.seq for m in late.received if m.type == "committed"] == [1, 2]
    await w.assert_unharmed()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("\u202eevil", id="right-to-left override"),
        pytest.param("Mal\u2066lory", id="left-to-right isolate"),
        pytest.param("\u200b\u200d", id="zero-width only"),
        pytest.param("\u3164", id="a Hangul filler only"),
        pytest.param("Mal\ufdd0", id="a noncharacter"),
        pytest.param("Mal\U0010fffe", id="a plane-16 noncharacter"),
    ],
)
async def test_a_name_that_hides_or_reorders_itself_is_refused(bench: Bench, name: str) -> None:
    w = await Witnesses.gather(bench)
    bad = bench.guest(w.board_id)
    await bad.connect()
    await bad.send_raw(join_frame(name=name))
    assert await refusal_code(bad) == CloseCode.INVALID_PAYLOAD
    await w.assert_unharmed()


# 9. Logs and metrics

CHATTY_ENV = {
    "INKROOM_JOIN_TIMEOUT_SECONDS": "1",
    "INKROOM_MAX_CONNECTIONS_PER_ADDRESS": "1",
    "INKROOM_MAX_BOARD_OPERATIONS": "1",
    "INKROOM_FLOOD_TOLERANCE": "3",
    "INKROOM_CURSORS_PER_SECOND": "0.01",
    "INKROOM_CURSORS_BURST": "1",
    "INKROOM_JWT_SECRET": SECRET,
    "INKROOM_METRICS_ALLOWED": '["127.0.0.1", "10.0.0.0/8"]',
    "INKROOM_BOARDS_PER_ADDRESS_PER_HOUR": "2",
}


@pytest.fixture(scope="module")
def chatty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Logging at INFO, as ``inkroom serve`` does by default; small limits to meet quickly."""
    path = tmp_path_factory.mktemp("chatty") / "inkroom.db"
    live = LiveServer(path, None, "--log-level", "info", env=CHATTY_ENV)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def wait_for_line(server: LiveServer, *parts: str, timeout: float = 10.0) -> str:
    """The first log line holding every one of ``parts``, waited for."""
    deadline = time.monotonic() + timeout
    while True:
        for line in server.log().splitlines():
            if all(part in line for part in parts):
                return line
        if time.monotonic() > deadline:
            raise AssertionError(f"no log line with {parts}:\n{server.log()[-3000:]}")
        time.sleep(0.05)


def signed(source: str, server: LiveServer, board_id: str, **options: Any) -> Guest:
    return Guest(
        server.ws_url(board_id),
        headers={"Cookie": f"inkroom_token={token_for('logger-01')}"},
        source=source,
        **options,
    )


async def _new_board(server: LiveServer, source: str, protected: bool = False) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=server.url, transport=httpx.AsyncHTTPTransport(local_address=source)
    ) as http:
        created = await http.post(
            "/api/boards",
            json={"protected": protected},
            headers={"Authorization": f"Bearer {token_for('logger-01')}"},
        )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def _invalid_message(guest: Guest) -> None:
    await guest.join()
    await guest.send_raw(b"\xc1 not msgpack")
    await guest.closed()


async def _oversized_frame(guest: Guest) -> None:
    await guest.join()
    await guest.send_raw(b"\x00" * (Limits.MAX_FRAME_BYTES + 1))
    await guest.closed()


async def _text_frame(guest: Guest) -> None:
    await guest.join()
    await guest.send_raw("a text frame")
    await guest.closed()


async def _no_join(guest: Guest) -> None:
    await guest.connect()
    await guest.closed()


async def _flood(guest: Guest) -> None:
    await guest.join()
    for _ in range(10):
        await guest.send(protocol.Cursor(type="cursor", x=0.0, y=0.0))
    await guest.closed()


async def _board_full(guest: Guest) -> None:
    await guest.join()
    for _ in range(2):
        await guest.submit(stroke())
    await guest.expect("error", code=ErrorCode.BOARD_FULL)


LOGGED_REFUSALS = [
    pytest.param(_invalid_message, "WARNING", "refused 1007", id="invalid message"),
    pytest.param(_oversized_frame, "WARNING", "refused 1009", id="oversized frame"),
    pytest.param(_text_frame, "WARNING", "refused 1003", id="text frame"),
    pytest.param(_flood, "WARNING", "refused 4429", id="flood"),
    pytest.param(_no_join, "INFO", "refused 4001", id="no join in time"),
    pytest.param(_board_full, "INFO", "refused board_full", id="board full"),
]


@pytest.mark.parametrize(("act", "level", "code"), LOGGED_REFUSALS)
async def test_a_refusal_logs_one_line_with_its_level_address_board_and_code(
    chatty: LiveServer, act: Any, level: str, code: str
) -> None:
    source = fresh_address()
    board_id = (await _new_board(chatty, source))["id"]
    guest = signed(source, chatty, board_id)
    try:
        await act(guest)
    finally:
        await guest.close()
    line = wait_for_line(chatty, code, source, board_id)
    assert line.startswith(level), line
    assert len([x for x in chatty.log().splitlines() if source in x and "refused" in x]) == 1


async def test_refused_connections_log_their_code_never_a_token_and_no_handshake_noise(
    chatty: LiveServer,
) -> None:
    source = fresh_address()
    created = await _new_board(chatty, source, protected=True)
    board_id = created["id"]
    links = created["links"]
    # In by its editor link (its sign-in only makes it a viewer); the link is replaced: 4403.
    viewer = f"inkroom_token={token_for('viewer-01', role='viewer')}"
    guest = Guest(chatty.ws_url(board_id), token=links["editor"], source=source,
                  headers={"Cookie": viewer})  # fmt: skip
    await guest.join()
    async with httpx.AsyncClient(base_url=chatty.url) as http:
        replaced = await http.post(
            f"/api/boards/{board_id}/links/editor",
            headers={"X-Board-Token": links["owner"],
                     "Authorization": f"Bearer {token_for('logger-01')}"},
        )  # fmt: skip
    assert replaced.status_code == 200
    assert (await guest.closed())[0] == CloseCode.LINK_REQUIRED
    await guest.close()
    assert wait_for_line(chatty, "refused 4403", source, board_id).startswith("INFO")
    # A second connection from the address: 4430 at WARNING.
    first, second = signed(source, chatty, board_id), signed(source, chatty, board_id)
    await first.join()
    try:
        await second.connect()  # refused before its join
        assert await refusal_code(second) == CloseCode.TOO_MANY_CONNECTIONS
    finally:
        await first.close()
        await second.close()
    assert wait_for_line(chatty, "refused 4430", source).startswith("WARNING")
    # Refused before the upgrade: a forged token in the query (401), another site's page (403).
    forged = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, "not-the-secret" * 3)
    for headers, url in (
        ({}, f"{chatty.ws_url(board_id)}?access_token={forged}"),
        ({"Origin": "http://evil.example"}, f"{chatty.ws_url(board_id)}?access_token={forged}"),
    ):
        refused = Guest(url, headers=headers, source=source)
        with pytest.raises(websockets.InvalidStatus):
            await refused.connect()
    assert wait_for_line(chatty, "refused http_401", source, board_id).startswith("INFO")
    assert wait_for_line(chatty, "refused origin", source, board_id).startswith("WARNING")
    log = chatty.log()
    assert forged not in log and replaced.json()["token"] not in log
    assert not [link for link in links.values() if link in log]
    assert "without completing handshake" not in log


HTTP_REFUSALS = [
    pytest.param("POST", "/api/boards", {"content": b"{" + b" " * 70_000 + b"}"}, 413,
                 id="body too large"),
    pytest.param("POST", "/api/boards", {"json": {"protected": "maybe"}}, 422, id="invalid body"),
    pytest.param("POST", "/api/boards", {"json": {}}, 429, id="too many boards"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "route", "request_options", "status"), HTTP_REFUSALS)
async def test_an_http_refusal_logs_one_line_with_its_address_route_and_status_never_a_token(
    chatty: LiveServer, method: str, route: str, request_options: dict[str, Any], status: int
) -> None:
    source = fresh_address()
    signed_in = {"Authorization": f"Bearer {token_for('logger-01')}",
                 "Content-Type": "application/json"}  # fmt: skip
    async with httpx.AsyncClient(
        base_url=chatty.url, transport=httpx.AsyncHTTPTransport(local_address=source)
    ) as http:
        for _ in range(3):  # the address may create two boards an hour here
            response = await http.request(
                method, f"{route}?note=from-the-client", headers=signed_in, **request_options
            )
            if response.status_code == status:
                break
    assert response.status_code == status, response.text
    line = wait_for_line(chatty, f"refused http_{status}", source)
    assert line.startswith("WARNING"), line
    assert f"on {method} {route}:" in line, line
    assert "from-the-client" not in line  # the route's template, not the URL sent
    assert signed_in["Authorization"].split()[1] not in chatty.log()


async def test_an_http_refusal_on_a_board_names_the_board(chatty: LiveServer) -> None:
    source = fresh_address()
    board_id = (await _new_board(chatty, source))["id"]
    async with httpx.AsyncClient(
        base_url=chatty.url, transport=httpx.AsyncHTTPTransport(local_address=source)
    ) as http:
        response = await http.patch(
            f"/api/boards/{board_id}",
            json={"title": 12},
            headers={"Authorization": f"Bearer {token_for('logger-01')}"},
        )
    assert response.status_code == 422
    line = wait_for_line(chatty, "refused http_422", source)
    assert f"on board {board_id} (PATCH /api/boards/{{board_id}})" in line, line


async def test_refusal_lines_are_rate_limited(chatty: LiveServer) -> None:
    source = fresh_address()
    board_id = (await _new_board(chatty, source))["id"]
    for _ in range(30):
        refused = Guest(chatty.ws_url(board_id), headers={"Origin": "http://evil.example"},
                        source=source)  # fmt: skip
        with pytest.raises(websockets.InvalidStatus):
            await refused.connect()
    wait_for_line(chatty, "refused origin", source)
    lines = [line for line in chatty.log().splitlines() if "refused origin" in line]
    assert len(lines) <= 10


@pytest.mark.parametrize(
    ("source", "status"),
    [pytest.param("127.0.0.1", 200, id="an allowed address"),
     pytest.param("127.0.9.9", 403, id="another address")],
)  # fmt: skip
async def test_metrics_are_served_only_to_the_allowed_addresses(
    chatty: LiveServer, source: str, status: int
) -> None:
    async with httpx.AsyncClient(
        base_url=chatty.url, transport=httpx.AsyncHTTPTransport(local_address=source)
    ) as http:
        response = await http.get("/metrics")
    assert response.status_code == status
    assert ("inkroom_rejected_total" in response.text) == (status == 200)


# 10. The rest


async def test_head_of_the_home_page_answers_200_without_a_body(bench: Bench) -> None:
    response = await bench.http.head("/")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/html")


async def test_redoc_is_off_and_its_address_gets_the_page_policy(bench: Bench) -> None:
    response = await bench.http.get("/redoc")
    assert response.status_code == 404
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_the_openapi_document_lists_the_refusals_of_each_route(bench: Bench) -> None:
    paths = (await bench.http.get("/openapi.json")).json()["paths"]

    def listed(path: str, method: str) -> set[str]:
        return {code for code in paths[path][method]["responses"] if code.startswith("4")}

    board = "/api/boards/{board_id}"
    assert {"401", "403", "413", "422", "429"} <= listed("/api/boards", "post")
    assert {"401", "403", "422"} <= listed("/api/boards", "get")
    assert {"401", "403", "404", "422"} <= listed(board, "get")
    assert {"401", "403", "404", "413", "422"} <= listed(board, "patch")
    assert {"403", "404"} <= listed(board, "delete")
    assert {"403", "404"} <= listed(board + "/export.svg", "get")
    assert {"401", "403", "413", "422", "429"} <= listed("/api/boards/import", "post")
    assert "403" in listed("/metrics", "get")
    invalid = paths["/api/boards"]["post"]["responses"]["422"]["content"]["application/json"]
    assert invalid["schema"]["$ref"].endswith("/Invalid")  # where and why, never the input
