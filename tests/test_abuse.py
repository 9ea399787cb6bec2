"""The abuse suite of issue 13: one test per measured case, each refused or bounded.

Each test names the case it measures. Races run on real server processes (on PostgreSQL
when the suite runs there)."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_database, live_server

API = "/api/v1"


def _rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn's workers), in kB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


# --- Inputs and outputs ------------------------------------------------------------------


def test_a_declared_huge_json_body_is_refused_unread(client):
    response = client.post(
        f"{API}/items",
        content=b"{}",
        headers={"Content-Length": str(200 * 1024 * 1024), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]


def test_an_unauthenticated_photo_upload_is_refused_before_it_is_read(client):
    response = client.post(
        f"{API}/destruction/batches/1/photos", files={"file": ("a.jpg", b"x" * 3_000_000)}
    )
    assert response.status_code == 401


def test_a_photo_larger_than_its_limit_is_413_even_with_a_token(client, world):
    body = b"x" * (11 * 1024 * 1024)
    response = client.post(
        f"{API}/destruction/batches/1/photos",
        files={"file": ("a.jpg", body)},
        headers=world.headers("manager"),
    )
    assert response.status_code == 413


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.slow  # a real server process
def test_a_streamed_50_mb_body_is_cut_off_and_the_server_stays_small(tmp_path):
    db = fresh_database(tmp_path, "evidence_limits")
    url = db.engine.url.render_as_string(hide_password=False)
    with live_server(url, workers=1) as server:
        time.sleep(0.5)
        before = _rss_kb(server.process.pid)
        statuses = []
        for path in (f"{API}/items", f"{API}/auth/token"):  # JSON, and a form
            with httpx.Client(base_url=server.url, timeout=60) as http:
                try:
                    response = http.post(
                        path,
                        content=_chunks(50 * 1024 * 1024),
                        headers={"Content-Type": "application/json"},
                    )
                    statuses.append(response.status_code)
                except httpx.HTTPError:  # the server may close while we still send
                    statuses.append(413)
        after = _rss_kb(server.process.pid)
    db.engine.dispose()
    assert statuses == [413, 413]
    assert after - before < 100 * 1024, (before, after)


def test_infinity_is_not_a_weight(client, world):
    body = (
        b'{"case_id": %d, "category": "other", "description": "x", "quantity": 1, '
        b'"unit": "piece", "net_weight_g": Infinity, "location_code": "S2"}'
        % world.cases["destroy"].id
    )
    response = client.post(
        f"{API}/items",
        content=body,
        headers={**world.headers("keeper"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "finite_number"
    # The word inside a string is only a word.
    fine = body.replace(b"Infinity", b"1").replace(b'"x"', b'"NaN Infinity"')
    response = client.post(
        f"{API}/items",
        content=fine,
        headers={**world.headers("keeper"), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text


def test_a_422_does_not_echo_a_huge_input(client, world):
    response = client.post(
        f"{API}/items",
        json={"description": "x" * 1_500_000, "quantity": "many"},
        headers=world.headers("keeper"),
    )
    assert response.status_code == 422
    assert len(response.content) < 5000


def test_readyz_tells_strangers_nothing_but_ready(client, database, monkeypatch):
    def broken() -> None:
        raise RuntimeError("connection to server at 10.1.2.3, port 5432 failed: db evidence")

    monkeypatch.setattr(database, "ping", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}
