"""A keeper's morning on a flaky connection with a wedge scanner: rounds of continuous scans
and moves while requests fail before the server, answers are lost after it, the connection
drops for whole rounds and the page is reloaded offline. At the end every item is where the
keeper last put it, each move happened once and each scan was logged once: nothing lost,
nothing doubled. On a phone, a tablet and a desktop, in Vietnamese and English."""

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select

from evidence_service import payload
from evidence_service.auth import issue_token
from evidence_service.legal.holidays import local_today
from evidence_service.models import CustodyEvent, Item, ScanLog, User
from tests.browser.conftest import DESKTOP, WebSite, log_in
from tests.browser.test_keeper_loop import PHONE, TABLET, moves, scan, shot, where
from tests.conftest import LIVE_SECRET
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

ROUNDS = 9
OFFLINE_ROUNDS = {2, 6}  # the connection is gone for the whole round
RELOAD_ROUND = 6  # ...and the page is reloaded in the middle of it
PLACES = ["C1", "C2", "S2"]
WAITING = {"vi": "Chờ gửi: {n}", "en": "Waiting to be sent: {n}"}
MOVED = {"vi": "Đã chuyển", "en": "Moved"}
QUEUED = {"vi": "Mất mạng", "en": "Offline"}


class Flaky:
    """What a bad mobile connection does to the page's POSTs: some never reach the server,
    some reach it and their answer is lost. Seeded, so a failure can be replayed."""

    def __init__(self, seed: int) -> None:
        self.dice = random.Random(seed)
        self.seen: Counter[str] = Counter()
        self.on = True

    def __call__(self, route: Any) -> None:
        if not self.on or route.request.method != "POST":
            route.continue_()
            return
        roll = self.dice.random()
        if roll < 0.2:
            self.seen["failed"] += 1
            route.abort("internetdisconnected")
        elif roll < 0.35:
            self.seen["lost"] += 1
            route.fetch()  # the server does the work...
            route.abort("connectionreset")  # ...and the answer never comes back
        else:
            self.seen["through"] += 1
            route.continue_()


