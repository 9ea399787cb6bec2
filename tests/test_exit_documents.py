"""Exit slips and hand-over records at every exit, the stock card, the unsealing record and
the list of an item's documents: each document's text field by field, Vietnamese numbers
and dates, the stored SHA-256 against the bytes served, refusals that write nothing."""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from evidence_service.exitslips import papers as exit_papers
from evidence_service.legal.holidays import local_today
from evidence_service.models import ExitSlip, Item, OfficialDocument, Unsealing

from .docs_output import save_pages
from .factories import confirm_request, exit_document, item_data, make_item
from .papers import pdf_text

API = "/api/v1"
AGENCY_NAME = "Thi hành án dân sự tỉnh Lạng Sơn"


def _lang_son(session, world):
    world.agencies["parent"].name = AGENCY_NAME
    session.add(world.agencies["parent"])
    session.commit()


def _post(client, world, path, body, user="keeper"):
    return client.post(f"{API}{path}", json=body, headers=world.headers(user))


def _text(response):
    return " ".join(pdf_text(response.content).split())


def _confiscated(client, session, world):
    """An item the judgment confiscates, handed over to the finance agency (two people)."""
    data = item_data(
        world,
        case_id=world.cases["pending"].id,
        category="vehicle",
        description="Xe mô tô Honda Wave, biển số 12B1-456.78",
        net_weight_g=97500.0,
        gross_weight_g=None,
        seal_number="NP-0771",
    )
    received = _post(client, world, "/items", data)  # with its implicit handover
    assert received.status_code == 201, received.text
    item = session.exec(select(Item).where(Item.code == received.json()["code"])).one()
    order = {"disposition": "confiscate", **exit_document("15/QĐ-THADS")}
    assert (
        _post(client, world, f"/items/{item.code}/disposition", order, "manager").status_code == 200
    )
    confirm_request(client, world, item.code)
    body = {
        "recipient": "Phòng Tài chính - Kế hoạch xã Hoàng Đồng",
        "document_number": "15/QĐ-THADS",
        "document_date": str(local_today() - timedelta(days=3)),
        "document_issuer": AGENCY_NAME,
    }
    assert _post(client, world, f"/items/{item.code}/release", body).status_code == 200
    done = confirm_request(client, world, item.code, "manager")
    assert done.status_code == 200, done.text
    return item


