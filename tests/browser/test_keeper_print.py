"""A keeper prints from the web to a named Zebra, in a real browser against the real server:
the fake printer on a loopback port gets the job, the independent ZPL renderer shows every
diacritic of the label, the custody record gets one event per label, and a preview (the
label GET) leaves the record alone."""

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlmodel import select

from evidence_service import payload
from evidence_service.auth import issue_token
from evidence_service.labels import LabelData, item_label, load_templates, render_png
from evidence_service.models import Case, Item, Location
from tests.browser.conftest import WebSite, log_in, screenshot, served_world
from tests.conftest import LIVE_SECRET, Templates
from tests.test_label_decode import TARGET, decode, zpl_render
from tests.test_print_jobs import FakePrinter

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]

TEMPLATES = load_templates()
# Where a reviewer looks at what the printers got (the renderer's PNGs).
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "labels"


@pytest.fixture(scope="module")
def zebra() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.fixture(scope="module")
def site(templates: Templates, zebra: FakePrinter, tmp_path_factory) -> Iterator[WebSite]:
    """The live server with two named Zebras (203 and 300 dpi) on the fake printer's port."""
    config = tmp_path_factory.mktemp("printers") / "printers.toml"
    config.write_text(
        f"""
[[printer]]
name = "zebra-kho-1"
title = "Zebra kho 1"
kind = "zpl"
dpi = 203
media = ["thermal-50x30-203"]
address = "127.0.0.1:{zebra.port}"

[[printer]]
name = "zebra-kho-2"
title = "Zebra kho 2"
kind = "zpl"
dpi = 300
media = ["thermal-50x30-300"]
address = "127.0.0.1:{zebra.port}"
""",
        encoding="utf-8",
    )
    yield from served_world(templates, "print", {"EVIDENCE_PRINTERS_FILE": str(config)})


def label_events(site: WebSite, code: str) -> list[dict]:
    token = issue_token(site.world.users["keeper"], LIVE_SECRET, 10)
    answer = httpx.get(
        f"{site.url}/api/v1/items/{code}/custody", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json() if e["event_type"] == "label_printed"]


def print_from_the_item_page(page, site: WebSite, code: str, printer: str, reason: str = ""):
    page.goto(f"{site.url}/items/{code}")
    page.click("#form-print_label > summary")
    page.click("#item-print-dialog > summary")
    screenshot(page, "print-dialog")
    page.select_option("#item-print-printer", printer)
    # The printer offers only the templates its media takes; no format for a printer.
    template = page.locator("#item-print-template")
    expect(template.locator("option:not([disabled])")).to_have_count(1)
    expect(page.locator(".print-format")).to_be_hidden()
    if reason:
        page.fill("#item-print-reason", reason)
    page.click("#item-print button.primary")


@pytest.mark.parametrize(
    ("printer", "template"),
    [("zebra-kho-1", "thermal-50x30-203"), ("zebra-kho-2", "thermal-50x30-300")],
)
def test_keeper_prints_to_a_named_zebra_every_diacritic_and_a_preview_writes_nothing(
    browser_page, site: WebSite, zebra: FakePrinter, printer, template, tmp_path
):
    code = site.item(description=TARGET, seal_number="0012345", location_code="S2")
    page = browser_page
    log_in(page, site)
    before = len(zebra.jobs)
    print_from_the_item_page(page, site, code, printer)
    expect(page.locator(".notice.success")).to_contain_text(printer)
    screenshot(page, f"print-sent-{printer}")
    assert len(zebra.jobs) == before + 1
    zpl = zebra.jobs[-1].decode("utf-8")
    assert zpl.count("^XA") == 1
    # One event, naming the printer, the copy and the template.
    (event,) = label_events(site, code)
    assert event["details"]["printer"] == printer
    assert event["details"]["template"] == template and event["details"]["copy"] == 1

    # What the printer got, drawn by the independent renderer: the QR decodes to the item's
    # payload and the text area carries the same dots as our own PNG of the label.
    tpl = TEMPLATES[template]
    (drawn,) = zpl_render(zpl, tpl, tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    drawn.save(SHOTS / f"printed-{template}.png")
    assert [b.text for b in decode(drawn)] == [payload.make_payload("item", code)]
    assert decode(drawn)[0].ec_level == "H"
    ours = Image.open(io.BytesIO(render_png(label_as_printed(site, code), tpl))).convert("L")
    x0 = round((tpl.item.qr_x_mm + tpl.item.qr_size_mm) * tpl.dpi / 25.4)
    box = (x0, 0, *ours.size)
    a = [v < 128 for v in ours.crop(box).tobytes()]
    b = [v < 128 for v in drawn.crop(box).tobytes()]
    assert sum(a) > 500
    assert sum(1 for p, q in zip(a, b, strict=True) if p and q) / sum(a) > 0.97

    # A preview (the label GET) is a look: nothing sent, nothing recorded.
    token = issue_token(site.world.users["keeper"], LIVE_SECRET, 10)
    preview = httpx.get(
        f"{site.url}/api/v1/items/{code}/label",
        params={"format": "zpl", "template": template},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert preview.status_code == 200 and "^XA" in preview.text
    assert len(label_events(site, code)) == 1 and len(zebra.jobs) == before + 1

    # A reprint from the dialog needs a reason; refused without one, recorded with it.
    print_from_the_item_page(page, site, code, printer)
    expect(page.locator(".notice.error").first).to_contain_text("in lại phải ghi lý do")
    screenshot(page, "print-reprint-refused")
    assert len(zebra.jobs) == before + 1 and len(label_events(site, code)) == 1
    print_from_the_item_page(page, site, code, printer, reason="nhãn cũ bị mờ")
    expect(page.locator(".notice.success")).to_contain_text(printer)
    assert len(zebra.jobs) == before + 2
    events = label_events(site, code)
    assert len(events) == 2 and events[-1]["reason"] == "nhãn cũ bị mờ"
    assert events[-1]["details"]["print_number"] == 2

    # The dialog remembers the printer for this keeper.
    page.goto(f"{site.url}/items/{code}")
    page.click("#form-print_label > summary")
    page.click("#item-print-dialog > summary")
    expect(page.locator("#item-print-printer")).to_have_value(printer)


def label_as_printed(site: WebSite, code: str) -> LabelData:
    """The item's label as the first print job made it, for our own PNG of it."""
    with site.db.session() as session:
        item = session.exec(select(Item).where(Item.code == code)).one()
        case = session.get(Case, item.case_id)
        location = session.get(Location, item.location_id)
        assert case is not None
        return item_label(item, case, location, None, print_number=1)