@pytest.fixture
def keeper_page(chromium: Any, site: WebSite, request: Any) -> Iterator[Any]:
    size, lang, *shell = request.param
    # Without the app shell where a test routes a page's form: Playwright's routing misses now
    # and then a request that went through the service worker's fetch event.
    workers = "block" if shell == ["no-shell"] else "allow"
    context = chromium.new_context(
        viewport=size, locale="vi-VN", has_touch=size != DESKTOP, service_workers=workers
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, site)
    if lang == "en":
        page.click("button[name=lang][value=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    if workers == "allow":
        page.evaluate("navigator.serviceWorker.ready")  # the app shell is kept for offline use
    yield page, lang
    context.close()


def scans_logged(site: WebSite, codes: list[str]) -> Counter[str]:
    with site.db.session() as session:
        keeper = session.exec(select(User).where(User.username == "keeper")).one()
        rows = session.exec(
            select(ScanLog.code, func.count())
            .where(ScanLog.user_id == keeper.id, col(ScanLog.code).in_(codes))
            .group_by(ScanLog.code)
        ).all()
    return Counter({code: n for code, n in rows})


def move_events(site: WebSite, codes: list[str]) -> int:
    with site.db.session() as session:
        return session.exec(
            select(func.count())
            .select_from(CustodyEvent)
            .join(Item, col(Item.id) == CustodyEvent.item_id)
            .where(col(Item.code).in_(codes), col(CustodyEvent.event_type) == "move")
        ).one()


@pytest.mark.parametrize(
    "keeper_page",
    [(PHONE, "vi"), (TABLET, "en"), (DESKTOP, "vi")],
    ids=["phone-vi", "tablet-en", "desktop-vi"],
    indirect=True,
)
def test_a_morning_on_a_flaky_connection_loses_nothing_and_doubles_nothing(
    keeper_page, site: WebSite
):
    page, lang = keeper_page
    groups = [[site.item(location_code="S2") for _ in range(3)] for _ in range(3)]
    codes = [c for group in groups for c in group]
    before = scans_logged(site, [*codes, *PLACES])
    flaky = Flaky(seed=17 + len(lang) + page.viewport_size["width"])
    page.context.route(re.compile(r"/scan/(resolve|move)$"), flaky)  # the service worker's too

    page.check("#continuous")
    page.locator("#scan-input").focus()
    intended = dict.fromkeys(codes, "S2")
    moved_times: Counter[str] = Counter()
    scanned: Counter[str] = Counter()
    for n in range(ROUNDS):
        group = groups[n % 3]
        here = intended[group[0]]
        there = PLACES[(PLACES.index(here) + 1) % len(PLACES)]
        if n in OFFLINE_ROUNDS:
            page.context.set_offline(True)
        for k, code in enumerate(group):
            scan(page, payload.make_payload("item", code))
            scanned[code] += 1
            expect(page.locator("#batch-list li")).to_have_count(k + 1)
            if n == RELOAD_ROUND and k == 1:
                page.reload()  # offline: the app shell opens the page, the list is kept
                expect(page.locator("#batch-list li")).to_have_count(2)
                page.locator("#scan-input").focus()
        if n % 4 == 1:  # the same label twice: said, not added twice
            scan(page, payload.make_payload("item", group[0]))
            scanned[group[0]] += 1
            expect(page.locator("#scan-status")).to_have_class(re.compile(r"\bwarn\b"))
        scan(page, payload.make_payload("location", there))
        scanned[there] += 1
        expect(page.locator("#confirm")).to_be_visible()
        scan(page, payload.make_payload("location", there))  # again: confirmed, not sent
        expect(page.locator("#batch-list li")).to_have_count(0)
        status = page.locator("#scan-status")
        expect(status).to_contain_text(re.compile(f"{MOVED[lang]}|{QUEUED[lang]}"))
        for code in group:
            intended[code] = there
            moved_times[code] += 1
        if n == 2:
            shot(page, f"morning-offline-queue-{lang}-{page.viewport_size['width']}")
        if n in OFFLINE_ROUNDS:
            page.context.set_offline(False)

    # The connection settles: what waits is sent, in order, once.
    flaky.on = False
    waiting = page.locator("#outbox-count")
    for _ in range(10):
        page.evaluate("EV.outbox.flush()")
        if page.evaluate("EV.outbox.count()") == 0:
            break
    expect(waiting).to_contain_text(WAITING[lang].format(n=0))
    expect(page.locator("#outbox-list li.refused")).to_have_count(0)
    shot(page, f"morning-done-{lang}-{page.viewport_size['width']}")

    assert flaky.seen["failed"] and flaky.seen["lost"], flaky.seen  # the flakiness happened
    assert {code: where(site, code) for code in codes} == intended
    assert {code: moves(site, code) for code in codes} == dict(moved_times)
    assert move_events(site, codes) == sum(moved_times.values())
    logged = scans_logged(site, [*codes, *PLACES])
    logged.subtract(before)
    assert {k: v for k, v in logged.items() if v} == dict(scanned)


@pytest.mark.parametrize(
    "keeper_page", [(PHONE, "vi", "no-shell")], ids=["phone-vi"], indirect=True
)
def test_a_move_from_the_item_page_offline_or_with_its_answer_lost_happens_once(
    keeper_page, site: WebSite
):
    page, _ = keeper_page
    offline, lost = site.item(location_code="S2"), site.item(location_code="S2")
    page.goto(f"{site.url}/items/{offline}")
    page.context.set_offline(True)
    page.locator("h1").click()  # the focus is on the page: the wedge listener takes the scan
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#move-to")).to_have_value("C1")
    scan(page, payload.make_payload("location", "C1"))  # again: confirmed
    expect(page.locator("#banner")).to_contain_text("Mất mạng")  # kept, not the browser's error
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 1")
    assert where(site, offline) == "S2"
    page.context.set_offline(False)
    page.evaluate("EV.outbox.flush()")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 0")
    expect(page.locator("#outbox-list li.ok")).to_have_count(1)
    assert where(site, offline) == "C1" and moves(site, offline) == 1

    answers = Counter[str]()

    def lose_the_first_answer(route: Any) -> None:
        answers["sent"] += 1
        if answers["sent"] == 1:
            route.fetch()  # moved on the server; the phone never hears of it
            route.abort("connectionreset")
        else:
            route.continue_()

    page.goto(f"{site.url}/items/{lost}")
    page.context.route(re.compile(r"/items/[^/]+/move$"), lose_the_first_answer)
    page.click("#form-move summary")
    page.fill("#move-to", "C2")
    page.click("#form-move button.primary")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 1")
    page.evaluate("EV.outbox.flush()")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 0")
    assert answers["sent"] == 2
    assert where(site, lost) == "C2" and moves(site, lost) == 1  # sent twice, moved once


@pytest.mark.parametrize("keeper_page", [(TABLET, "vi")], ids=["tablet-vi"], indirect=True)
def test_an_expired_session_loses_neither_the_scans_nor_the_typed_intake(
    keeper_page, site: WebSite
):
    page, _ = keeper_page
    codes = [site.item(location_code="S2") for _ in range(2)]
    page.check("#continuous")
    page.locator("#scan-input").focus()
    scan(page, payload.make_payload("item", codes[0]))
    expect(page.locator("#batch-list li")).to_have_count(1)
    page.context.clear_cookies()  # the session ends in the middle of the round
    scan(page, payload.make_payload("item", codes[1]))
    expect(page.locator("#batch-list li")).to_have_count(2)
    scan(page, payload.make_payload("location", "C1"))
    scan(page, payload.make_payload("location", "C1"))
    expect(page.locator("#scan-status")).to_contain_text("Phiên đăng nhập đã hết hạn")
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 3")  # 2 scans, the move
    assert [where(site, c) for c in codes] == ["S2", "S2"]
    log_in(page, site)  # back on the scan page, the outbox goes out
    expect(page.locator("#outbox-count")).to_contain_text("Chờ gửi: 0")
    assert [where(site, c) for c in codes] == ["C1", "C1"]
    assert [moves(site, c) for c in codes] == [1, 1]

    page.goto(f"{site.url}/intake")
    page.select_option("select[name=case_id]", str(site.world.cases["destroy"].id))
    page.select_option("select[name=location_code]", "S2")
    row = page.locator("[data-row]").nth(0)
    row.locator("[name=description]").fill("Bình gas mini khi hết phiên")
    row.locator("[name=category]").select_option("other")
    page.context.clear_cookies()
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/login\?next=%2Fintake"))
    page.fill("#username", "keeper")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/intake")
    expect(row.locator("[name=description]")).to_have_value("Bình gas mini khi hết phiên")
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/done\?"))
    received = page.url
    # Back shows the sent form as it was (the browser restores it) and sending it again gives
    # the first result: its key came back with it.
    page.go_back()
    expect(row.locator("[name=description]")).to_have_value("Bình gas mini khi hết phiên")
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/done\?"))
    assert page.url == received
    with site.db.session() as session:
        found = session.exec(
            select(Item).where(Item.description == "Bình gas mini khi hết phiên")
        ).all()
    assert len(found) == 1


@pytest.mark.parametrize("keeper_page", [(PHONE, "vi")], ids=["phone-vi"], indirect=True)
def test_a_location_scanned_on_its_page_starts_a_count_and_an_unmovable_item_is_named(
    keeper_page, site: WebSite
):
    page, _ = keeper_page
    page.goto(f"{site.url}/locations/C2")
    page.locator("h1").click()
    scan(page, payload.make_payload("location", "C2"))
    page.wait_for_url(re.compile(r"/stocktakes/\d+$"))
    expect(page.locator("#scan-input")).to_be_focused()

    out = site.item(location_code="S2")
    headers = {
        "Authorization": f"Bearer {issue_token(site.world.users['keeper'], LIVE_SECRET, 10)}"
    }
    checkout = {
        "recipient": "TAND huyện A",
        "purpose": "court",
        "document_number": "CV-17",
        "due_date": (local_today() + timedelta(days=7)).isoformat(),
    }
    sent = httpx.post(f"{site.url}/api/v1/items/{out}/check-outs", json=checkout, headers=headers)
    assert sent.status_code == 200, sent.text
    page.goto(f"{site.url}/scan")
    page.check("#continuous")
    page.locator("#scan-input").focus()
    scan(page, payload.make_payload("item", out))
    banner = page.locator("#scan-status")
    expect(banner).to_have_class(re.compile(r"\berror\b"))  # red, not added in green
    expect(banner).to_contain_text(f"Không thể chuyển {out}")
    expect(page.locator("#batch-list li")).to_have_count(0)
