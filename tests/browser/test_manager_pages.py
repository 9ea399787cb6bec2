"""The manager's and council's pages in a real browser: the dashboard against the API, a
destruction batch from draft to its record, a stocktake counted by scanning, the camera."""

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
import qrcode
from PIL import Image

from evidence_service import payload
from evidence_service.auth import issue_token
from evidence_service.i18n import formatter
from evidence_service.legal.holidays import local_today
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, WebSite, screenshot
from tests.conftest import LIVE_SECRET
from tests.factories import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips the tests with the reason
    expect = None  # type: ignore[assignment]


def log_in(page, site: WebSite, username: str, home: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}{home}")


def scan(page, text: str) -> None:
    """Type into the focused field the way a keyboard-wedge scanner does, Enter at the end."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def vi_number(text: str) -> float | None:
    """``1.234,5`` (Vietnamese) → 1234.5; an empty cell → None."""
    text = text.strip()
    return float(text.replace(".", "").replace(",", ".")) if text else None


def test_the_dashboard_shows_the_numbers_of_the_capacity_report(browser_page, site: WebSite):
    site.item(location_code="S1", net_weight_g=1234.5, gross_weight_g=1300.0)
    site.item(location_code="F1", net_weight_g=2500.0, gross_weight_g=2600.0, volume_l=3.25)
    page = browser_page
    log_in(page, site, "manager", "/dashboard")
    expect(page.locator("h1")).to_contain_text("Tổng quan")
    expect(page.locator("#forecast")).to_contain_text("Cách tính")
    token = issue_token(site.world.users["manager"], LIVE_SECRET, 10)
    api = httpx.get(
        f"{site.url}/api/v1/reports/capacity", headers={"Authorization": f"Bearer {token}"}
    ).json()
    compared = 0
    for warehouse in api["warehouses"]:
        for loc in warehouse["locations"]:
            row = page.locator(
                f'#capacity-table tr[data-warehouse="{warehouse["code"]}"]'
                f'[data-location="{loc["code"]}"]'
            )
            for measure in ("items", "net_weight_kg", "volume_l"):
                for part in ("used", "limit"):
                    cell = row.locator(f'td[data-col="{measure}_{part}"]').text_content() or ""
                    expected = loc[measure][part]
                    assert vi_number(cell) == (
                        None if expected is None else pytest.approx(expected)
                    ), (loc["code"], measure, part, cell)
                    compared += 1
    assert compared >= 3 * 2 * 10
    s1 = page.locator('#capacity-table tr[data-location="S1"] td[data-col="net_weight_kg_used"]')
    assert s1.text_content() == "1,2345"  # 1234.5 g in kg, Vietnamese decimal comma
    # The CSV link of the chart gives the API's numbers, written for people (Vietnamese).
    people = page.request.get(f"{site.url}/dashboard/capacity.csv").text()
    machines = httpx.get(
        f"{site.url}/api/v1/reports/capacity?format=csv",
        headers={"Authorization": f"Bearer {token}"},
    ).text
    people_rows = list(csv.reader(io.StringIO(people.lstrip("\ufeff"))))
    machine_rows = list(csv.DictReader(io.StringIO(machines.lstrip("\ufeff"))))
    assert people_rows[0][:2] == ["Mã kho", "Tên kho"] and len(people_rows) == len(machine_rows) + 1
    column = list(machine_rows[0]).index("net_weight_kg_used")
    vi = formatter("vi")
    for shown, row in zip(people_rows[1:], machine_rows, strict=True):
        assert shown[0] == row["warehouse_code"] and shown[2] == row["location_code"]
        assert shown[column] == vi.weight(float(row["net_weight_kg_used"]) * 1000, unit="kg")
    screenshot(page, "dashboard")


def test_a_destruction_batch_from_draft_to_its_record(browser_page, site: WebSite):
    codes = [
        site.item(
            description=f"Ma túy gói {n}",
            location_code="S2",
            net_weight_g=1000.0,
            gross_weight_g=1100.0,
        )
        for n in range(2)
    ]
    page = browser_page
    log_in(page, site, "manager", "/dashboard")
    page.goto(f"{site.url}/destruction")
    page.fill("#title", "Tiêu hủy ma túy đợt 1/2026")
    page.click("text=Lập dự thảo")
    page.wait_for_url(re.compile(r"/destruction/\d+$"))
    expect(page.locator("#codes")).to_be_focused()
    for code in codes:
        scan(page, payload.make_payload("item", code))
        expect(page.locator("#batch-items")).to_contain_text(code)
    screenshot(page, "destruction-draft")

    page.fill("#decision_number", "15/QĐ-CCTHADS")
    page.fill("#decision_date", local_today().isoformat())
    page.fill("#decision_issuer", "Chi cục THADS huyện A")
    for n, name in enumerate(["Nguyễn Văn Ánh", "Trần Thị Bình", "Lê Văn Chí", "Phạm Kiểm"]):
        page.fill(f'input[name="member.{n}.name"]', name)
        page.fill(f'input[name="member.{n}.position"]', "Cán bộ")
        page.fill(f'input[name="member.{n}.organisation"]', "Chi cục THADS")
    page.select_option('select[name="member.0.role"]', "chair")
    page.select_option('select[name="member.3.role"]', "procuracy")
    page.click('button:has-text("Ghi nhận Quyết định thành lập Hội đồng tiêu hủy")')
    expect(page.locator("#batch-status")).to_have_text("Đã có quyết định thành lập Hội đồng")

    page.fill("#site", "Bãi xử lý xã B")
    page.select_option("#method", "crushing")
    expect(page.locator('fieldset[data-method="crushing"]')).to_be_visible()
    expect(page.locator('fieldset[data-method="open_burning"]')).to_be_hidden()
    page.fill('input[name="m.crushing.equipment"]', "Máy nghiền")
    page.fill('input[name="env.weather"]', "Nắng")
    page.fill('input[name="env.residue_quantity_kg"]', "0,5")
    page.fill('input[name="env.residue_destination"]', "Bãi rác huyện")
    page.select_option("#weight_unit", "kg")
    for code, weight in zip(codes, ["1", "1,5"], strict=True):
        page.click("#exec-scan")
        scan(page, payload.make_payload("item", code))
        row = page.locator(f"#row-{code}")
        expect(row).to_have_class(re.compile(r"\bcurrent\b"))
        expect(row.locator(".weight")).to_be_focused()
        page.keyboard.type(weight)
        row.locator('input[name^="seal."]').check()
    flagged = page.locator(f"#row-{codes[1]}")
    expect(flagged).to_have_class(re.compile(r"\bflagged\b"))  # 50 % off the recorded 1 kg
    expect(flagged.locator(".diff")).to_contain_text("50,0 %")
    screenshot(page, "destruction-execute")
    flagged.locator(".note").fill("Bao bì ngấm nước")
    page.click("#execute-submit")
    expect(page.locator("#batch-status")).to_have_text("Đã tiêu hủy")
    expect(page.locator(".flag-weight_discrepancy")).to_contain_text(codes[1])

    batch_url = page.url.split("?")[0]
    page.context.clear_cookies()  # nobody destroys alone: another manager closes
    log_in(page, site, "manager2", "/dashboard")
    page.goto(batch_url)
    page.click("#close-batch")
    expect(page.locator("#batch-status")).to_have_text("Đã lập biên bản")
    with page.expect_download() as info:
        page.click("#record-link")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    screenshot(page, "destruction-closed")
    page.goto(f"{site.url}/destruction")
    expect(page.locator("#batches")).to_contain_text("Đã lập biên bản")
    screenshot(page, "destruction-list")


def test_a_stocktake_counted_by_scanning_with_live_counts(browser_page, site: WebSite):
    codes = [site.item(description=f"Hộp {n}", location_code="C2") for n in range(3)]
    page = browser_page
    log_in(page, site, "keeper", "/scan")
    page.goto(f"{site.url}/stocktakes")
    page.select_option("#warehouse_code", "W1")
    page.select_option("#scope", "location")
    page.fill("#location_code", "C2")
    page.click("#start-form button")
    page.wait_for_url(re.compile(r"/stocktakes/\d+$"))
    expect(page.locator("#count-expected")).to_have_text("3")
    expect(page.locator("#scan-input")).to_be_focused()
    scan(page, payload.make_payload("location", "C2"))
    expect(page.locator("#scan-status")).to_contain_text("C2")
    scan(page, payload.make_payload("item", codes[0]))
    expect(page.locator("#count-seen")).to_have_text("1")
    expect(page.locator("#count-remaining")).to_have_text("2")
    page.check("#seal-broken")
    page.focus("#scan-input")
    scan(page, payload.make_payload("item", codes[1]))
    expect(page.locator("#count-seen")).to_have_text("2")
    expect(page.locator("#seal-broken")).not_to_be_checked()  # for one scan only
    good = payload.make_payload("item", codes[2])
    scan(page, good[:-1] + ("A" if good[-1] != "A" else "B"))
    expect(page.locator("#scan-status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#count-remaining")).to_have_text("1")
    screenshot(page, "stocktake-scan")

    page.click("#close summary")
    page.fill("#keeper", "Nguyễn Thủ Kho")
    page.fill("#accountant", "Trần Kế Toán")
    page.fill("#head", "Lê Thủ Trưởng")
    page.click("#close-stocktake")
    expect(page.locator("#lines")).to_contain_text(codes[2])
    expect(page.locator("#lines")).to_contain_text("Thiếu")
    with page.expect_download() as info:
        page.click("#record-link")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    screenshot(page, "stocktake-closed")
    page.goto(f"{site.url}/stocktakes/discrepancies")
    expect(page.locator("#discrepancies")).to_contain_text(codes[2])
    expect(page.locator("#discrepancies")).to_contain_text("rách niêm phong")
    screenshot(page, "discrepancies")


def test_a_label_link_opened_by_a_phone_lands_on_the_item(browser_page, site: WebSite):
    code = site.item(location_code="S2")
    page = browser_page
    page.goto(f"{site.url}/S/{payload.make_payload('item', code)}")
    assert "/login?next=" in page.url
    page.fill("#username", "keeper")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/items/{code}")


def _label_video(text: str, path: Path, frames: int = 20) -> Path:
    """A .y4m video (YUV 4:2:0) of a QR label on white: what Chromium's fake camera plays."""
    qr = qrcode.make(text, box_size=8, border=4).get_image().convert("L")
    width, height = 640, 480
    canvas = Image.new("L", (width, height), 255)
    qr = qr.resize((360, 360), Image.Resampling.NEAREST)
    canvas.paste(qr, ((width - 360) // 2, (height - 360) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def test_the_camera_of_the_stocktake_page_reads_a_label(chromium, site: WebSite, tmp_path):
    code = site.item(description="Hộp camera", location_code="C1")
    video = _label_video(payload.make_payload("item", code), tmp_path / "label.y4m")
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport=DESKTOP, permissions=["camera"], locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, site, "keeper", "/scan")
        page.goto(f"{site.url}/stocktakes")
        page.select_option("#scope", "location")
        page.fill("#location_code", "C1")
        page.click("#start-form button")
        page.wait_for_url(re.compile(r"/stocktakes/\d+$"))
        expect(page.locator("#count-expected")).to_have_text("1")
        page.click("#camera-toggle")
        expect(page.locator("#count-seen")).to_have_text("1")
        expect(page.locator("#scan-status")).to_contain_text(code)
        screenshot(page, "stocktake-camera")
    finally:
        browser.close()
