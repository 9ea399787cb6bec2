"""The keeper's loop on a phone and a tablet: a scanner can never confirm by accident, scans
work from any page, answers are big, and nothing is lost offline or on a resent form."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from evidence_service import payload
from evidence_service.models import CustodyEvent, Item, Location
from tests.browser.conftest import WebSite, log_in

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
SCREENS = Path("/work/screens")


def scan(page, text: str) -> None:
    """Type the way a keyboard-wedge scanner does (fast), Enter at the end."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def shot(page, name: str) -> None:
    """A screenshot for the closing note (where /work/screens exists) and the test output."""
    out = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(chromium: Any, site: WebSite) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def tablet(chromium: Any, site: WebSite) -> Iterator[Any]:
    context = chromium.new_context(viewport=TABLET, locale="vi-VN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def where(site: WebSite, code: str) -> str | None:
    with site.db.session() as session:
        item = session.exec(select(Item).where(Item.code == code)).one()
        location = session.get(Location, item.location_id) if item.location_id else None
        return location.code if location else None


def moves(site: WebSite, code: str) -> int:
    with site.db.session() as session:
        item = session.exec(select(Item).where(Item.code == code)).one()
        return session.exec(
            select(func.count())
            .select_from(CustodyEvent)
            .where(CustodyEvent.item_id == item.id, col(CustodyEvent.event_type) == "move")
        ).one()


def continuous(page) -> None:
    page.check("#continuous")
    page.locator("#scan-input").focus()


def test_a_wedge_scan_while_the_confirm_dialog_is_open_moves_nothing(phone, site: WebSite):
    first, second = site.item(location_code="S2"), site.item(location_code="S2")
    page = phone
    log_in(page, site)
    continuous(page)
    scan(page, payload.make_payload("item", first))
    expect(page.locator("#batch-list li")).to_have_count(1)
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-preview")).to_contain_text("Sau khi chuyển")
    expect(page.locator("#scan-input")).to_be_focused()  # the dialog never takes the focus
    # Even with the confirm button focused (a tab, a tap elsewhere), the next scan and its
    # Enter go to the scan field: the item is added, nothing moves.
    page.locator("#confirm-yes").focus()
    scan(page, payload.make_payload("item", second))
    expect(page.locator("#batch-list li")).to_have_count(2)
    expect(page.locator("#confirm-title")).to_contain_text("2")
    assert where(site, first) == "S2" and where(site, second) == "S2"
    # Scanning the location again confirms.
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#scan-status")).to_contain_text("Đã chuyển 2 vật chứng đến C1")
    assert where(site, first) == "C1" and where(site, second) == "C1"
    assert moves(site, first) == 1


def test_the_banner_names_the_item_with_its_hazards_and_refuses_a_final_one(phone, site: WebSite):
    code = site.item(description="Pháo hoa dàn 36 ống", location_code="F1", hazard_classes=["1.4G"])
    page = phone
    log_in(page, site)
    continuous(page)
    scan(page, payload.make_payload("item", code))
    banner = page.locator("#scan-status")
    expect(banner).to_have_class(re.compile(r"\bsuccess\b"))
    expect(banner).to_contain_text(code)
    expect(banner).to_contain_text("Pháo hoa dàn 36 ống")
    expect(banner.locator(".pictogram")).to_have_count(1)
    expect(banner).to_contain_text("F1")
    shot(page, "scan-banner-phone")
    page.set_viewport_size(TABLET)
    shot(page, "scan-banner-tablet")
    page.set_viewport_size(PHONE)
    scan(page, payload.make_payload("item", code))
    expect(banner).to_have_class(re.compile(r"\bwarn\b"))  # a duplicate is not a success


def test_a_scan_on_the_item_page_offers_the_move_and_a_second_scan_confirms(phone, site: WebSite):
    code = site.item(location_code="S2")
    page = phone
    log_in(page, site)
    page.goto(f"{site.url}/items/{code}")
    page.locator("h1").click()  # the focus is on the page, not in a text field
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#banner")).to_contain_text(f"Chuyển {code} đến C1?")
    expect(page.locator("#move-to")).to_have_value("C1")
    assert where(site, code) == "S2"
    scan(page, payload.make_payload("location", "C1"))
    page.wait_for_url(re.compile(r"done=move"))
    assert where(site, code) == "C1"
    # An item label scanned on any page opens that item.
    other = site.item(location_code="S2")
    page.locator("h1").click()
    scan(page, payload.make_payload("item", other))
    page.wait_for_url(f"{site.url}/items/{other}")


def test_the_move_field_accepts_a_scanned_location_label(phone, site: WebSite):
    code = site.item(location_code="S2")
    page = phone
    log_in(page, site)
    page.goto(f"{site.url}/items/{code}")
    page.click("#form-move summary")
    page.fill("#move-to", payload.make_payload("location", "C1"))
    page.click("#form-move button.primary")
    page.wait_for_url(re.compile(r"done=move"))
    assert where(site, code) == "C1"


KEPT_PAGE = """async () => {
  for (let i = 0; i < 100; i++) {
    if (await caches.match(location.href)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}"""


def test_an_offline_move_is_queued_then_replayed_exactly_once(phone, site: WebSite):
    code = site.item(location_code="S2")
    page = phone
    log_in(page, site)
    page.evaluate("navigator.serviceWorker.ready")  # the app shell is kept
    # and so is this page, which loaded before the worker ran (kept when it activated)
    assert page.evaluate(KEPT_PAGE), "the scan page was not kept for offline use"
    continuous(page)
    page.context.set_offline(True)
    scan(page, payload.make_payload("item", code))
    expect(page.locator("#batch-list li")).to_have_count(1)
    damaged = payload.make_payload("location", "C1")[:-1] + "0"
    scan(page, damaged)
    expect(page.locator("#scan-status")).to_contain_text("ký tự kiểm tra")  # refused offline
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#confirm")).to_be_visible()
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#scan-status")).to_contain_text("Mất mạng")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 3")  # 2 scans and the move
    shot(page, "offline-queue-phone")
    assert where(site, code) == "S2"
    page.reload()  # still offline: the app shell opens the page, the queue is still there
    expect(page.locator("#scan-input")).to_be_visible()
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 3")
    page.context.set_offline(False)
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 0", timeout=20_000)
    expect(page.locator("#outbox-list")).to_contain_text("Đã chuyển 1 vật chứng đến C1")
    shot(page, "offline-queue-replayed-phone")
    assert where(site, code) == "C1"
    page.reload()
    page.evaluate("EV.outbox.flush()")
    assert moves(site, code) == 1


def test_an_intake_submitted_offline_survives_and_is_sent_once(phone, site: WebSite):
    page = phone
    log_in(page, site)
    page.goto(f"{site.url}/intake")
    page.select_option("select[name=case_id]", str(site.world.cases["destroy"].id))
    page.select_option("select[name=location_code]", "S2")
    row = page.locator("[data-row]").nth(0)
    row.locator("[name=description]").fill("Bình gas mini gửi khi mất mạng")
    row.locator("[name=category]").select_option("other")
    shot(page, "intake-phone")
    page.reload()  # a draft survives a reload (and an expired session, a crash)
    expect(row.locator("[name=description]")).to_have_value("Bình gas mini gửi khi mất mạng")
    page.context.set_offline(True)
    page.click("#intake-form button[type=submit]")
    expect(page.locator("#banner")).to_contain_text("Mất mạng")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 1")
    page.context.set_offline(False)
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 0", timeout=20_000)
    page.evaluate("EV.outbox.flush()")
    with site.db.session() as session:
        found = session.exec(
            select(Item).where(Item.description == "Bình gas mini gửi khi mất mạng")
        ).all()
    assert len(found) == 1
    page.goto(f"{site.url}/intake")  # acknowledged: the draft is gone
    expect(page.locator("[data-row] [name=description]").first).to_have_value("")
