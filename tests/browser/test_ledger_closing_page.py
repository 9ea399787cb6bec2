"""Closing the ledger from the page where it is exported, in a real browser: the manager picks
a warehouse and an ended period, closes it, sees its number in the list and opens the closed
ledger; closing it again is refused in Vietnamese (Circular 04/2023 Art. 30(4)(c-d))."""

from typing import Any

import pytest

from tests.browser.conftest import WebSite, screenshot
from tests.browser.test_manager_pages import log_in

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]


def test_the_manager_closes_a_period_of_the_ledger_from_the_downloads_page(
    browser_page: Any, site: WebSite
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    site.item(location_code="S1")
    log_in(page, site, "manager", "/dashboard")
    page.goto(f"{site.url}/downloads")
    page.select_option("#closing-warehouse", "W1")
    period = page.eval_on_selector("#closing-period", "s => s.value")
    page.click("#closing-form button")
    page.wait_for_url(f"{site.url}/downloads?closed=**")
    expect(page.locator("#closing-done")).to_contain_text("Đã khóa sổ, số 01/KS-SVC.")
    expect(page.locator("#closings-list")).to_contain_text("01/KS-SVC")
    screenshot(page, "ledger-closing")
    href = page.eval_on_selector("#closings-list a", "a => a.href")
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert pdf.headers["x-sha256"]
    page.goto(f"{site.url}/downloads")
    page.select_option("#closing-warehouse", "W1")
    page.select_option("#closing-period", period)
    page.click("#closing-form button")
    expect(page.locator("body")).to_contain_text(f"Sổ của kỳ {period} đã được khóa.")
