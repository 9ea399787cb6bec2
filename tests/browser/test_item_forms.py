"""The item page's decision forms in a real browser (and their screenshots, desktop and phone)."""

import re

import pytest

from tests.browser.conftest import WebSite, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]


def test_a_manager_splits_an_item_then_sees_the_new_part(browser_page, site: WebSite):
    page = browser_page
    code = site.item(net_weight_g=2000.0, gross_weight_g=2100.0, seal_number="NP-9")
    page.goto(f"{site.url}/login")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard"))
    page.goto(f"{site.url}/items/{code}")
    for form in page.locator("details.action").all():
        form.evaluate("node => node.open = true")
    expect(page.locator("#release-blocked")).to_be_visible()  # its case orders destruction
    screenshot(page, "item-forms")

    page.fill("#sp-net", "0,5")
    page.select_option("#sp-unit", "kg")
    page.fill("#sp-reason", "gửi giám định")
    page.click("#form-split button.primary")
    page.wait_for_url(re.compile(r"done=split"))
    child = page.locator(".notice.success a.code")
    expect(child).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("1,5 kg")
    screenshot(page, "item-split")
    child.click()
    expect(page.locator("h1 .code")).not_to_have_text(code)
    expect(page.locator(".facts")).to_contain_text("500 g")
