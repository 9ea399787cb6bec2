"""A keeper brings last year's and this year's Excel ledgers in through the browser: upload,
read the dry run row by row, commit, then download the warehouse's ledger."""

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import WebSite, log_in, screenshot
from tests.ledger_files import office_rows, office_xlsx

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]


def _import(page: Any, site: WebSite, path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{site.url}/imports")
    page.set_input_files("#file", str(path))
    page.click("#upload-form button")
    page.wait_for_url(f"{site.url}/imports/*")
    expect(page.locator("#job-state")).to_have_text("Xong", timeout=30_000)
    # A finished job says so once ("Trạng thái: Xong"), not "Xong · xong".
    expect(page.locator("#job-state").locator("xpath=..")).to_have_text("Trạng thái: Xong")
    expect(page.locator("#import-rows")).to_contain_text("Tạo mới")
    page.click("#commit-form button")
    expect(page.locator("#job-counts")).to_contain_text("Vật chứng đã tạo", timeout=30_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100.0")


def test_last_and_this_years_ledgers_imported_then_the_ledger_downloaded(
    browser_page: Any, site: WebSite, tmp_path: Path
) -> None:
    page = browser_page
    log_in(page, site)
    last = office_xlsx(tmp_path / "so-2025.xlsx", office_rows(2025))
    this = office_xlsx(tmp_path / "so-2026.xlsx", office_rows(2026))
    _import(page, site, last)
    screenshot(page, "import-done")
    _import(page, site, this)
    page.goto(f"{site.url}/imports")
    assert page.locator("#imports tbody tr").count() >= 4
    page.goto(f"{site.url}/downloads")
    page.select_option("#warehouse_code", "W1")
    page.fill("#from", "2025-01-01")
    page.fill("#to", "2026-12-31")
    with page.expect_download() as download:
        page.click("#ledger-form button")
    saved = tmp_path / "ledger.xlsx"
    download.value.save_as(saved)
    rows = list(openpyxl.load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    # Mẫu 13's column (7) reads "description; condition": one line per item of each year.
    named = [str(c) for r in rows for c in r if isinstance(c, str) and ";" in c]
    heroin = [c for c in named if c.startswith("Gói heroin;")]
    fireworks = [c for c in named if c.startswith("Pháo hoa nổ;")]
    assert len(heroin) == 2 and len(fireworks) == 2, named


def test_a_messy_ledgers_dry_run_reads_in_vietnamese(
    browser_page: Any, site: WebSite, tmp_path: Path
) -> None:
    """The notes and errors of a hand-typed ledger, in the keeper's language: no English."""
    from playwright.sync_api import expect

    from tests.test_imports15 import SHOWN, messy_rows

    page = browser_page
    log_in(page, site)
    page.goto(f"{site.url}/imports")
    # A ledger of its own, so the other test's imports of 2026 are not these lines.
    page.fill("#ledger", "Sổ lộn xộn")
    page.set_input_files("#file", str(office_xlsx(tmp_path / "lon-xon.xlsx", messy_rows())))
    page.click("#upload-form button")
    page.wait_for_url(f"{site.url}/imports/*")
    expect(page.locator("#job-state")).to_have_text("Xong", timeout=30_000)
    expect(page.locator("#import-rows")).to_contain_text("Từ chối")
    text = page.locator("main").inner_text()
    for vietnamese, english in SHOWN:
        assert vietnamese in text, vietnamese
        assert english not in text, english
    expect(page.locator("#file-warnings")).to_contain_text("dòng đánh số cột")
    screenshot(page, "import-messy-vi")
