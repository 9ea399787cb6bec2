"""Label endpoints and the ``labels`` command: documents, permissions, custody events."""

import io
from collections import Counter

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from evidence_service.cli import app as cli_app
from evidence_service.config import get_settings
from evidence_service.labels.contents import item_fields
from evidence_service.models import Case, CustodyEvent, Item, ItemStatus, LabelPrintJob
from tests.conftest import fresh_database
from tests.factories import make_item, make_world

API = "/api/v1"
SHIPPED = {
    "thermal-50x30-203",
    "thermal-50x30-300",
    "thermal-100x50-203",
    "a4-3x8-70x37",
    "a4-2x7-l7163",
    "thermal-100x150-203",
    "a4-2x4-decal-105x74",
}


def decode_png(data: bytes) -> list[str]:
    image = Image.open(io.BytesIO(data)).convert("L")
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_pdf(data: bytes, dpi: int = 300) -> list[str]:
    doc = pdfium.PdfDocument(data)
    found = []
    for i in range(len(doc)):
        image = doc[i].render(scale=dpi / 72).to_pil().convert("L")
        found += [
            b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    return found


def payload_of(client, world, code: str, kind: str = "items") -> str:
    response = client.get(f"{API}/{kind}/{code}", headers=world.headers())
    assert response.status_code == 200
    return response.json()["label_payload"]


def label_events(client, world, code: str) -> list[dict]:
    response = client.get(f"{API}/items/{code}/custody", headers=world.headers())
    assert response.status_code == 200
    return [e for e in response.json() if e["event_type"] == "label_printed"]


def make_drug(session: Session, world) -> Item:
    return make_item(
        session,
        world,
        category="drug",
        description="Heroin",
        hazard_classes=["narcotics"],
        quantity=3,
        unit="pack",
        net_weight_g=125.5,
        gross_weight_g=130.0,
        location_code="SEC-1",
    )


def destroy(session: Session, item: Item) -> None:
    item.status = ItemStatus.destroyed.value
    item.location_id = None
    session.add(item)
    session.commit()  # a savepoint in tests: survives the rollback of a refused request


# --- single labels ---------------------------------------------------------------------------


def test_item_png_label_decodes_to_the_items_payload(client, session, world):
    item = make_drug(session, world)
    response = client.get(f"{API}/items/{item.code}/label", headers=world.headers())
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert f'filename="{item.code}.png"' in response.headers["content-disposition"]
    assert decode_png(response.content) == [payload_of(client, world, item.code)]
    # 50x30 mm at 203 dpi
    assert Image.open(io.BytesIO(response.content)).size == (400, 240)


def test_item_label_preview_records_nothing_and_printing_is_recorded(client, session, world):
    item = make_drug(session, world)
    preview = client.get(
        f"{API}/items/{item.code}/label",
        params={"format": "png", "template": "thermal-100x50-203"},
        headers=world.headers("manager"),
    )
    assert preview.status_code == 200
    assert label_events(client, world, item.code) == []  # a GET never writes
    for fmt in ("png", "pdf"):
        printed = client.post(
            f"{API}/labels",
            json={"codes": [item.code], "format": fmt, "template": "thermal-100x50-203"},
            headers=world.headers("manager"),
        )
        assert printed.status_code == 200, printed.text
    events = label_events(client, world, item.code)
    assert [e["details"] for e in events] == [
        {"template": "thermal-100x50-203", "format": "png", "copies": 1},
        {"template": "thermal-100x50-203", "format": "pdf", "copies": 1},
    ]
    assert {e["actor"] for e in events} == {"manager"}


def test_31_previews_of_every_format_leave_the_record_alone(client, session, world):
    """The issue counted 31 label_printed events on one item that was only looked at: now
    the item's and the location's label GETs, in every format, write no row at all."""
    item = make_drug(session, world)

    def rows() -> tuple[int, int]:
        session.expire_all()
        return (
            len(session.exec(select(CustodyEvent)).all()),
            len(session.exec(select(LabelPrintJob)).all()),
        )

    before = rows()
    for n in range(31):
        fmt = ("png", "pdf", "zpl")[n % 3]
        for path in (f"items/{item.code}", "locations/SEC-1"):
            answer = client.get(
                f"{API}/{path}/label",
                params={"format": fmt, "template": "thermal-50x30-203"},
                headers=world.headers(),
            )
            assert answer.status_code == 200, answer.text
    assert rows() == before
    assert label_events(client, world, item.code) == []


def test_item_pdf_label_has_vietnamese_text(client, session, world):
    item = make_drug(session, world)
    response = client.get(
        f"{API}/items/{item.code}/label",
        params={"format": "pdf", "template": "thermal-100x50-203"},
        headers=world.headers(),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{item.code}.pdf"' in response.headers["content-disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in (
        "XEM TRƯỚC",  # a preview says so
        "Heroin",  # the description, not the category
        "Không niêm phong",
        "Bản án số 1/2026/HS-ST",
        "3 gói",
        "125,5 g",
        "Vị trí SEC-1",
        "KHU VỰC AN NINH",  # SEC-1 is a secure location
    ):
        assert expected in text
    assert decode_pdf(response.content) == [payload_of(client, world, item.code)]


def test_a_judgment_without_its_court_prints_as_a_judgment_not_a_case(session, world):
    item = make_drug(session, world)
    case = session.get(Case, item.case_id)
    assert case is not None and case.judgment_number
    case.court = None  # a judgment recorded without its court
    assert item_fields(item, case, None)["judgment"] == f"Bản án số {case.judgment_number}"
    case.court = "TAND tỉnh Lạng Sơn"
    assert item_fields(item, case, None)["judgment"] == (
        f"Bản án số {case.judgment_number} – TAND tỉnh Lạng Sơn"
    )


def test_item_zpl_label(client, session, world):
    item = make_item(
        session,
        world,
        category="fireworks",
        hazard_classes=["1.4G"],
        location_code="F1",
        description="Pháo hoa",
    )
    response = client.get(
        f"{API}/items/{item.code}/label", params={"format": "zpl"}, headers=world.headers()
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "attachment" in response.headers["content-disposition"]
    zpl = response.text
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^CI28" in zpl
    assert payload_of(client, world, item.code) in zpl
    # The text travels as a graphic drawn with the label's font: no Vietnamese in the fields.
    assert "^GFA," in zpl and ":Z64:" in zpl
    assert "Pháo" not in zpl and "^A0" not in zpl


def test_location_label(client, world):
    response = client.get(f"{API}/locations/SEC-1/label", headers=world.headers())
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert decode_png(response.content) == [payload_of(client, world, "SEC-1", "locations")]
    pdf = client.get(
        f"{API}/locations/SEC-1/label",
        params={"format": "pdf", "template": "thermal-100x50-203"},
        headers=world.headers(),
    )
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Kho Một / SEC-1" in text
    assert "KHU VỰC AN NINH" in text
    assert "Ngăn" in text


def test_location_label_limits(client, world):
    response = client.get(
        f"{API}/locations/S1/label",
        params={"format": "pdf", "template": "thermal-100x50-203"},
        headers=world.headers(),
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "tối đa 2 vật chứng" in text
    assert "KHU VỰC AN NINH" not in text


def test_base_url_puts_a_url_ending_in_the_payload_in_the_qr(app, client, session, world):
    app.state.settings = app.state.settings.model_copy(
        update={"label_base_url": "HTTPS://EV.EXAMPLE.VN/S/"}
    )
    item = make_drug(session, world)
    response = client.get(f"{API}/items/{item.code}/label", headers=world.headers())
    (content,) = decode_png(response.content)
    payload = payload_of(client, world, item.code)
    assert content == f"HTTPS://EV.EXAMPLE.VN/S/{payload}"


def test_templates_are_listed(client, world):
    response = client.get(f"{API}/labels/templates", headers=world.headers())
    assert response.status_code == 200
    templates = {t["name"]: t for t in response.json()}
    assert set(templates) >= SHIPPED
    sheet = templates["a4-3x8-70x37"]
    assert sheet["kind"] == "sheet" and sheet["labels_per_page"] == 24 and sheet["page"] == "A4"
    assert sheet["width_mm"] == 70 and sheet["height_mm"] == 37
    roll = templates["thermal-50x30-300"]
    assert roll["kind"] == "thermal" and roll["dpi"] == 300 and roll["labels_per_page"] == 1
    assert roll["title"]["vi"] and roll["title"]["en"]


# --- batches ---------------------------------------------------------------------------------


def test_case_pdf_with_skip_and_copies(client, session, world):
    case_id = world.cases["pending"].id
    items = [make_item(session, world, case_id=case_id) for _ in range(5)]
    make_item(session, world)  # another case: not printed
    response = client.post(
        f"{API}/labels",
        json={"case_id": case_id, "template": "a4-3x8-70x37", "skip": 2, "copies": 2},
        headers=world.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="labels-' in response.headers["content-disposition"]
    found = decode_pdf(response.content)
    assert len(found) == 10
    expected = {payload_of(client, world, i.code) for i in items}
    assert Counter(found) == Counter({p: 2 for p in expected})
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    for item in items:
        (event,) = label_events(client, world, item.code)
        assert event["details"] == {"template": "a4-3x8-70x37", "format": "pdf", "copies": 2}


def test_codes_in_request_order_each_printed_once(client, session, world):
    a, b = make_item(session, world), make_item(session, world)
    response = client.post(
        f"{API}/labels",
        json={"codes": [b.code, a.code, b.code.lower()], "template": "thermal-50x30-300"},
        headers=world.headers(),
    )
    assert response.status_code == 200
    assert decode_pdf(response.content) == [
        payload_of(client, world, b.code),
        payload_of(client, world, a.code),
    ]
    assert len(label_events(client, world, a.code)) == 1
    assert len(label_events(client, world, b.code)) == 1


def test_location_filter_prints_the_items_in_the_subtree(client, session, world):
    inside = [make_item(session, world, location_code=c) for c in ("S1", "S2")]
    outside = make_item(session, world, location_code="C1")
    response = client.post(
        f"{API}/labels",
        json={"location_code": "R1", "format": "zpl"},
        headers=world.headers(),
    )
    assert response.status_code == 200
    for item in inside:
        assert payload_of(client, world, item.code) in response.text
    assert payload_of(client, world, outside.code) not in response.text
    assert response.text.count("^XA") == 2
    assert label_events(client, world, outside.code) == []


def test_location_labels_in_batch(client, world):
    response = client.post(
        f"{API}/labels",
        json={"kind": "location", "location_code": "R1", "template": "a4-2x7-l7163"},
        headers=world.headers(),
    )
    assert response.status_code == 200
    expected = [payload_of(client, world, c, "locations") for c in ("R1", "S1", "S2")]
    assert sorted(decode_pdf(response.content)) == sorted(expected)
    by_codes = client.post(
        f"{API}/labels",
        json={"kind": "location", "codes": ["C2", "F1"], "format": "zpl"},
        headers=world.headers(),
    )
    assert by_codes.status_code == 200
    assert by_codes.text.count("^XA") == 2


def test_png_batch_of_one(client, session, world):
    item = make_item(session, world)
    response = client.post(
        f"{API}/labels", json={"codes": [item.code], "format": "png"}, headers=world.headers()
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert decode_png(response.content) == [payload_of(client, world, item.code)]


# --- refusals --------------------------------------------------------------------------------


def test_unauthenticated_401(client):
    for method, url in [
        ("get", f"{API}/items/VC26-000001-X/label"),
        ("get", f"{API}/locations/S1/label"),
        ("get", f"{API}/labels/templates"),
        ("post", f"{API}/labels"),
    ]:
        response = client.request(method.upper(), url, json={"codes": ["S1"]})
        assert response.status_code == 401, url


@pytest.mark.parametrize("role", ["auditor", "council", "admin"])
def test_roles_without_label_permission_403(client, session, world, role):
    item = make_item(session, world)
    headers = world.headers(role)
    assert client.get(f"{API}/items/{item.code}/label", headers=headers).status_code == 403
    assert client.get(f"{API}/locations/S1/label", headers=headers).status_code == 403
    response = client.post(f"{API}/labels", json={"codes": [item.code]}, headers=headers)
    assert response.status_code == 403
    assert label_events(client, world, item.code) == []


def test_unknown_or_foreign_codes_404(client, session, world):
    other = make_item(
        session, world, actor="other-keeper", case_id=world.cases["other"].id, location_code="X1"
    )
    mine = make_item(session, world)
    headers = world.headers()
    for url in (
        f"{API}/items/VC26-999999-X/label",
        f"{API}/items/{other.code}/label",
        f"{API}/items/not%20a%20code!/label",
        f"{API}/locations/NOPE/label",
        f"{API}/locations/X1/label",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    for body in (
        {"codes": [mine.code, "VC26-999999-X"]},
        {"codes": [other.code]},
        {"case_id": world.cases["other"].id},
        {"case_id": 987654},
        {"location_code": "X1"},
        {"kind": "location", "codes": ["S1", "X1"]},
    ):
        response = client.post(f"{API}/labels", json=body, headers=headers)
        assert response.status_code == 404, body
    assert label_events(client, world, mine.code) == []  # nothing recorded on a refusal


def test_destroyed_item_cannot_be_relabelled_409(client, session, world):
    item = make_item(session, world)
    kept = make_item(session, world)
    destroy(session, item)
    headers = world.headers()
    response = client.get(f"{API}/items/{item.code}/label", headers=headers)
    assert response.status_code == 409
    assert "destroyed" in response.json()["detail"]
    response = client.post(f"{API}/labels", json={"codes": [kept.code, item.code]}, headers=headers)
    assert response.status_code == 409
    assert label_events(client, world, kept.code) == []
    # A case print leaves the destroyed item out instead of failing.
    response = client.post(
        f"{API}/labels", json={"case_id": world.cases["destroy"].id}, headers=headers
    )
    assert response.status_code == 200
    assert decode_pdf(response.content) == [payload_of(client, world, kept.code)]


def test_unknown_template_422_lists_the_known_ones(client, session, world):
    item = make_item(session, world)
    response = client.get(
        f"{API}/items/{item.code}/label", params={"template": "nope"}, headers=world.headers()
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "template"]
    for name in SHIPPED:
        assert name in error["msg"]
    response = client.post(
        f"{API}/labels", json={"codes": [item.code], "template": "nope"}, headers=world.headers()
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "template"]
    assert label_events(client, world, item.code) == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"codes": []},
        {"codes": ["A"], "case_id": 1},
        {"location_code": "C1"},  # empty location
        {"codes": ["ITEM"], "format": "png", "copies": 2},
        {"codes": ["ITEM", "ITEM2"], "format": "png"},
        {"codes": ["ITEM"], "format": "gif"},
        {"codes": ["ITEM"], "skip": 1},  # a roll has one position
        {"codes": ["ITEM"], "template": "a4-3x8-70x37", "skip": 24},
        {"codes": ["ITEM"], "skip": -1},
        {"codes": ["ITEM"], "copies": 0},
        {"codes": ["ITEM"], "copies": 51},
        {"codes": ["ITEM"], "kind": "pallet"},
        {"case_id": 1, "kind": "location"},
    ],
)
def test_bad_batch_requests_422(client, session, world, body):
    items = [make_item(session, world), make_item(session, world)]
    codes = {"ITEM": items[0].code, "ITEM2": items[1].code}
    if "codes" in body:
        body = {**body, "codes": [codes.get(c, c) for c in body["codes"]]}
    response = client.post(f"{API}/labels", json=body, headers=world.headers())
    assert response.status_code == 422, response.text
    assert label_events(client, world, items[0].code) == []


def test_bad_format_query_422(client, session, world):
    item = make_item(session, world)
    response = client.get(
        f"{API}/items/{item.code}/label", params={"format": "bmp"}, headers=world.headers()
    )
    assert response.status_code == 422


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    db = fresh_database(tmp_path, "evidence_labels_cli")
    with db.session(write=True) as session:
        world = make_world(session)
        items = [
            make_item(session, world, case_id=world.cases["pending"].id, location_code="S2")
            for _ in range(3)
        ]
        codes = [i.code for i in items]
        session.commit()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", db.engine.url.render_as_string(False))
    get_settings.cache_clear()
    yield db, world, codes
    get_settings.cache_clear()
    db.engine.dispose()


def test_cli_labels_print_writes_a_pdf_and_records_it(cli_database, tmp_path):
    from evidence_service.items import custody_history
    from evidence_service.payload import make_payload

    db, world, codes = cli_database
    out = tmp_path / "labels.pdf"
    runner = CliRunner()
    result = runner.invoke(
        cli_app,
        [
            "labels",
            "print",
            "--case",
            str(world.cases["pending"].id),
            "--template",
            "a4-3x8-70x37",
            "--format",
            "pdf",
            "--out",
            str(out),
            "--skip",
            "3",
            "--copies",
            "2",
            "--as",
            "keeper",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 label(s)" in result.output
    found = decode_pdf(out.read_bytes())
    assert Counter(found) == Counter({make_payload("item", c): 2 for c in codes})
    assert not (tmp_path / "labels.pdf.part").exists()
    with db.session() as session:
        keeper = world.users["keeper"]
        for code in codes:
            events = [
                e for e in custody_history(session, code, keeper) if e.event_type == "label_printed"
            ]
            assert [(e.actor, e.details["copies"]) for e in events] == [("keeper", 2)]


def test_cli_labels_print_codes_zpl_and_errors(cli_database, tmp_path):
    _db, _world, codes = cli_database
    out = tmp_path / "labels.zpl"
    runner = CliRunner()
    result = runner.invoke(
        cli_app,
        [
            "labels",
            "print",
            "--codes",
            ",".join(codes[:2]),
            "--format",
            "zpl",
            "--out",
            str(out),
            "--as",
            "manager",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("^XA") == 2
    refused = runner.invoke(
        cli_app, ["labels", "print", "--codes", codes[0], "--out", str(out), "--as", "auditor"]
    )
    assert refused.exit_code == 1
    unknown = runner.invoke(
        cli_app, ["labels", "print", "--codes", codes[0], "--out", str(out), "--as", "nobody"]
    )
    assert unknown.exit_code == 1
    listing = runner.invoke(cli_app, ["labels", "templates"])
    assert listing.exit_code == 0
    for name in SHIPPED:
        assert name in listing.output
