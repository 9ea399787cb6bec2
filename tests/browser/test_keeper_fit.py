"""Every keeper, manager and council page fits a phone and a tablet, has no accessibility
violation (axe-core, vendored), and shows no English in the Vietnamese interface."""

import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from evidence_service import payload
from evidence_service.auth import issue_token
from evidence_service.db import Database
from evidence_service.demo import DEMO_PASSWORD, seed_demo
from evidence_service.legal.holidays import local_today
from evidence_service.models import User
from evidence_service.reports import capacity_forecast
from evidence_service.web import STATIC_DIR
from tests.browser.conftest import WebSite
from tests.browser.test_keeper_loop import PHONE, TABLET, scan, shot
from tests.conftest import LIVE_SECRET, LiveServer, Templates, start_server, stop_server
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

AXE = STATIC_DIR / "vendor" / "axe-core" / "axe.min.js"
I18N = Path(__file__).resolve().parents[2] / "evidence_service" / "i18n"
API = "/api/v1/destruction-batches"
MEMBERS = [
    {
        "name": "Nguyễn Văn Ánh",
        "position": "Chi cục trưởng",
        "organisation": "THADS",
        "role": "chair",
    },
    {
        "name": "Trần Thị Bình",
        "position": "Chấp hành viên",
        "organisation": "THADS",
        "role": "member",
    },
    {"name": "Lê Đức Thắng", "position": "Cán bộ", "organisation": "Công an", "role": "member"},
    {
        "name": "Phạm Hồng Sơn",
        "position": "Kiểm sát viên",
        "organisation": "Viện kiểm sát nhân dân huyện A",
        "role": "procuracy",
    },
]


def approved_batch(site: WebSite, codes: list[str]) -> int:
    headers = {
        "Authorization": f"Bearer {issue_token(site.world.users['manager'], LIVE_SECRET, 10)}"
    }
    with httpx.Client(base_url=site.url, headers=headers) as api:
        batch = api.post(API, json={"title": "Đợt kiểm tra máy tính bảng"}).json()
        assert api.post(f"{API}/{batch['id']}/items", json={"codes": codes}).status_code == 200
        body = {
            "decision_number": "15/QĐ-CCTHADS",
            "decision_date": local_today().isoformat(),
            "decision_issuer": "Chi cục THADS huyện A",
            "members": MEMBERS,
        }
        approved = api.post(f"{API}/{batch['id']}/approve", json=body)
        assert approved.status_code == 200, approved.text
        return int(batch["id"])


@pytest.fixture(scope="module")
def pages(site: WebSite) -> dict[str, list[str]]:
    """The pages each role works with, over items made for this module."""
    stored = site.item(description="Hộp dao " + "rấtdàikhôngngắtdòng" * 20, location_code="S2")
    out = site.item(location_code="S2")
    headers = {
        "Authorization": f"Bearer {issue_token(site.world.users['keeper'], LIVE_SECRET, 10)}"
    }
    due = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    checkout = {
        "recipient": "TAND huyện A",
        "purpose": "court",
        "document_number": "CV-12",
        "due_date": due,
    }
    answer = httpx.post(f"{site.url}/api/v1/items/{out}/check-outs", json=checkout, headers=headers)
    assert answer.status_code == 200, answer.text
    batch = approved_batch(site, [site.item(location_code="S2", net_weight_g=500.0)])
    case = site.world.cases["destroy"].id
    return {
        "keeper": [
            "/scan",
            f"/items/{stored}",
            f"/items/{out}",
            "/intake",
            f"/intake/done?code={stored}&code={out}",
            "/locations",
            "/locations/S2",
            "/stocktakes",
            "/stocktakes/discrepancies",
            "/imports",
            "/downloads",
            "/handovers",
            f"/cases/{case}",
            "/account",
        ],
        "manager": ["/dashboard", "/destruction", "/approvals", "/environment"],
        "council": [f"/destruction/{batch}"],
    }


@pytest.fixture
def context_for(chromium: Any, site: WebSite) -> Iterator[Any]:
    made: list[Any] = []

    def make(username: str, viewport: dict[str, int], lang: str = "vi") -> Any:
        context = chromium.new_context(viewport=viewport, locale="vi-VN")
        made.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{site.url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if lang == "en":
            page.click("button[name=lang][value=en]")
            page.wait_for_load_state()
        return page

    yield make
    for context in made:
        context.close()


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    ("size", "lang"),
    [(PHONE, "vi"), (TABLET, "vi"), (PHONE, "en"), (TABLET, "en")],
    ids=["phone-vi", "tablet-vi", "phone-en", "tablet-en"],
)
def test_no_page_is_wider_than_a_phone_or_a_tablet(context_for, site: WebSite, pages, size, lang):
    wide = {}
    for role, paths in pages.items():
        page = context_for(role, size, lang)
        for path in paths:
            answer = page.goto(site.url + path)
            assert answer and answer.ok, (path, answer and answer.status)  # the page, not an error
            if overflow(page) > 0:
                wide[path] = overflow(page)
    assert not wide, wide


