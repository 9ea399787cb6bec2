"""Issue 15's "Done when": every document about an item is reachable from the item, handover,
destruction batch and stocktake pages, in a real browser. An item received (its handover
record and entry slip), destroyed (its exit slip at execution, the destruction record) and
another counted (the stocktake record); from each page, its own links plus its link to the
item's documents give every document ``GET /api/v1/items/{code}/documents`` lists, and
each of them opens as a PDF."""

import re
from typing import Any

import httpx
import pytest

from evidence_service.auth import issue_token
from evidence_service.payload import make_payload
from tests.browser.conftest import WebSite, screenshot
from tests.conftest import LIVE_SECRET
from tests.factories import PASSWORD, item_data
from tests.test_destruction import approve, destroyed, execution, new_batch, post

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

API = "/api/v1"


class LiveWorld:
    """The test world as the live server knows it: tokens signed with its secret (for the
    API helpers of tests/test_destruction.py)."""

    def __init__(self, site: WebSite) -> None:
        self.users = site.world.users
        self.cases = site.world.cases

    def headers(self, username: str = "keeper") -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.users[username], LIVE_SECRET, 10)}"}


def _received(api: httpx.Client, world: LiveWorld, **overrides: Any) -> str:
    """An item received through the API: with its implicit handover."""
    response = api.post(f"{API}/items", json=item_data(world, **overrides), headers=world.headers())  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def _documents(api: httpx.Client, world: LiveWorld, code: str) -> set[str]:
    """The page paths of the item's documents (the API's without its prefix)."""
    listed = api.get(f"{API}/items/{code}/documents", headers=world.headers()).json()
    return {d["url"].removeprefix(API) for d in listed}


def _hrefs(page: Any, selector: str) -> set[str]:
    """The links' paths (with their query)."""
    origin = re.match(r"https?://[^/]+", page.url).group(0)  # type: ignore[union-attr]
    return {
        href.removeprefix(origin)
        for href in page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
    }


def _reachable(page: Any, own: str, to_item: str) -> set[str]:
    """The document links of this page (``own``), then those of the item's documents,
    reached by clicking the page's link to them (``to_item``)."""
    found = {h for h in _hrefs(page, own) if h.endswith(".pdf")}
    page.click(to_item)
    page.wait_for_url(re.compile(r"/items/[^/]+#item-documents$"))
    expect(page.locator("#item-documents")).to_be_visible()
    return found | _hrefs(page, "#item-documents a")


def test_every_document_is_reachable_from_the_item_handover_batch_and_stocktake_pages(
    browser_page, site: WebSite
):
    world = LiveWorld(site)
    with httpx.Client(base_url=site.url, timeout=30) as api:
        gone = _received(api, world, location_code="S1", description="Dao bấm")
        counted = _received(api, world, location_code="S2", description="Hộp giấy tờ")
        batch = new_batch(api, world, [gone])
        assert approve(api, world, batch["id"]).status_code == 200
        done = post(api, world, f"/{batch['id']}/execute", execution([destroyed(gone)]))
        assert done.status_code == 200, done.text
        assert post(api, world, f"/{batch['id']}/close", user="manager2").status_code == 200
        started = api.post(
            f"{API}/stocktakes",
            json={"scope": "location", "warehouse_code": "W1", "location_code": "S2"},
            headers=world.headers(),
        )
        assert started.status_code == 201, started.text
        sid = started.json()["id"]
        for kind, value in (("location", "S2"), ("item", counted)):
            scanned = api.post(
                f"{API}/stocktakes/{sid}/scans",
                json={"payload": make_payload(kind, value)},
                headers=world.headers(),
            )
            assert scanned.status_code == 200, scanned.text
        signers = {"keeper": "Nguyễn Văn Kho", "accountant": "Trần Thị Kế", "head": "Lê Văn Trưởng"}
        closed = api.post(f"{API}/stocktakes/{sid}/close", json=signers, headers=world.headers())
        assert closed.status_code == 200, closed.text
        gone_docs = _documents(api, world, gone)
        counted_docs = _documents(api, world, counted)
    kinds = {re.sub(r"/\d+", "/N", d.replace(gone, "CODE")) for d in gone_docs}
    assert kinds == {
        "/handovers/N/record.pdf",
        "/handovers/N/entry-slip.pdf",
        "/exit-slips/N.pdf",  # made at the destruction's execution
        "/destruction-batches/N/record.pdf",
        "/unsealings/N/record.pdf",  # its seal opened at the execution (§2.4)
        "/items/CODE/stock-card.pdf",
    }, gone_docs
    assert any(d.startswith("/stocktakes/") for d in counted_docs), counted_docs

    page = browser_page
    page.goto(f"{site.url}/login")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/dashboard")

    # The item page lists them all.
    page.goto(f"{site.url}/items/{gone}")
    assert _hrefs(page, "#item-documents a") == gone_docs
    screenshot(page, "docs15-item-documents")
    for path in gone_docs | counted_docs:  # each one opens as a PDF
        served = page.request.get(f"{site.url}{path}")
        assert served.status == 200 and served.body().startswith(b"%PDF"), path

    # The handover page: its record and entry slip, and the line's link to the rest.
    handover = next(d for d in gone_docs if d.startswith("/handovers/")).rsplit("/", 1)[0]
    page.goto(f"{site.url}{handover}")
    screenshot(page, "docs15-handover-documents")
    got = _reachable(
        page, "#handover-documents a", f'#handover-lines a.item-documents[href^="/items/{gone}"]'
    )
    assert gone_docs <= got, gone_docs - got

    # The batch page: the exit slip of the line, the record, and the line's link.
    page.goto(f"{site.url}/destruction/{batch['id']}")
    row = page.locator(f'#batch-items tr[data-code="{gone}"]')
    expect(row.locator(".item-documents")).to_contain_text("Phiếu xuất kho")
    screenshot(page, "docs15-batch-documents")
    slip = next(d for d in gone_docs if d.startswith("/exit-slips/"))
    assert slip in _hrefs(page, f'#batch-items tr[data-code="{gone}"] .item-documents a')
    got = _reachable(
        page,
        "#record-link, #batch-items .item-documents a",
        f'#batch-items tr[data-code="{gone}"] .item-documents a[href^="/items/"]',
    )
    assert gone_docs <= got, gone_docs - got

    # The stocktake page: its record and each line's link.
    page.goto(f"{site.url}/stocktakes/{sid}")
    screenshot(page, "docs15-stocktake-documents")
    got = _reachable(page, "#record-link", f'#lines .item-documents a[href^="/items/{counted}"]')
    assert counted_docs <= got, counted_docs - got
