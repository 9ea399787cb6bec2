"""The web pages without a browser: sessions, CSRF, forms and pages."""

import re

from evidence_service import payload
from evidence_service.i18n import Translator
from tests.factories import PASSWORD, make_item

CSRF_META = re.compile(r'name="csrf-token" content="([^"]*)"')
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def log_in(client, username="keeper"):
    token = FORM_TOKEN.search(client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return CSRF_META.search(client.get("/scan").text).group(1)


def test_pages_need_a_login(client, world):
    response = client.get("/items/VC26-000001-X", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fitems%2FVC26-000001-X"


def test_login_without_the_form_token_is_refused(client, world):
    response = client.post("/login", data={"username": "keeper", "password": PASSWORD})
    assert response.status_code == 403
    assert "ev_session" not in response.cookies


def test_session_cookie_is_httponly_lax_and_secure_behind_https(client, world):
    token = FORM_TOKEN.search(client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"username": "keeper", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_a_post_without_the_csrf_token_is_refused(client, world):
    log_in(client)
    response = client.post(
        "/scan/resolve", data={"payload": "EV1LS1X"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.json()["messages"][0].startswith("Biểu mẫu đã cũ")


def test_scan_resolves_an_item_and_logs_the_scan(client, world, session):
    code = make_item(session, world).code
    csrf = log_in(client)
    response = client.post(
        "/scan/resolve",
        data={"payload": payload.make_payload("item", code), "csrf_token": csrf},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["url"] == f"/items/{code}"
    refused = client.post(
        "/scan/resolve",
        data={"payload": "EV1IVC26000001", "csrf_token": csrf},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 422
    assert refused.json()["messages"] == [Translator("vi")("scan.damaged_label")]


def test_logout_and_disabling_the_user_end_the_session_at_once(client, world, session):
    csrf = log_in(client)
    assert client.get("/scan", follow_redirects=False).status_code == 200
    keeper = world.users["keeper"]
    keeper.is_active = False
    session.add(keeper)
    session.commit()
    assert client.get("/scan", follow_redirects=False).status_code == 303
    keeper.is_active = True
    session.add(keeper)
    session.commit()
    assert client.get("/scan", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    client.cookies.clear()
    assert client.get("/scan", follow_redirects=False).status_code == 303


def test_a_refused_item_action_shows_why_on_the_item_page(client, world, session):
    code = make_item(session, world).code
    csrf = log_in(client)
    form = {"csrf_token": csrf, "taken": "5", "weight_unit": "kg"}
    response = client.post(f"/items/{code}/sample", data=form)
    assert response.status_code == 422
    assert code in response.text and 'role="alert"' in response.text


def test_pages_send_a_strict_content_security_policy(client, world):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/static/vendor/jsQR.js").status_code == 200
