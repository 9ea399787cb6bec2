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
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from evidence_service.i18n import LOCAL_TIME_ZONE
from evidence_service.legal.holidays import local_today
from evidence_service.models import Item
from tests.conftest import (
    LIVE_SECRET,
    SERVER_START_SECONDS,
    TEST_KEY_FILE,
    fresh_database,
    live_server,
)
from tests.factories import PASSWORD, confirm_request, exit_document, item_data, make_item

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


@pytest.mark.parametrize(
    ("path", "within", "over"),
    [
        # Each upload has its own limit, on the API path and on the web page alike.
        (f"{API}/imports", 5 * 1024 * 1024, 200 * 1024 * 1024),
        ("/imports", 5 * 1024 * 1024, 200 * 1024 * 1024),
        (f"{API}/cases/1/attachments", 5 * 1024 * 1024, 30 * 1024 * 1024),
        ("/cases/1/attachments", 5 * 1024 * 1024, 30 * 1024 * 1024),
    ],
)
def test_each_upload_has_its_own_limit(client, world, path, within, over):
    headers = {**world.headers("manager"), "Content-Type": "multipart/form-data; boundary=x"}
    for size, refused in ((within, False), (over, True)):
        declared = {**headers, "Content-Length": str(size)}
        response = client.post(path, content=b"--x--\r\n", headers=declared)
        assert (response.status_code == 413) is refused, (path, size, response.status_code)


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
        "EVIDENCE_SIGNING_KEY_FILE": str(TEST_KEY_FILE),
    }
    env.pop("EVIDENCE_TRUSTED_PROXIES", None)
    command = [sys.executable, "-m", "evidence_service.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
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


# --- One person alone --------------------------------------------------------------------


def _post(client, world, path: str, body: dict | None = None, user: str = "manager"):
    return client.post(f"{API}{path}", json=body or {}, headers=world.headers(user))


def _narcotics(session, world):
    return make_item(
        session,
        world,
        category="drug",
        hazard_classes=["narcotics"],
        location_code="SEC-1",
        case_id=world.cases["pending"].id,
        net_weight_g=100.0,
        gross_weight_g=110.0,
    )


def test_narcotics_cannot_be_sold_released_or_changed_by_one_manager(client, session, world):
    item = _narcotics(session, world)
    path = f"/items/{item.code}/disposition"
    sell = _post(client, world, path, {"disposition": "sell", **exit_document("12/QĐ")})
    assert sell.status_code == 422 and "destroy" in str(sell.json())
    for placeholder in ("0", "-", " ", "bịa"):
        body = {"disposition": "destroy", **exit_document(placeholder)}
        assert _post(client, world, path, body).status_code == 422, placeholder
    asked = _post(client, world, path, {"disposition": "destroy", **exit_document("12/QĐ")})
    assert asked.status_code == 200 and asked.json()["item"]["disposition"] == "pending"
    waiting = client.get(f"{API}/approvals", headers=world.headers("manager")).json()
    (request,) = [a for a in waiting if a["item_code"] == item.code]
    assert request["can_confirm"] is False  # not by the manager who asked
    alone = _post(client, world, f"/approvals/{request['id']}/confirm")
    assert alone.status_code == 403
    release = {"recipient": "buyer", **exit_document("5/BB")}
    assert _post(client, world, f"/items/{item.code}/release", release).status_code == 409
    # An item that may be released goes to somebody named, on a real document.
    owners = make_item(session, world)
    for recipient in (" ", "-", "…"):
        body = {"recipient": recipient, **exit_document("5/BB")}
        nobody = _post(client, world, f"/items/{owners.code}/release", body)
        assert nobody.status_code == 422, recipient
        assert nobody.json()["detail"][0]["ctx"]["key"] == "sod13_validation.recipient"


def test_every_exit_request_needs_a_dated_document_with_its_issuer(client, session, world):
    """Release, return to owner, confiscation hand-over, transfer and a disposition change:
    the document the law requires is numbered, dated (not in the future, not absurdly old)
    and issued by someone named."""
    today = local_today()
    bad = {
        "document_date": [
            ({"document_date": None}, "sod13b_validation.document_date"),
            (
                {"document_date": str(today + timedelta(days=2))},
                "ledger15_validation.document_future",
            ),
            ({"document_date": "1990-05-01"}, "ledger15_validation.document_too_old"),
        ],
        "document_issuer": [
            ({"document_issuer": value}, "ledger15_validation.issuer")
            for value in ("", " ", "-", "…")
        ],
    }
    pending = make_item(session, world, case_id=world.cases["pending"].id)
    stored = make_item(session, world)  # the document is checked before anything else
    requests = [
        (f"/items/{pending.code}/disposition", {"disposition": "return_to_owner"}),
        (f"/items/{pending.code}/disposition", {"disposition": "confiscate"}),
        (f"/items/{stored.code}/release", {"recipient": "Nguyễn Văn Chủ"}),
        (f"/items/{stored.code}/transfer", {"to_agency": "B-PROV"}),
    ]
    for path, body in requests:
        for field, cases in bad.items():
            for change, key in cases:
                refused = _post(client, world, path, {**body, **exit_document("5/QĐ"), **change})
                assert refused.status_code == 422, (path, change)
                (error,) = refused.json()["detail"]
                assert error["loc"] == ["body", field] and error["ctx"]["key"] == key, (path, error)
        missing = {k: v for k, v in exit_document("5/QĐ").items() if k != "document_issuer"}
        assert _post(client, world, path, {**body, **missing}).status_code == 422, path
    assert client.get(f"{API}/approvals", headers=world.headers()).json() == []  # nothing asked
    dated_today = {"disposition": "return_to_owner", **exit_document("5/QĐ")}
    asked = _post(client, world, f"/items/{pending.code}/disposition", dated_today)
    assert asked.status_code == 200, asked.text
    confirmed = confirm_request(client, world, pending.code).json()
    event = client.get(f"{API}/items/{pending.code}/custody", headers=world.headers()).json()[-1]
    assert confirmed["disposition"] == "return_to_owner"
    assert event["details"]["document_date"] == today.isoformat()
    assert event["details"]["document_issuer"] == "Thủ trưởng THADS A"


def test_a_transfer_goes_to_an_existing_agency_and_ends_with_the_receivers_scan(
    client, session, world
):
    item = make_item(session, world)
    path = f"/items/{item.code}/transfer"
    nobody = _post(client, world, path, {"to_agency": "nobody", **exit_document("9/QĐ")})
    assert nobody.status_code == 422
    asked = _post(client, world, path, {"to_agency": "B-PROV", **exit_document("9/QĐ")})
    assert asked.json()["status"] == "pending_release"
    assert confirm_request(client, world, item.code).json()["status"] == "in_transit"
    # Still in stock while on the road, and seen by both agencies.
    mine = client.get(f"{API}/items/{item.code}", headers=world.headers("manager")).json()
    assert mine["status"] == "in_transit"
    coming = client.get(
        f"{API}/approvals", params={"status": "confirmed"}, headers=world.headers("other-keeper")
    ).json()
    assert [a["item_code"] for a in coming] == [item.code]
    wrong = _post(
        client, world, f"/items/{item.code}/receive", {"location_code": "S1"}, "other-keeper"
    )
    assert wrong.status_code == 404  # not one of the receiving agency's locations
    sender = _post(client, world, f"/items/{item.code}/receive", {"location_code": "S1"}, "keeper")
    assert sender.status_code == 409  # the sender cannot receive its own transfer
    received = _post(
        client, world, f"/items/{item.code}/receive", {"location_code": "X1"}, "other-keeper"
    )
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "stored" and received.json()["location_code"] == "X1"
    history = client.get(f"{API}/items/{item.code}/custody", headers=world.headers("other-keeper"))
    kinds = [e["event_type"] for e in history.json()]
    assert kinds[-3:] == ["approval_requested", "transfer", "transfer_received"]


MEMBERS = [
    {
        "name": "Nguyễn Văn Ánh",
        "position": "Chấp hành viên",
        "organisation": "Chi cục",
        "role": "chair",
    },
    {
        "name": "Trần Thị Bích",
        "position": "Kế toán",
        "organisation": "Phòng Tài chính",
        "role": "member",
    },
    {"name": "Lê Đức Thắng", "position": "Cán bộ", "organisation": "Công an", "role": "member"},
    {
        "name": "Phạm Hồng Sơn",
        "position": "Kiểm sát viên",
        "organisation": "VKSND",
        "role": "procuracy",
    },
]


def _batch(client, world, codes):
    batch = _post(client, world, "/destruction-batches", {"title": "Đợt 1"}).json()
    _post(client, world, f"/destruction-batches/{batch['id']}/items", {"codes": codes})
    return batch["id"]


def _approve(client, world, batch_id, members, decision_date=None, user="manager"):
    today = local_today()
    body = {
        "decision_number": "15/QĐ-CCTHADS",
        "decision_date": str(decision_date or today),
        "decision_issuer": "Chi cục trưởng",
        "members": members,
    }
    return _post(client, world, f"/destruction-batches/{batch_id}/approve", body, user)


def _execute(client, world, batch_id, item, at: datetime, user="manager"):
    body = {
        "executed_at": at.isoformat(),
        "site": "Bãi xử lý",
        "method": "crushing",
        "method_details": {"equipment": "Máy nghiền"},
        "environment": {
            "weather": "Nắng",
            "residue_quantity_kg": 0.5,
            "residue_destination": "Bãi rác",
        },
        "items": [
            {
                "code": item.code,
                "seal_intact": True,
                "measured_weight_g": item.net_weight_g,
                "result": "destroyed",
            }
        ],
    }
    return _post(client, world, f"/destruction-batches/{batch_id}/execute", body, user)


def test_one_manager_cannot_run_a_destruction_alone(client, session, world):
    item = make_item(session, world)
    batch_id = _batch(client, world, [item.code])
    same_person = [*MEMBERS[:3], {**MEMBERS[0], "name": "  NGUYỄN   văn ánh ", "role": "member"}]
    refusals = {
        "no procuracy": [*MEMBERS[:3]],
        "same person": [*same_person, MEMBERS[3]],
        "blank name": [*MEMBERS, {**MEMBERS[1], "name": "   "}],
        "no position": [{**MEMBERS[0], "position": ""}, *MEMBERS[1:]],
    }
    for why, members in refusals.items():
        response = _approve(client, world, batch_id, members)
        assert response.status_code == 422, (why, response.text)
    assert _approve(client, world, batch_id, MEMBERS, date(1990, 1, 1)).status_code == 422
    next_month = _approve(client, world, batch_id, MEMBERS, local_today() + timedelta(days=30))
    assert next_month.status_code == 422 and "future" in str(next_month.json())
    assert _approve(client, world, batch_id, MEMBERS).status_code == 200
    # 10:00 in Vietnam on the day before the decision is before it, whatever UTC says.
    today = local_today()
    day_before = datetime.combine(today - timedelta(days=1), dt_time(10), LOCAL_TIME_ZONE)
    early = _execute(client, world, batch_id, item, day_before)
    assert early.status_code == 422 and "local time" in str(early.json())
    ancient = _execute(client, world, batch_id, item, datetime(1900, 1, 1, 3, tzinfo=UTC))
    assert ancient.status_code == 422
    now = datetime.now(UTC) - timedelta(minutes=1)
    assert _execute(client, world, batch_id, item, now).status_code == 200
    alone = _post(client, world, f"/destruction-batches/{batch_id}/close")
    assert alone.status_code == 403 and "alone" in alone.json()["detail"]
    closed = _post(client, world, f"/destruction-batches/{batch_id}/close", user="manager2")
    assert closed.status_code == 200, closed.text


def test_members_with_accounts_confirm_presence_themselves_before_close(client, session, world):
    item = make_item(session, world)
    batch_id = _batch(client, world, [item.code])
    members = [*MEMBERS[:2], {**MEMBERS[2], "name": "Council", "username": "council"}, MEMBERS[3]]
    assert _approve(client, world, batch_id, members).status_code == 200
    assert _execute(client, world, batch_id, item, datetime.now(UTC)).status_code == 200
    close = f"/destruction-batches/{batch_id}/close"
    absent = _post(client, world, close, user="manager2")
    assert absent.status_code == 409 and absent.json()["detail"]["members"] == ["Council"]
    presence = f"/destruction-batches/{batch_id}/presence"
    wrong = _post(client, world, presence, {"username": "council", "password": "not-theirs-1"})
    assert wrong.status_code == 401
    not_member = _post(client, world, presence, {"username": "keeper", "password": PASSWORD})
    assert not_member.status_code == 404
    ok = _post(client, world, presence, {"username": "council", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["present_confirmed_at"]
    assert _post(client, world, close, user="manager2").status_code == 200


def test_a_member_who_handled_the_items_is_checked_again_at_execution(
    client, session, world, settings
):
    item = make_item(session, world, actor="manager")
    batch_id = _batch(client, world, [item.code])
    members = [*MEMBERS[:2], {**MEMBERS[2], "name": "Keeper", "username": "keeper"}, MEMBERS[3]]
    approved = _approve(client, world, batch_id, members)
    assert approved.json()["members"][2]["handled_items"] == []
    # After approval the keeper takes part in the item's custody, and still sits on the council.
    item_row = session.get(Item, item.id)
    assert item_row is not None and item_row.status == "pending_destruction"
    assert item.id is not None
    _handle(session, world, item.id)
    settings.destruction_block_handler_members = True
    blocked = _execute(client, world, batch_id, item, datetime.now(UTC))
    assert blocked.status_code == 409 and blocked.json()["detail"]["members"] == {
        "Keeper": [item.code]
    }


def _handle(session, world, item_id: int) -> None:
    """The keeper takes part in the item's custody (a custody event of theirs)."""
    from evidence_service.custody import EventType, NewEvent, append_events

    append_events(
        session,
        [NewEvent(item_id, EventType.seal_check, world.users["keeper"].id, details={})],
    )
    session.commit()


def _missing(client, world, session):
    item = make_item(session, world, location_code="S1")
    start = {"scope": "location", "warehouse_code": "W1", "location_code": "S1"}
    stocktake = _post(client, world, "/stocktakes", start, "keeper").json()
    signers = {"keeper": "Nguyễn Văn Kho", "accountant": "Trần Thị Kế", "head": "Lê Văn Trưởng"}
    closed = _post(client, world, f"/stocktakes/{stocktake['id']}/close", signers, "keeper")
    assert closed.status_code == 200, closed.text
    (discrepancy,) = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    return item, discrepancy["id"]


def test_one_person_cannot_sign_a_count_three_times(client, session, world):
    make_item(session, world, location_code="S1")
    start = {"scope": "location", "warehouse_code": "W1", "location_code": "S1"}
    stocktake = _post(client, world, "/stocktakes", start, "keeper").json()
    for signers in (
        {"keeper": "Nguyễn Văn A", "accountant": "nguyễn văn a", "head": "NGUYỄN  VĂN A"},
        {"keeper": "Nguyễn Văn A", "accountant": "Trần B", "head": "   "},
    ):
        response = _post(client, world, f"/stocktakes/{stocktake['id']}/close", signers, "keeper")
        assert response.status_code == 422, response.text


def test_a_write_off_is_a_managers_on_a_real_decision_and_leaves_stock(client, session, world):
    item, discrepancy = _missing(client, world, session)
    path = f"/discrepancies/{discrepancy}/resolve"
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    decision = {"document_ref": "7/QĐ-CCTHADS", "document_date": yesterday}
    decision["document_issuer"] = "Chi cục trưởng"
    by_keeper = _post(client, world, path, {"resolution": "written_off", **decision}, "keeper")
    assert by_keeper.status_code == 403
    made_up = {**decision, "document_ref": "bịa"}
    assert _post(client, world, path, {"resolution": "written_off", **made_up}).status_code == 422
    nobody = _post(
        client, world, path, {"resolution": "written_off", **decision, "document_issuer": "-"}
    )
    assert nobody.status_code == 422  # the issuer rule every exit's document follows
    assert nobody.json()["detail"][0]["loc"] == ["body", "document_issuer"]
    done = _post(client, world, path, {"resolution": "written_off", **decision})
    assert done.status_code == 200, done.text
    after = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert after["status"] == "written_off" and after["location_code"] is None
    history = client.get(f"{API}/items/{item.code}/custody", headers=world.headers()).json()
    assert history[-1]["event_type"] == "write_off"
    assert history[-1]["details"]["document_number"] == "7/QĐ-CCTHADS"
    # The next count does not find it missing again.
    start = {"scope": "location", "warehouse_code": "W1", "location_code": "S1"}
    again = _post(client, world, "/stocktakes", start, "keeper").json()
    assert again["expected"] == 0


def test_found_and_escalated_write_custody_events(client, session, world):
    item, discrepancy = _missing(client, world, session)
    found = _post(client, world, f"/discrepancies/{discrepancy}/resolve", {"resolution": "found"})
    assert found.status_code == 200
    history = client.get(f"{API}/items/{item.code}/custody", headers=world.headers()).json()
    assert history[-1]["event_type"] == "stocktake_found"


@pytest.mark.slow  # real server processes
def test_concurrent_resolutions_of_one_discrepancy_one_wins(tmp_path):
    from evidence_service.auth import issue_token
    from evidence_service.models import Discrepancy, User
    from evidence_service.stocktakes import Signers, StocktakeCreate, close, start
    from tests.factories import make_world

    db = fresh_database(tmp_path, "evidence_resolve")
    with db.session(write=True) as session:
        world = make_world(session)
        make_item(session, world, location_code="S1")
        token = issue_token(world.users["manager"], LIVE_SECRET, 10)
        session.commit()
    with db.unit_of_work() as session:
        keeper = session.get(User, world.users["keeper"].id)
        assert keeper is not None
        started = start(
            session,
            StocktakeCreate(scope="location", warehouse_code="W1", location_code="S1"),
            keeper,
        )
        assert started.id is not None
        signers = Signers(keeper="Nguyễn Văn Kho", accountant="Trần Thị Kế", head="Lê Văn Trưởng")
        close(session, started.id, signers, keeper, 5)
    with db.session() as session:
        (discrepancy,) = session.exec(select(Discrepancy)).all()
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def resolve(base: str, n: int) -> None:
        body = {"resolution": "found" if n % 2 else "escalated", "note": f"#{n}"}
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            barrier.wait()
            response = http.post(
                f"{API}/discrepancies/{discrepancy.id}/resolve", json=body, timeout=60
            )
            statuses.append(response.status_code)

    with live_server(db.engine.url.render_as_string(hide_password=False), workers=2) as server:
        threads = [threading.Thread(target=resolve, args=(server.url, n)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with db.session() as session:
        from evidence_service.models import CustodyEvent

        events = session.exec(
            select(CustodyEvent).where(
                CustodyEvent.event_type.in_(["stocktake_found", "stocktake_escalated"])  # type: ignore[attr-defined]
            )
        ).all()
    db.engine.dispose()
    assert sorted(statuses) == [200] + [409] * 11
    assert len(events) == 1


def test_a_large_sample_or_a_far_reweigh_waits_for_a_manager(client, session, world):
    item = _narcotics(session, world)
    sample = _post(
        client,
        world,
        f"/items/{item.code}/samples",
        {"taken_g": 99.0, "reason": "giám định"},
        "keeper",
    )
    assert sample.status_code == 200 and sample.json()["net_weight_g"] == 100.0
    waiting = client.get(f"{API}/approvals", headers=world.headers("keeper")).json()
    (request,) = waiting
    assert request["kind"] == "sample" and request["can_confirm"] is False
    assert (
        _post(client, world, f"/approvals/{request['id']}/confirm", user="keeper").status_code
        == 403
    )
    confirmed = _post(client, world, f"/approvals/{request['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["net_weight_g"] == 1.0
    other = _narcotics(session, world)
    reweigh = _post(
        client,
        world,
        f"/items/{other.code}/reweighs",
        {"net_weight_g": 1.0, "reason": "cân lại"},
        "keeper",
    )
    assert reweigh.status_code == 200 and reweigh.json()["net_weight_g"] == 100.0
    small = _narcotics(session, world)
    direct = _post(client, world, f"/items/{small.code}/samples", {"taken_g": 5.0}, "keeper")
    assert direct.json()["net_weight_g"] == 95.0  # within the share: one person is enough


def test_intake_and_decision_dates_have_plausible_windows(client, session, world):
    old = item_data(world, received_at="1900-01-01T08:00:00+07:00")
    assert client.post(f"{API}/items", json=old, headers=world.headers()).status_code == 422
    future = item_data(world, received_at=(datetime.now(UTC) + timedelta(days=2)).isoformat())
    assert client.post(f"{API}/items", json=future, headers=world.headers()).status_code == 422


def test_conflicts_and_audit_figures_stay_within_the_agency(client, session, world):
    clash = {"warehouse_code": "W1", "code": "X-1", "kind": "shelf"}
    response = _post(client, world, "/locations", clash)  # X1 is agency B's
    assert response.status_code == 409 and "X1" not in response.json()["detail"]


def test_a_manager_sees_only_its_own_provinces_chain_in_the_anchor(client, session, world):
    make_item(session, world, location_code="S2")
    make_item(session, world, location_code="S2")
    make_item(
        session, world, actor="other-keeper", location_code="X1", case_id=world.cases["other"].id
    )
    province_a, province_b = (str(world.agencies[a].id) for a in ("parent", "other"))

    def anchor(user: str) -> httpx.Response:
        return client.get(f"{API}/audit/anchor", headers=world.headers(user))

    whole = anchor("auditor").json()
    assert {province_a, province_b} <= set(whole["chains"]) and whole["events"] > 0
    a_events, b_events = whole["chains"][province_a][0], whole["chains"][province_b][0]
    assert a_events > b_events > 0  # two intakes in A, one in B: the counts differ
    mine = anchor("manager").json()
    assert mine["chains"] == {province_a: whole["chains"][province_a]}
    assert "events" not in mine and "head_hash" not in mine  # no whole-system total
    theirs = anchor("other-manager").json()
    assert theirs["chains"] == {province_b: [b_events, whole["chains"][province_b][1]]}
    assert anchor("keeper").status_code == 403
    assert client.get(f"{API}/audit/verify", headers=world.headers("manager")).status_code == 403


def test_a_member_confirms_presence_on_the_web_page_with_their_password(client, session, world):
    from tests.test_web import log_in

    item = make_item(session, world)
    batch_id = _batch(client, world, [item.code])
    members = [*MEMBERS[:2], {**MEMBERS[2], "name": "Council", "username": "council"}, MEMBERS[3]]
    assert _approve(client, world, batch_id, members).status_code == 200
    csrf = log_in(client, "manager")  # the tablet's session; the member types their password
    page = client.get(f"/destruction/{batch_id}").text
    assert 'id="presence-council"' in page
    form = {"csrf_token": csrf, "username": "council", "password": PASSWORD}
    done = client.post(f"/destruction/{batch_id}/presence", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"]).text
    assert (
        "presence-council" in page
        and 'name="password"' not in page.split("presence-council")[1][:600]
    )


def test_infinity_typed_into_a_web_form_is_not_a_weight(client, session, world):
    from tests.test_web import log_in

    item = make_item(session, world)
    csrf = log_in(client)
    for typed in ("inf", "Infinity", "nan", "-inf"):
        response = client.post(
            f"/items/{item.code}/reweigh",
            data={"csrf_token": csrf, "net_weight": typed, "weight_unit": "g", "reason": "x"},
            follow_redirects=False,
        )
        assert response.status_code == 422, typed
    session.refresh(item)
    assert item.net_weight_g == 1000.0


def test_the_item_page_offers_narcotics_only_the_dispositions_the_law_allows(
    client, session, world
):
    from tests.test_web import log_in

    item = _narcotics(session, world)
    log_in(client, "manager")
    page = client.get(f"/items/{item.code}").text
    form = page.split(f'action="/items/{item.code}/disposition"')[1].split("</form>")[0]
    assert 'value="destroy"' in form and 'value="sell"' not in form


def test_a_user_changes_their_own_password_on_the_web_and_the_session_ends(client, world):
    from tests.test_web import log_in

    csrf = log_in(client)
    assert 'id="change-password"' in client.get("/account").text
    weak = client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "password1"},
    )
    assert weak.status_code == 422
    done = client.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "Núi-Bà-Đen-cao-9"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/login")
    assert client.get("/scan", follow_redirects=False).status_code in (302, 303)  # session over
    assert _login(client, "keeper", "Núi-Bà-Đen-cao-9").status_code == 200
