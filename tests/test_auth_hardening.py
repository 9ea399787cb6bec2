"""Login throttling, disabled users, role changes, security events, headers, CORS."""

from evidence_service.config import Settings
from tests.factories import PASSWORD

API = "/api/v1"


def _login(client, username, password):
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(client, world):
    for _ in range(5):
        assert _login(client, "keeper", "wrong-password").status_code == 401
    locked = _login(client, "keeper", PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0 and "try again" in locked.json()["detail"]
    assert _login(client, "manager", PASSWORD).status_code == 200  # others unaffected


def test_a_success_resets_the_failure_count(client, world):
    for _ in range(4):
        _login(client, "keeper", "wrong-password")
    assert _login(client, "keeper", PASSWORD).status_code == 200
    for _ in range(4):
        _login(client, "keeper", "wrong-password")
    assert _login(client, "keeper", PASSWORD).status_code == 200


def test_one_client_guessing_many_usernames_is_locked_out(client, world):
    for n in range(20):
        assert _login(client, f"nobody{n}", "wrong-password").status_code == 401
    assert _login(client, "manager", PASSWORD).status_code == 429


def test_logins_failures_and_locks_are_recorded(client, world):
    _login(client, "keeper", PASSWORD)
    for _ in range(5):
        _login(client, "keeper", "wrong-password")
    events = client.get(f"{API}/audit/security-events", headers=world.headers("auditor")).json()
    kinds = [e["event"] for e in events if e["username"] == "keeper"]
    assert kinds.count("login_failed") == 5 and "login_ok" in kinds
    assert "account_locked" in kinds


def test_disabled_user_tokens_stop_at_once(client, world):
    headers = world.headers("keeper")
    assert client.get(f"{API}/users/me", headers=headers).status_code == 200
    response = client.patch(
        f"{API}/users/keeper", json={"is_active": False}, headers=world.headers("admin")
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get(f"{API}/users/me", headers=headers).status_code == 401
    assert _login(client, "keeper", PASSWORD).status_code == 401


def test_role_change_is_recorded_and_takes_effect(client, world):
    response = client.patch(
        f"{API}/users/keeper", json={"role": "auditor"}, headers=world.headers("admin")
    )
    assert response.status_code == 200 and response.json()["role"] == "auditor"
    events = client.get(f"{API}/audit/security-events", headers=world.headers("admin")).json()
    change = next(e for e in events if e["event"] == "role_changed")
    assert change["details"] == {"before": "keeper", "after": "auditor"}
    case = {
        "judgment_number": "5/2026/HS-ST",
        "court": "TAND",
        "decision_issuer": "Cục A",
        "decision_year": 2026,
        "decision_number": "55",
    }
    refused = client.post(f"{API}/cases", json=case, headers=world.headers("keeper"))
    assert refused.status_code == 403


def test_only_admins_manage_users_and_not_across_agencies(client, world):
    assert client.get(f"{API}/users", headers=world.headers("manager")).status_code == 403
    names = {
        u["username"] for u in client.get(f"{API}/users", headers=world.headers("admin")).json()
    }
    assert "keeper" in names and "other-keeper" not in names
    response = client.patch(
        f"{API}/users/other-keeper", json={"is_active": False}, headers=world.headers("admin")
    )
    assert response.status_code == 404


def test_admin_cannot_lock_themselves_out(client, world):
    response = client.patch(
        f"{API}/users/admin", json={"is_active": False}, headers=world.headers("admin")
    )
    assert response.status_code == 409


def test_security_headers_on_every_response(client, world):
    for response in (client.get("/healthz"), client.get(f"{API}/users/me")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_cors_closed_by_default(client):
    response = client.options(
        f"{API}/items",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_refuses_to_start_with_the_default_secret():
    import pytest

    with pytest.raises(RuntimeError, match="EVIDENCE_SECRET_KEY"):
        Settings(demo=False).check_secret()
    Settings(demo=True).check_secret()
    Settings(demo=False, secret_key="x7Qp-2mZ_r9sLk4vT8wYb1nC6dF0gHjE").check_secret()


def test_short_passwords_are_refused(client, world):
    response = client.post(
        f"{API}/users",
        json={
            "username": "new-user",
            "role": "keeper",
            "agency_code": "A-PROV",
            "password": "short",
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 422
