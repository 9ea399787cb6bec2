"""A manager adds, in Vietnamese, the place of an outside custodian (custody in place,
Decree 152/2026 Art. 37) on the locations page; an item put there shows who keeps it."""

import pytest

from tests.browser.conftest import WebSite, screenshot
from tests.browser.test_manager_pages import log_in

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]


def test_a_manager_adds_an_outside_custodians_warehouse_in_vietnamese(browser_page, site: WebSite):
    page = browser_page
    log_in(page, site, "manager", "/dashboard")
    page.goto(f"{site.url}/locations")
    page.click("#warehouse-create summary")
    form = page.locator("#warehouse-form")
    form.locator("input[name=code]").fill("CA-HL")
    form.locator("input[name=name]").fill("Kho vật chứng Công an huyện Hữu Lũng")
    form.locator("input[name=address]").fill("Thị trấn Hữu Lũng, Lạng Sơn")
    page.select_option(
        "#custodian_kind",
        label="Kho vật chứng của cơ quan điều tra — cơ quan, tổ chức, cá nhân khác bảo quản",
    )
    form.locator("input[name=custodian_name]").fill("Công an huyện Hữu Lũng")
    form.locator("input[name=custodian_representative]").fill("Đinh Văn Hải")
    form.locator("input[name=custodian_position]").fill("Đội trưởng")
    form.locator("input[name=location_code]").fill("CA-HL-A")
    form.locator("button.primary").click()
    page.wait_for_url(f"{site.url}/locations?done=warehouse#wh-CA-HL")
    expect(page.locator(".notice.success")).to_contain_text("Đã thêm kho, nơi bảo quản.")
    section = page.locator("section.warehouse", has=page.locator("#wh-CA-HL"))
    expect(section.locator(".warehouse-custodian")).to_contain_text(
        "Kho vật chứng của cơ quan điều tra — Công an huyện Hữu Lũng"
    )
    expect(section.locator(".warehouse-custodian")).to_contain_text(
        "đại diện: Đinh Văn Hải, Đội trưởng"
    )
    expect(section).to_contain_text("CA-HL-A")
    screenshot(page, "locations-outside-custodian")
    code = site.item(location_code="CA-HL-A")
    page.goto(f"{site.url}/items/{code}")
    expect(page.locator("#item-custodian")).to_contain_text("Nơi bảo quản / Đơn vị đang bảo quản")
    expect(page.locator("#item-custodian")).to_contain_text(
        "Kho vật chứng Công an huyện Hữu Lũng, Thị trấn Hữu Lũng, Lạng Sơn / Công an huyện Hữu Lũng"
    )