def test_axe_core_finds_no_violation(context_for, site: WebSite, pages):
    found = {}
    for role, paths in pages.items():
        page = context_for(role, PHONE)
        for path in paths:
            page.goto(site.url + path)
            page.evaluate(AXE.read_text())  # run from the test, not loaded by the page (CSP)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
            if bad:
                found[path] = bad
    assert not found, found


def english_words() -> set[str]:
    """Words of the English file that the Vietnamese file never uses (4 letters or more)."""

    def words(name: str) -> set[str]:
        data = tomllib.loads((I18N / name).read_text())
        text = " ".join(
            v
            for section in data.values()
            if isinstance(section, dict)
            for v in section.values()
            if isinstance(v, str)
        )
        text = re.sub(r"\{[a-z_]+\}", " ", text)
        return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}

    return words("en.toml") - words("vi.toml")


def test_the_vietnamese_pages_show_no_english_word(context_for, site: WebSite, pages):
    names = {
        w.lower()
        for u in site.world.users.values()
        for w in re.findall(r"[A-Za-z]+", f"{u.username} {u.full_name}")
    }
    english = english_words() - names  # the test world's people are named after their roles
    assert {"items", "location", "scan"} <= english  # the check can fail
    found = {}
    for role, paths in pages.items():
        page = context_for(role, TABLET)
        for path in paths:
            page.goto(site.url + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            # Text marked as English (lang="en": the language switch, legal citations kept in
            # their English form in data/legal_deadlines.toml) is declared, not a leak.
            page.evaluate(
                "document.querySelectorAll('body [lang]:not([lang=vi])').forEach(n => n.remove())"
            )
            text = page.evaluate("document.body.innerText")
            text = re.sub(r"\b(?:VC|EV1)[0-9A-Z-]+\b", " ", text)  # codes and payloads
            hits = {w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in english}
            if hits:
                found[path] = sorted(hits)
    assert not found, found


def test_the_tablet_execute_page_fits_and_clears_a_refused_scan(context_for, site: WebSite, pages):
    page = context_for("council", TABLET)
    page.goto(site.url + pages["council"][0])
    assert overflow(page) <= 0
    page.click("#exec-scan")
    bad = payload.make_payload("item", "VC26-999999-Z")[:-1] + "0"
    scan(page, bad)
    expect(page.locator("#exec-status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#exec-status")).to_contain_text("ký tự kiểm tra")  # damaged, said so
    expect(page.locator("#exec-scan")).to_have_value("")  # the next scan is not glued to it
    for field in ("input.note", ".reason-field input"):  # the reason and the note are not cut
        box = page.locator(f".check-row {field}").first.bounding_box()
        assert box and box["width"] >= 150 and box["x"] + box["width"] <= TABLET["width"], box
    # The photo picker speaks the page's language, not the browser's.
    expect(page.locator(".file-pick .file-button").first).to_have_text("Chụp hoặc chọn ảnh")
    shot(page, "execute-tablet")


@pytest.fixture(scope="module")
def demo_site(templates: Templates) -> Iterator[tuple[str, Database]]:
    """The README's demo world on a server of its own."""
    db = templates.copy("empty", "demo")
    with db.session(write=True) as session:
        seed_demo(session)
        session.commit()
    server: LiveServer = start_server(db.engine.url.render_as_string(), workers=1)
    try:
        yield server.url, db
    finally:
        stop_server(server)
        db.engine.dispose()


def test_the_forecast_shows_the_demo_date(chromium, demo_site):
    """KHO-LS1's rooms have no limits of their own: its date comes from their shelves' 343
    places (tests/test_forecast.py checks that arithmetic), never "full today"."""
    url, db = demo_site
    with db.session() as session:
        manager = session.exec(select(User).where(User.username == "demo-manager")).one()
        report = capacity_forecast(session, manager)
    expected = {w.code: w.full_on for w in report.warehouses}
    assert expected["KHO-LS1"] is not None
    context = chromium.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#username", "demo-manager")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/dashboard")
    forecast = page.locator("#forecast")
    expect(forecast).to_contain_text(expected["KHO-LS1"].strftime("%d/%m/%Y"))
    context.close()