EXIT_SLIP_FIELDS = [
    ("national header", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("agency", AGENCY_NAME.upper()),
    ("title", "PHIẾU XUẤT KHO"),
    ("form", "C05-THADS"),
    ("recipient", "Phòng Tài chính - Kế hoạch xã Hoàng Đồng"),
    ("reason", "giao tài sản tịch thu sung quỹ nhà nước"),
    ("document", "15/QĐ-THADS"),
    ("judgment", "2/2026/HS-ST"),
    ("location", "S2"),
    ("weight, Vietnamese", "97,5 kg"),
    ("seal", "NP-0771"),
    ("signatures", "(Ký, ghi rõ họ tên)"),
    ("page", "Trang 1/1"),
]


def test_a_confiscation_hand_over_makes_a_numbered_exit_slip_and_a_record(client, session, world):
    _lang_son(session, world)
    item = _confiscated(client, session, world)
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()
    assert slip.kind == "confiscation" and slip.number.endswith("/PXK")
    assert slip.record_number.endswith("/BBGN-XK")
    response = client.get(f"{API}/exit-slips/{slip.id}.pdf", headers=world.headers())
    text = _text(response)
    assert [what for what, shown in EXIT_SLIP_FIELDS if shown not in text] == []
    assert slip.number in text
    kept = session.exec(
        select(OfficialDocument).where(OfficialDocument.subject == f"exit_slip:{slip.id}")
    ).all()
    assert {d.kind for d in kept} == {"exit_slip", "exit_record"}
    digest = hashlib.sha256(response.content).hexdigest()
    assert (
        digest
        == response.headers["X-SHA256"]
        == next(d.sha256 for d in kept if d.kind == "exit_slip")
    )
    save_pages(response.content, "exit-slip")
    record = client.get(f"{API}/exit-slips/{slip.id}/record.pdf", headers=world.headers())
    rtext = _text(record)
    for shown in (
        "BIÊN BẢN GIAO NHẬN VẬT CHỨNG, TÀI SẢN",
        "(Giao tài sản tịch thu sung quỹ nhà nước)",  # from 01/07/2026: Decree 152 Art. 39
        "Điều 39 Nghị định số 152/2026/NĐ-CP",
        "Hồi ",
        "Phòng Tài chính - Kế hoạch xã Hoàng Đồng",
        slip.number,
        "04 bản",
        "ĐẠI DIỆN BÊN NHẬN",
    ):
        assert shown in rtext, shown
    assert "cơ quan tài chính" not in rtext and "Điều 124" not in rtext
    assert hashlib.sha256(record.content).hexdigest() == record.headers["X-SHA256"]
    save_pages(record.content, "exit-record")
    public = client.get(f"{API}/exit-slips/{slip.id}", headers=world.headers()).json()
    assert public["item_code"] == item.code and public["sha256"] == digest


def test_a_check_out_makes_an_exit_slip_and_its_return_shows_on_the_stock_card(
    client, session, world
):
    _lang_son(session, world)
    item = make_item(
        session,
        world,
        location_code="S1",
        quantity=3,
        unit="pack",
        net_weight_g=1250.5,
        gross_weight_g=None,
    )
    body = {
        "recipient": "TAND tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    assert _post(client, world, f"/items/{item.code}/check-outs", body).status_code == 200
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()
    assert slip.kind == "check_out" and slip.record_number is not None
    text = _text(client.get(f"{API}/exit-slips/{slip.id}.pdf", headers=world.headers()))
    assert "trích xuất" in text and "Thời hạn trả lại kho" in text and "88/CV-TA" in text
    assert _post(client, world, f"/items/{item.code}/samples", {"taken_g": 0.5}).status_code == 409
    assert _post(client, world, f"/items/{item.code}/returns", {}).status_code == 200
    assert (
        _post(
            client,
            world,
            f"/items/{item.code}/samples",
            {"taken_g": 50.5, "recipient": "Viện KHHS"},
        ).status_code
        == 200
    )
    card = client.get(f"{API}/items/{item.code}/stock-card.pdf", headers=world.headers())
    assert card.status_code == 200 and "X-SHA256" not in card.headers  # live, never stored
    text = _text(card)
    for shown in (
        "THẺ KHO",
        "D67-THADS",
        item.code,
        "Nhập kho",
        "Xuất kho (trích xuất)",
        slip.number,  # the exit's document number
        "Nhập lại sau trích xuất",
        "Lấy mẫu giám định",
        "1,25 kg",  # 1,250.5 g in, out, in again
        "50,5 g",  # the sample out
        "1,2 kg",  # the balance after it
        "Tồn (KL)",
    ):
        assert shown in text, shown
    save_pages(card.content, "stock-card")


def test_stock_card_balances_follow_the_movements(client, session, world):
    from evidence_service.items.stock_card import movements

    item = make_item(
        session, world, location_code="S2", quantity=10, unit="pack", net_weight_g=1000.0
    )
    _post(client, world, f"/items/{item.code}/splits", {"net_weight_g": 300.0, "quantity": 3})
    session.expire_all()
    rows = movements(session, session.get(type(item), item.id))
    assert [(r.in_quantity, r.out_quantity, r.quantity, r.weight_g) for r in rows] == [
        (10.0, None, 10.0, 1000.0),
        (None, 3.0, 7.0, 700.0),
    ]


UNSEAL = {
    "purpose": "destruction",
    "place": "Kho vật chứng, phòng niêm phong",
    "seal_description": "Niêm phong giấy, còn nguyên chữ ký, không rách",
    "condition_after": "12 gói nilon hàn kín chứa chất bột màu trắng",
    "resealed": True,
    "new_seal_number": "NP-1002",
    "participants": [
        {"name": "Nông Thị Hà", "position": "Chấp hành viên", "organisation": AGENCY_NAME},
        {"name": "Lương Văn Tùng", "position": "Thủ kho", "organisation": AGENCY_NAME},
        {
            "name": "Đinh Quang Huy",
            "position": "Kiểm sát viên",
            "organisation": "VKSND tỉnh Lạng Sơn",
        },
    ],
    "document_number": "05/QĐ-THADS",
}


def test_an_unsealing_has_its_record_and_reseals_the_item(client, session, world):
    _lang_son(session, world)
    item = make_item(session, world, category="drug", location_code="SEC-1", seal_number="NP-0457")
    response = _post(client, world, f"/items/{item.code}/unsealings", UNSEAL)
    assert response.status_code == 201, response.text
    row = response.json()
    assert row["number"].endswith("/BB-MNP") and row["seal_number_before"] == "NP-0457"
    shown = client.get(f"{API}/items/{item.code}", headers=world.headers()).json()
    assert (shown["seal_number"], shown["seal_state"]) == ("NP-1002", "intact")
    assert (
        client.get(f"{API}/items/{item.code}/custody", headers=world.headers()).json()[-1][
            "event_type"
        ]
        == "unsealing"
    )
    pdf = client.get(f"{API}/unsealings/{row['id']}/record.pdf", headers=world.headers())
    assert hashlib.sha256(pdf.content).hexdigest() == row["sha256"] == pdf.headers["X-SHA256"]
    text = _text(pdf)
    for shown in (
        "BIÊN BẢN MỞ NIÊM PHONG VẬT CHỨNG",
        "Mở niêm phong để tiêu hủy",
        "Nghị định số 127/2017/NĐ-CP",
        "05/QĐ-THADS",
        "Hồi ",
        "Niêm phong số NP-0457, niêm phong nguyên vẹn",
        "12 gói nilon hàn kín",
        "niêm phong số NP-1002",
        "Đinh Quang Huy",
        "KIỂM SÁT VIÊN",
        "03 bản",
    ):
        assert shown in text, shown
    save_pages(pdf.content, "unsealing-record")


def test_an_unsealing_that_breaks_a_rule_is_refused_and_writes_nothing(client, session, world):
    plain = make_item(session, world)  # no seal
    assert _post(client, world, f"/items/{plain.code}/unsealings", UNSEAL).status_code == 409
    sealed = make_item(session, world, seal_number="NP-5")
    alone = {**UNSEAL, "participants": UNSEAL["participants"][:1]}
    assert _post(client, world, f"/items/{sealed.code}/unsealings", alone).status_code == 422
    no_number = {**UNSEAL, "new_seal_number": None}
    assert _post(client, world, f"/items/{sealed.code}/unsealings", no_number).status_code == 422
    assert session.exec(select(Unsealing)).all() == []
    assert session.exec(select(OfficialDocument)).all() == []


def test_the_documents_of_an_item_link_every_document_about_it(client, session, world):
    item = _confiscated(client, session, world)
    docs = client.get(f"{API}/items/{item.code}/documents", headers=world.headers()).json()
    kinds = [d["kind"] for d in docs]
    assert kinds == ["handover_record", "entry_slip", "exit_slip", "exit_record", "stock_card"]
    for d in docs:
        assert client.get(d["url"], headers=world.headers()).status_code == 200, d["url"]
    exit_slip = next(d for d in docs if d["kind"] == "exit_slip")
    assert exit_slip["final"] and exit_slip["sha256"]
    assert (
        client.get(
            f"{API}/items/{item.code}/documents", headers=world.headers("other-keeper")
        ).status_code
        == 404
    )


def test_a_check_out_s_slip_and_record_cite_the_requesting_letter_s_date_and_issuer(
    client, session, world
):
    """ "theo văn bản số 88/CV-TA ngày 28/11/2026 của TAND tỉnh Lạng Sơn": the requesting
    body's letter, dated and issued, on the exit slip and its hand-over record; a check-out
    without them (every client of before) still prints the dotted blanks; an issuer that is
    no name is refused and nothing is written."""
    _lang_son(session, world)
    asked_on = local_today() - timedelta(days=4)
    shown_on = asked_on.strftime("%d/%m/%Y")
    dated, plain = (make_item(session, world, location_code="S1") for _ in range(2))
    body = {
        "recipient": "TAND tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    bad = {**body, "document_date": str(asked_on), "document_issuer": "…"}
    refused = _post(client, world, f"/items/{dated.code}/check-outs", bad)
    assert refused.status_code == 422, refused.text
    assert session.exec(select(ExitSlip)).all() == []
    full = {**body, "document_date": str(asked_on), "document_issuer": "Tòa án nhân dân tỉnh"}
    assert _post(client, world, f"/items/{dated.code}/check-outs", full).status_code == 200
    assert _post(client, world, f"/items/{plain.code}/check-outs", body).status_code == 200
    slip = session.exec(select(ExitSlip).where(ExitSlip.item_id == dated.id)).one()
    assert (slip.document_date, slip.document_issuer) == (asked_on, "Tòa án nhân dân tỉnh")
    cited = f"theo văn bản số 88/CV-TA ngày {shown_on} của Tòa án nhân dân tỉnh"
    for path, name in ((f"{slip.id}.pdf", "exit-slip-check-out"), (f"{slip.id}/record.pdf", None)):
        response = client.get(f"{API}/exit-slips/{path}", headers=world.headers())
        assert cited in _text(response), (path, _text(response))
        if name:
            save_pages(response.content, name)
    old = session.exec(select(ExitSlip).where(ExitSlip.item_id == plain.id)).one()
    text = _text(client.get(f"{API}/exit-slips/{old.id}.pdf", headers=world.headers()))
    assert "theo văn bản số 88/CV-TA ngày … của …" in text, text


def test_a_confiscation_before_01_07_2026_goes_to_the_finance_agency(client, session, world):
    """The record's words follow the rules of its day (Law 2008 Art. 124 before, Decree
    152/2026 Art. 39 from 01/07/2026)."""
    _lang_son(session, world)
    item = _confiscated(client, session, world)
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).all()
    slip.issued_at = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)  # 16:00 in Viet Nam, 30/06
    words = " ".join(pdf_text(exit_papers.render(session, slip, exit_papers.RECORD, "vi")).split())
    assert "Giao tài sản tịch thu sung quỹ nhà nước cho cơ quan tài chính" in words
    assert "Điều 124" in words and "Điều 39 Nghị định" not in words
    session.rollback()
