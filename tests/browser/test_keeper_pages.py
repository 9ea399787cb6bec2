"""The keeper's pages in a real browser: login, scanning, moves, refusals, intake, labels."""

import re

import pypdfium2 as pdfium
import pytest
import zxingcpp

from evidence_service import payload
from tests.browser.conftest import WebSite, log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]


def scan(page, text: str) -> None:
    """Type into the focused field the way a keyboard-wedge scanner does, Enter at the end."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def decode_pdf(data: bytes) -> list[str]:
    found = []
    document = pdfium.PdfDocument(data)
    for n in range(len(document)):
        image = document[n].render(scale=300 / 72).to_pil().convert("L")
        qr_codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        found += [b.text for b in qr_codes]
    return found


def test_login_refuses_a_wrong_password_then_opens_the_scan_page(browser_page, site: WebSite):
    page = browser_page
    page.goto(f"{site.url}/items/VC26-000001-X")
    assert "/login?next=" in page.url
    screenshot(page, "login")
    page.fill("#username", "keeper")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator(".notice.error")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/items/VC26-000001-X$"))  # back where the user was going
    cookie = next(c for c in page.context.cookies() if c["name"] == "ev_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_scanning_an_item_label_opens_its_page(browser_page, site: WebSite):
    code = site.item(description="Pháo hoa nổ", location_code="S2")
    page = browser_page
    log_in(page, site)
    expect(page.locator("#scan-input")).to_be_focused()
    screenshot(page, "scan")
    scan(page, payload.make_payload("item", code))
    page.wait_for_url(f"{site.url}/items/{code}")
    expect(page.locator("h1")).to_contain_text(code)
    expect(page.locator(".timeline")).to_contain_text("Tiếp nhận")
    screenshot(page, "item")


def test_a_damaged_label_is_refused_in_plain_words(browser_page, site: WebSite):
    code = site.item()
    good = payload.make_payload("item", code)
    damaged = good[:-1] + ("A" if good[-1] != "A" else "B")
    page = browser_page
    log_in(page, site)
    scan(page, damaged)
    status = page.locator("#scan-status")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(status).to_contain_text("Nhãn bị hỏng")
    assert page.url.endswith("/scan")


def test_continuous_scan_moves_three_items_to_the_scanned_location(browser_page, site: WebSite):
    codes = [site.item(description=f"Thùng {n}", location_code="S2") for n in range(3)]
    page = browser_page
    log_in(page, site)
    page.check("#continuous")
    page.locator("#scan-input").focus()
    for code in codes:
        scan(page, payload.make_payload("item", code))
        expect(page.locator("#scan-status")).to_contain_text(code)
    expect(page.locator("#batch-list li")).to_have_count(3)
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#confirm-title")).to_contain_text("3")
    expect(page.locator("#confirm-title")).to_contain_text("C1")
    screenshot(page, "scan-continuous")
    page.click("#confirm-yes")
    expect(page.locator("#scan-status")).to_contain_text("Đã chuyển 3 vật chứng đến C1")
    expect(page.locator("#batch-list li")).to_have_count(0)
    for code in codes:
        page.goto(f"{site.url}/items/{code}")
        expect(page.locator(".facts")).to_contain_text("C1")


def test_a_move_over_capacity_is_refused_with_the_numbers(browser_page, site: WebSite):
    # S1 holds at most 2 items.
    codes = [site.item(location_code="S2") for _ in range(3)]
    page = browser_page
    log_in(page, site)
    page.check("#continuous")
    page.locator("#scan-input").focus()
    for code in codes:
        scan(page, payload.make_payload("item", code))
        expect(page.locator("#scan-status")).to_contain_text(code)
    scan(page, payload.make_payload("location", "S1"))
    page.click("#confirm-yes")
    status = page.locator("#scan-status")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(status).to_contain_text("Vị trí S1 không đủ chỗ")
    expect(status).to_contain_text("giới hạn 2")
    screenshot(page, "scan-refused")
    expect(page.locator("#batch-list li")).to_have_count(3)  # nothing moved, list kept
    page.goto(f"{site.url}/items/{codes[0]}")
    expect(page.locator(".facts")).to_contain_text("S2")


def test_intake_of_two_items_then_their_labels_download_and_decode(browser_page, site: WebSite):
    page = browser_page
    log_in(page, site)
    page.goto(f"{site.url}/intake")
    page.select_option("select[name=case_id]", str(site.world.cases["destroy"].id))
    page.select_option("select[name=location_code]", "SEC-1")  # drugs start as narcotics
    rows = page.locator("[data-row]")
    rows.nth(0).locator("[name=description]").fill("Ma túy đá")
    rows.nth(0).locator("[name=category]").select_option("drug")
    rows.nth(0).locator("[name=unit]").select_option("bag")
    rows.nth(0).locator("[name=net_weight]").fill("12,5")
    page.click("#add-row")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("[name=description]").fill("Cân tiểu ly")
    rows.nth(1).locator("[name=category]").select_option("other")
    rows.nth(1).locator("[name=unit]").select_option("piece")
    rows.nth(1).locator("[name=net_weight]").fill("0,3")
    rows.nth(1).locator("[name=weight_unit]").select_option("kg")
    screenshot(page, "intake")
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/done\?"))
    codes = page.locator("#print-form input[name=code]").evaluate_all(
        "nodes => nodes.map(n => n.value)"
    )
    assert len(codes) == 2
    expect(page.locator(".item-list")).to_contain_text("12,5 g")
    expect(page.locator(".item-list")).to_contain_text("300 g")
    page.select_option("#intake-template", "a4-3x8-70x37")
    screenshot(page, "intake-done")
    with page.expect_download() as download:
        page.click("#print-labels")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert sorted(decode_pdf(pdf)) == sorted(payload.make_payload("item", c) for c in codes)
    # The template choice is remembered for the next print.
    page.goto(f"{site.url}/items/{codes[0]}")
    page.click("#form-print_label summary")
    expect(page.locator("#item-print-template")).to_have_value("a4-3x8-70x37")


def test_language_switch_is_kept_on_the_session(browser_page, site: WebSite):
    page = browser_page
    log_in(page, site)
    page.goto(f"{site.url}/locations")
    expect(page.locator("h1")).to_have_text("Vị trí lưu kho")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "locations")
    page.click("button[name=lang][value=en]")
    expect(page.locator("h1")).to_have_text("Storage locations")
    page.goto(f"{site.url}/scan")
    expect(page.locator("h1")).to_have_text("Scan a label")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "scan-en")
    page.click("button[name=lang][value=vi]")
    expect(page.locator("h1")).to_have_text("Quét nhãn")


def test_logout_ends_the_session_at_once(browser_page, site: WebSite):
    page = browser_page
    log_in(page, site)
    cookie = next(c for c in page.context.cookies() if c["name"] == "ev_session")
    page.click("text=Đăng xuất")
    page.wait_for_url(re.compile(r"/login$"))
    page.context.add_cookies([cookie])  # the old cookie, replayed
    page.goto(f"{site.url}/scan")
    assert "/login" in page.url
