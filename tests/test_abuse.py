"""The abuse suite of issue 13: one test per measured case, each refused or bounded.

Each test names the case it measures. Races run on real server processes (on PostgreSQL
when the suite runs there)."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from tests.conftest import LIVE_SECRET, fresh_database, live_server
from tests.factories import PASSWORD

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
        f"{API}/destruction-batches/1/photos", files={"file": ("a.jpg", b"x" * 3_000_000)}
    )
    assert response.status_code == 401


def test_a_photo_larger_than_its_limit_is_413_even_with_a_token(client, world):
    body = b"x" * (11 * 1024 * 1024)
    response = client.post(
        f"{API}/destruction-batches/1/photos",
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


# --- Accounts ----------------------------------------------------------------------------


def _login(client, username: str, password: str, **extra: str) -> httpx.Response:
    return client.post(
        f"{API}/auth/token", data={"username": username, "password": password, **extra}
    )


def test_a_user_changes_their_own_password_and_every_old_token_ends(client, world):
    old = {"Authorization": "Bearer " + _login(client, "keeper", PASSWORD).json()["access_token"]}
    weak = client.post(
        f"{API}/users/me/password",
        json={"current_password": PASSWORD, "new_password": "password123"},
        headers=old,
    )
    assert weak.status_code == 422 and "too weak" in str(weak.json())
    wrong = client.post(
        f"{API}/users/me/password",
        json={"current_password": "not-it-at-all", "new_password": "Lúa-chín-vàng-2026"},
        headers=old,
    )
    assert wrong.status_code == 422
    ok = client.post(
        f"{API}/users/me/password",
        json={"current_password": PASSWORD, "new_password": "Lúa-chín-vàng-2026"},
        headers=old,
    )
    assert ok.status_code == 200, ok.text
    assert client.get(f"{API}/users/me", headers=old).status_code == 401
    assert _login(client, "keeper", PASSWORD).status_code == 401
    assert _login(client, "keeper", "Lúa-chín-vàng-2026").status_code == 200


def test_an_admin_resets_a_password_and_only_an_admin(client, world):
    body = {"new_password": "Sông-Hồng-chảy-mãi-7"}
    refused = client.post(
        f"{API}/users/keeper/password", json=body, headers=world.headers("manager")
    )
    assert refused.status_code == 403
    keeper = world.headers("keeper")
    done = client.post(f"{API}/users/keeper/password", json=body, headers=world.headers("admin"))
    assert done.status_code == 200, done.text
    assert client.get(f"{API}/users/me", headers=keeper).status_code == 401
    assert _login(client, "keeper", body["new_password"]).status_code == 200


def test_the_command_line_resets_a_password(tmp_path):
    from typer.testing import CliRunner

    from evidence_service.cli import app as cli
    from evidence_service.config import get_settings
    from tests.factories import make_world

    db = fresh_database(tmp_path, "evidence_reset")
    with db.session(write=True) as session:
        make_world(session)
        session.commit()
    env = {"EVIDENCE_DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        weak = runner.invoke(
            cli, ["users", "reset-password", "keeper", "--password-stdin"], "keeper12345\n", env=env
        )
        assert weak.exit_code == 1 and "too weak" in weak.output
        done = runner.invoke(
            cli,
            ["users", "reset-password", "keeper", "--password-stdin"],
            "Đèo-Hải-Vân-mây-phủ\n",
            env=env,
        )
        assert done.exit_code == 0, done.output
    finally:
        get_settings.cache_clear()
    with db.session() as session:
        from evidence_service.auth import _hasher
        from evidence_service.models import User

        user = session.exec(select(User).where(User.username == "keeper")).one()
        assert _hasher.verify("Đèo-Hải-Vân-mây-phủ", user.password_hash)
        assert user.token_version == 2
    db.engine.dispose()


def test_re_enabling_a_user_revives_neither_tokens_nor_web_sessions(client, world, session):
    from evidence_service.models import WebSession

    token = world.headers("keeper")
    page = client.get("/login")
    csrf = page.cookies.get("ev_login_csrf")
    login = client.post(
        "/login",
        data={"username": "keeper", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    admin = world.headers("admin")
    client.patch(f"{API}/users/keeper", json={"is_active": False}, headers=admin)
    client.patch(f"{API}/users/keeper", json={"is_active": True}, headers=admin)
    assert client.get(f"{API}/users/me", headers=token).status_code == 401
    assert session.exec(select(WebSession).where(WebSession.revoked.is_(False))).all() == []  # type: ignore[attr-defined]
    assert client.get("/scan", follow_redirects=False).status_code in (302, 303)


@pytest.mark.slow  # real server processes
def test_forty_parallel_wrong_passwords_give_five_401_then_429(tmp_path):
    from tests.factories import make_world

    db = fresh_database(tmp_path, "evidence_logins")
    with db.session(write=True) as session:
        make_world(session)
        session.commit()
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def guess(base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            barrier.wait()
            response = http.post(
                f"{API}/auth/token", data={"username": "keeper", "password": "wrong-guess"}
            )
            statuses.append(response.status_code)

    with live_server(db.engine.url.render_as_string(hide_password=False), workers=2) as server:
        threads = [threading.Thread(target=guess, args=(server.url,)) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    db.engine.dispose()
    assert statuses.count(401) == 5, sorted(statuses)
    assert statuses.count(429) == 35


def test_the_client_limit_counts_failures_whatever_succeeds_between(client, world):
    for n in range(19):
        assert _login(client, f"nobody{n}", "wrong-password").status_code == 401
    assert _login(client, "manager", PASSWORD).status_code == 200  # does not wipe the count
    assert _login(client, "nobody-last", "wrong-password").status_code == 401
    assert _login(client, "auditor", PASSWORD).status_code == 429


@pytest.mark.slow  # a real server process, started as production starts it
def test_invented_forwarded_addresses_do_not_dodge_the_client_limit(tmp_path):
    from tests.factories import make_world

    db = fresh_database(tmp_path, "evidence_proxies")
    with db.session(write=True) as session:
        make_world(session)
        session.commit()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "EVIDENCE_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "EVIDENCE_SECRET_KEY": LIVE_SECRET,
    }
    env.pop("EVIDENCE_TRUSTED_PROXIES", None)
    command = [sys.executable, "-m", "evidence_service.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        statuses = [
            httpx.post(
                f"{base}{API}/auth/token",
                data={"username": f"nobody{n}", "password": "wrong-password"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
                timeout=30,
            ).status_code
            for n in range(25)
        ]
    finally:
        process.terminate()
        process.wait(timeout=15)
        db.engine.dispose()
    assert statuses == [401] * 20 + [429] * 5


def test_a_secret_key_of_repeated_characters_is_refused():
    from evidence_service.config import Settings

    for weak in ("a" * 39, "ab" * 20, "0123456789abcdef" * 3, "short-but-random-9X"):
        with pytest.raises(RuntimeError, match="EVIDENCE_SECRET_KEY"):
            Settings(demo=False, secret_key=weak).check_secret()
    Settings(demo=False, secret_key="q3V_8zLr-Jm1tXc9YwKb2Nf7Hs0PdGe4").check_secret()


def test_two_factor_sign_in_enrols_and_then_asks_for_the_code(client, world, session):
    from evidence_service import totp
    from evidence_service.models import User

    headers = world.headers("manager")
    started = client.post(f"{API}/users/me/totp", headers=headers)
    assert started.status_code == 200 and started.json()["otpauth_uri"].startswith("otpauth://")
    secret = started.json()["secret"]
    wrong = client.post(f"{API}/users/me/totp/confirm", json={"code": "000000"}, headers=headers)
    assert wrong.status_code == 422
    code = totp.current_code(secret)
    done = client.post(f"{API}/users/me/totp/confirm", json={"code": code}, headers=headers)
    assert done.status_code == 200, done.text
    assert client.get(f"{API}/users/me", headers=headers).status_code == 401  # tokens ended
    assert _login(client, "manager", PASSWORD).status_code == 401
    assert _login(client, "manager", PASSWORD, totp_code="123456").status_code in (401,)
    ok = _login(client, "manager", PASSWORD, totp_code=totp.current_code(secret))
    assert ok.status_code == 200, ok.text
    user = session.exec(select(User).where(User.username == "manager")).one()
    assert user.totp_secret == secret and user.totp_pending is None


def test_roles_named_in_the_setting_must_use_two_factor(database, world):
    from fastapi.testclient import TestClient

    from evidence_service.app import create_app
    from evidence_service.config import Settings

    app = create_app(Settings(demo=True, totp_required_roles="manager,admin"), database)
    with TestClient(app) as http:
        refused = _login(http, "manager", PASSWORD)
        assert refused.status_code == 403 and "totp-enrol" in refused.json()["detail"]
        assert _login(http, "keeper", PASSWORD).status_code == 200
