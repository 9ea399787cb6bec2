"""A keeper samples a sealed item from its page in a real browser: the form asks for the
opening (the browser will not send it without the seal as seen), the record is made with the
sample and linked from the item's documents, and opens as a PDF."""

import re

import httpx
import pytest

from tests.browser.conftest import WebSite, log_in, screenshot

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]


def test_a_keeper_samples_a_sealed_item_and_finds_its_record(browser_page, site: WebSite):
    page = browser_page
    code = site.item(
        category="drug",
        hazard_classes=["narcotics"],
        location_code="SEC-1",
        seal_number="NP-0457",
        net_weight_g=125.5,
    )
    log_in(page, site)
    page.goto(f"{site.url}/items/{code}")
    page.locator("#form-sample").evaluate("node => node.open = true")
    expect(page.locator("#sa-record-help")).to_contain_text("mở niêm phong")
    page.fill("#sa-taken", "2,5")
    page.fill("#sa-recipient", "Phân viện KHHS tại Lạng Sơn")
    page.fill("#sa-labdoc", "125/TCGĐ-CSĐT")
    page.fill("#sa-place", "Phòng niêm phong")
    page.fill("#sa-after", "12 gói bột trắng")
    page.fill("#sa-p0", "Nông Thị Hà")
    page.fill("#sa-p1", "Lương Văn Tùng")
    page.fill("#sa-new", "NP-2001")
    page.click("#form-sample button.primary")
    # The seal as seen before opening is required: the browser keeps the form.
    assert page.evaluate("document.querySelector('#sa-seal').validity.valueMissing")
    assert "done=sample" not in page.url
    page.fill("#sa-seal", "Niêm phong giấy còn nguyên chữ ký")
    screenshot(page, "item-sample-form")
    page.click("#form-sample button.primary")
    page.wait_for_url(re.compile(r"done=sample"))
    link = page.locator("#item-documents a", has_text="Biên bản lấy mẫu")
    expect(link).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("123 g")
    href = link.get_attribute("href")
    assert href and href.startswith("/unsealings/") and href.endswith("/record.pdf")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    pdf = httpx.get(f"{site.url}{href}", cookies=cookies, timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
