"""The dashboard's legal deadlines in a real browser: every kind a case, its items, a batch
and the agency start, each with its act, its regime and its citation, as the API reports."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from evidence_service.auth import issue_token
from evidence_service.legal.holidays import local_today
from tests.browser.conftest import WebSite, screenshot
from tests.browser.test_manager_pages import log_in
from tests.conftest import LIVE_SECRET
from tests.test_cases_law import _case_with_every_disposition
from tests.test_destruction import MEMBERS

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

REGIME_VI = {"before_2026_07_01": "Trước ngày 01/07/2026", "from_2026_07_01": "Từ ngày 01/07/2026"}


@dataclass
class LiveWorld:
    """The world's users with tokens the live server accepts."""

    site: WebSite

    def headers(self, username: str = "keeper") -> dict[str, str]:
        token = issue_token(self.site.world.users[username], LIVE_SECRET, 10)
        return {"Authorization": f"Bearer {token}"}


def test_the_dashboard_lists_every_legal_deadline_with_its_act_regime_and_citation(
    browser_page: Any, site: WebSite
):
    world = LiveWorld(site)
    with httpx.Client(base_url=site.url) as api:
        _, old = _case_with_every_disposition(
            api, world, "7", "2026-03-20", "2026-04-24", "2026-06-10"
        )
        _, new = _case_with_every_disposition(
            api, world, "8", "2026-07-20", "2026-08-27", "2026-09-10"
        )
        headers = world.headers("manager")
        batch = api.post("/api/v1/destruction-batches", json={"title": "Đợt 1"}, headers=headers)
        batch_id = batch.json()["id"]
        added = api.post(
            f"/api/v1/destruction-batches/{batch_id}/items",
            json={"codes": [old["drug"], new["drug"]]},
            headers=headers,
        )
        assert added.status_code == 200, added.text
        approval = {
            "decision_number": "15/QĐ-THADS",
            "decision_date": local_today().isoformat(),
            "decision_issuer": "Thủ trưởng THADS tỉnh Lạng Sơn",
            "members": MEMBERS,
        }
        approved = api.post(
            f"/api/v1/destruction-batches/{batch_id}/approve", json=approval, headers=headers
        )
        assert approved.status_code == 200, approved.text
        report = api.get("/api/v1/reports/legal-deadlines", headers=headers).json()
    page = browser_page
    log_in(page, site, "manager", "/dashboard")
    rows = page.locator("#legal-deadlines-table tbody tr")
    expect(rows).to_have_count(len(report["entries"]))
    shown_kinds = set()
    for n, entry in enumerate(report["entries"]):
        row = rows.nth(n)
        assert row.get_attribute("data-kind") == entry["deadline"]
        assert row.get_attribute("data-regime") == entry["legal_regime"]
        starts = row.locator('td[data-col="starts"]').inner_text()
        day = entry["starts_on"]
        assert starts.startswith(f"{day[8:10]}/{day[5:7]}/{day[:4]}"), starts
        if entry["act"]:
            assert entry["act"] in starts
        source = row.locator('td[data-col="source"]').inner_text()
        assert source.startswith(REGIME_VI[entry["legal_regime"]]) and entry["source_vi"] in source
        assert ("cần xác nhận" in source) is (not entry["confirmed"])
        due = entry["due_on"]
        assert row.locator('td[data-col="due"]').inner_text() == f"{due[8:10]}/{due[5:7]}/{due[:4]}"
        state = row.locator('td[data-col="state"]').inner_text()
        if entry["status"] == "late":
            assert state == f"Trễ {entry['days_late']} ngày"
        shown_kinds.add(entry["deadline"])
    # Every kind that has started in this world, under both regimes.
    assert shown_kinds >= {
        "judgment_sent",
        "enforcement_decision",
        "council",
        "destruction",
        "owner_notice",
        "confiscation_handover",
        "return_money",
        "return_property",
        "return_papers",
        "inventory_half_year",
        "inventory_year",
        "ledger_closing",
    }
    council = page.locator('#legal-deadlines-table tr[data-kind="council"]')
    expect(council.filter(has_text="7/QĐ-THADS")).to_contain_text(
        "khoản 1 Điều 125 Luật Thi hành án dân sự số 26/2008/QH12"
    )
    expect(council.filter(has_text="8/QĐ-THADS")).to_contain_text(
        "Điều 58 Luật Thi hành án dân sự số 106/2025/QH15"
    )
    screenshot(page, "dashboard-legal-deadlines")
