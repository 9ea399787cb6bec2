"""Handovers: POST /handovers with its record and entry slip, the rules a final record
needs, the implicit handover of a plain intake, and the documents' text and hashes."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from evidence_service.cases import CaseCreate, create_case
from evidence_service.legal.holidays import local_today
from evidence_service.models import Handover, HandoverLine, Item

from .docs_output import save_pages
from .factories import item_data
from .papers import page_count, pdf_text

AGENCY_NAME = "Thi hành án dân sự tỉnh Lạng Sơn"


def _lang_son(session, world):
    world.agencies["parent"].name = AGENCY_NAME
    session.add(world.agencies["parent"])
    session.commit()


@pytest.fixture
def before_trial(session, world):
    """A case as evidence usually arrives: on the procuracy's transfer decision, before any
    judgment (vn-legal-context §2.1)."""
    case = create_case(
        session,
        CaseCreate(
            transfer_decision={
                "issuer": "VKSND khu vực 1 - Lạng Sơn",
                "number": "12/QĐ-VKS",
                "date": "2026-11-20",
                "investigating_body": "Cơ quan CSĐT Công an tỉnh Lạng Sơn",
            }
        ),
        world.users["manager"],
    )
    session.commit()
    world.cases["before_trial"] = case
    return case


def _at() -> datetime:
    """Yesterday 15:37 in Viet Nam (08:37 UTC), so never in the future."""
    day = local_today() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8, 37, tzinfo=UTC)


def handover_body(world, **overrides):
    body = {
        "case_id": world.cases.get("before_trial", world.cases["pending"]).id,
        "handed_over_at": _at().isoformat(),
        "place": "Kho vật chứng Thi hành án dân sự tỉnh Lạng Sơn",
        "deliverer": {
            "name": "Hoàng Văn Dũng",
            "position": "Điều tra viên",
            "id_document": "020188004512",
            "agency": "Cơ quan CSĐT Công an tỉnh Lạng Sơn",
            "introduction_letter": "215/GGT-CSĐT",
        },
        "receivers": [
            {"role": "officer", "name": "Nông Thị Hà", "position": "Chấp hành viên"},
            {"role": "keeper", "name": "Lương Văn Tùng", "position": "Thủ kho"},
            {"role": "accountant", "name": "Vi Thị Mai", "position": "Kế toán"},
        ],
        "acts": {
            "transfer_decision": {
                "number": "12/QĐ-VKS",
                "date": "2026-11-20",
                "issuer": "VKSND khu vực 1 - Lạng Sơn",
            },
            "seizure_record": {
                "number": "45/BB-TG",
                "date": "2026-10-02",
                "issuer": "Công an huyện Cao Lộc",
            },
            "forensic_conclusion": {
                "number": "1021/KL-KTHS",
                "date": "2026-10-15",
                "issuer": "Phòng Kỹ thuật hình sự Công an tỉnh Lạng Sơn",
            },
        },
        "location_code": "SEC-1",
        "items": [
            {
                "category": "drug",
                "description": "Heroin, 12 gói nilon hàn kín",
                "quantity": 12,
                "unit": "pack",
                "net_weight_g": 38725.0,
                "gross_weight_g": 39125.5,
                "seal_number": "NP-0457",
                "seal_state": "intact",
                "seal_signatories": ["Hoàng Văn Dũng", "Nguyễn Văn Bình"],
                "condition": "Gói nilon hàn kín, không rách",
            },
            {
                "category": "other",
                "description": "Điện thoại Samsung A52, IMEI 356789104512341",
                "quantity": 1,
                "unit": "piece",
                "net_weight_g": 189.0,
                "location_code": "S2",
                "seal_number": "NP-0458",
                "seal_state": "suspicious",
                "forensic_conclusion": {
                    "number": "1102/KL-KTHS",
                    "date": "2026-11-25",
                    "issuer": "Phòng Kỹ thuật hình sự Công an tỉnh Lạng Sơn",
                },
                "seal_signatories": ["Hoàng Văn Dũng"],
                "matches_seizure_record": False,
                "difference": "Vỏ máy trầy xước, biên bản thu giữ ghi còn mới",
                "condition": "Vỏ trầy xước",
            },
        ],
        "resolution": "Công văn số 88/CV-CSĐT ngày 28/11/2026 của Thủ trưởng Cơ quan CSĐT xác nhận",
    }
    body.update(overrides)
    return body


def post(client, world, body, user="keeper"):
    return client.post("/api/v1/handovers", json=body, headers=world.headers(user))


def test_a_handover_receives_its_items_with_a_final_record_and_entry_slip(
    client, session, world, before_trial
):
    _lang_son(session, world)
    response = post(client, world, handover_body(world))
    assert response.status_code == 201, response.text
    h = response.json()
    assert h["final"] and h["missing"] == [] and not h["implicit"]
    assert h["record_number"].endswith("/BBGN") and h["entry_slip_number"].endswith("/PNK")
    assert [line["seal_state"] for line in h["lines"]] == ["intact", "suspicious"]
    items = session.exec(select(Item).order_by(Item.id.desc()).limit(2)).all()
    assert {i.delivered_by_name for i in items} == {"Hoàng Văn Dũng"}
    # The items carry the final documents' numbers (labels, ledger, destruction record).
    assert {i.entry_slip_no for i in items} == {h["entry_slip_number"]}
    assert {i.handover_record_no for i in items} == {h["record_number"]}
    assert {i.seal_state for i in items} == {"intact", "suspicious"}
    shown = client.get(f"/api/v1/handovers/{h['id']}", headers=world.headers()).json()
    assert shown == h
    listed = client.get("/api/v1/handovers", headers=world.headers()).json()
    assert listed[0]["id"] == h["id"] and listed[0]["item_count"] == 2


RECORD_FIELDS = [
    # (what the law asks, the text the record shows): §2.2(5), §2.3(4), §7
    ("national header", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("motto", "Độc lập - Tự do - Hạnh phúc"),
    ("agency header", AGENCY_NAME.upper()),
    ("title", "BIÊN BẢN GIAO NHẬN VẬT CHỨNG, TÀI SẢN TẠM GIỮ"),
    ("hour in words, local time", "Hồi 15 giờ 37 phút"),
    ("place", "tại Kho vật chứng Thi hành án dân sự tỉnh Lạng Sơn"),
    ("deliverer name", "Hoàng Văn Dũng"),
    ("deliverer position", "Điều tra viên"),
    ("deliverer agency", "Cơ quan CSĐT Công an tỉnh Lạng Sơn"),
    ("deliverer ID", "020188004512"),
    ("introduction letter", "215/GGT-CSĐT"),
    ("officer", "Nông Thị Hà"),
    ("keeper", "Lương Văn Tùng"),
    ("accountant", "Vi Thị Mai"),
    ("transfer decision", "12/QĐ-VKS"),
    ("transfer decision date", "20/11/2026"),
    ("seizure record", "45/BB-TG"),
    ("forensic conclusion", "1021/KL-KTHS"),
    ("line's new forensic conclusion", "1102/KL-KTHS"),
    ("weight, Vietnamese", "38,725 kg"),
    ("quantity and unit", "12 gói"),
    ("seal number", "NP-0457"),
    ("seal state intact", "nguyên vẹn"),
    ("seal state suspicious", "khả nghi"),
    ("seal signatories", "Nguyễn Văn Bình"),
    ("condition", "Gói nilon hàn kín"),
    ("comparison: match", "Khớp"),
    ("comparison: difference", "Vỏ máy trầy xước"),
    ("resolution", "88/CV-CSĐT"),
    ("copies", "04 bản"),
    ("signature hint", "(Ký, ghi rõ họ tên)"),
    ("page x/y", "Trang 1/"),
    ("chain head", "EVG "),
]


def test_the_handover_record_has_every_field_the_law_asks(client, session, world, before_trial):
    _lang_son(session, world)
    h = post(client, world, handover_body(world)).json()
    response = client.get(f"/api/v1/handovers/{h['id']}/record.pdf", headers=world.headers())
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    missing = [what for what, shown in RECORD_FIELDS if " ".join(shown.split()) not in text]
    assert missing == []
    assert h["record_number"] in text and "Lạng Sơn, ngày" in text
    assert "38.725" not in text  # not 1000 × too much
    save_pages(response.content, "handover-record")


SLIP_FIELDS = [
    ("title", "PHIẾU NHẬP KHO"),
    ("form", "C04-THADS"),
    ("reason: the handover record", "Biên bản giao nhận số"),
    ("deliverer", "Hoàng Văn Dũng"),
    ("location", "SEC-1"),
    ("weight", "189 g"),
    ("keeper", "THỦ KHO"),
    ("accountant", "KẾ TOÁN"),
    ("head", "THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ"),
]


def test_the_entry_slip_names_its_lines_and_signers_and_is_served_as_stored(
    client, session, world, before_trial
):
    _lang_son(session, world)
    h = post(client, world, handover_body(world)).json()
    response = client.get(f"/api/v1/handovers/{h['id']}/entry-slip.pdf", headers=world.headers())
    text = " ".join(pdf_text(response.content).split())
    assert [what for what, shown in SLIP_FIELDS if shown not in text] == []
    assert h["entry_slip_number"] in text and h["record_number"] in text
    digest = hashlib.sha256(response.content).hexdigest()
    assert digest == h["entry_slip_sha256"] == response.headers["X-SHA256"]
    record = client.get(f"/api/v1/handovers/{h['id']}/record.pdf", headers=world.headers())
    assert hashlib.sha256(record.content).hexdigest() == h["record_sha256"]
    save_pages(response.content, "entry-slip")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda b: b["deliverer"].update(name=""), "handover_deliverer_name"),
        (lambda b: b["deliverer"].update(id_document=""), "handover_deliverer_id_document"),
        (lambda b: b["receivers"].pop(2), "handover_receiver_accountant"),
        (lambda b: b["acts"].pop("seizure_record"), "handover_seizure_record"),
        (lambda b: b["acts"].pop("transfer_decision"), "handover_transfer_decision"),
        (lambda b: b["acts"].pop("forensic_conclusion"), "handover_drug_conclusion"),
        (lambda b: b["items"][0].update(seal_state="unsealed"), "handover_drug_sealed"),
        (lambda b: b["items"][1].pop("forensic_conclusion"), "handover_new_conclusion"),
        (lambda b: b["items"][1].update(difference=""), "handover_difference"),
        (lambda b: b.update(resolution=""), "handover_resolution"),
        (lambda b: b["items"][0].pop("seal_state"), "handover_seal_state"),
        (lambda b: b.update(place=" "), "handover_place"),
    ],
)
def test_a_record_lacking_what_the_law_asks_is_refused_and_nothing_is_written(
    client, session, world, before_trial, change, code
):
    body = handover_body(world)
    change(body)
    before = session.exec(select(Item.id)).all()
    response = post(client, world, body)
    assert response.status_code == 422, response.text
    assert code in [d["type"] for d in response.json()["detail"]]
    assert session.exec(select(Item.id)).all() == before
    assert session.exec(select(Handover)).all() == []


def test_a_plain_intake_makes_a_draft_handover_that_completing_makes_final(client, session, world):
    _lang_son(session, world)
    data = item_data(world, delivered_by={"name": "Trần Văn An"}, seal_number="NP-9")
    response = client.post("/api/v1/items", json=data, headers=world.headers())
    assert response.status_code == 201, response.text
    item = response.json()
    (h,) = client.get("/api/v1/handovers?final=false", headers=world.headers()).json()
    assert h["implicit"] and not h["final"] and h["deliverer_name"] == "Trần Văn An"
    assert h["record_number"] is None  # numbered once final
    shown = client.get(f"/api/v1/handovers/{h['id']}", headers=world.headers()).json()
    assert "receiver_accountant" in shown["missing"]
    draft = client.get(f"/api/v1/handovers/{h['id']}/record.pdf", headers=world.headers())
    assert "X-SHA256" not in draft.headers and "DỰ THẢO" in pdf_text(draft.content)
    body = handover_body(world)
    details = {k: body[k] for k in ("place", "deliverer", "receivers", "acts")}
    details["lines"] = [{"item_code": item["code"], "seal_state": "broken"}]
    refused = client.post(
        f"/api/v1/handovers/{h['id']}/complete", json=details, headers=world.headers()
    )
    assert refused.status_code == 422
    assert "handover_new_conclusion" in [d["type"] for d in refused.json()["detail"]]
    assert (
        client.get(f"/api/v1/items/{item['code']}", headers=world.headers()).json()["seal_state"]
        == "intact"
    )  # the refusal changed nothing
    details["lines"][0]["forensic_conclusion"] = {"number": "77/KL-KTHS"}
    done = client.post(
        f"/api/v1/handovers/{h['id']}/complete", json=details, headers=world.headers()
    )
    assert done.status_code == 200, done.text
    assert done.json()["final"] and done.json()["missing"] == []
    assert done.json()["record_number"].endswith("/BBGN")
    numbered = client.get(f"/api/v1/items/{item['code']}", headers=world.headers()).json()
    assert numbered["entry_slip_no"] == done.json()["entry_slip_number"]
    seal = client.get(f"/api/v1/items/{item['code']}", headers=world.headers()).json()
    assert seal["seal_state"] == "broken"
    again = client.post(
        f"/api/v1/handovers/{h['id']}/complete", json=details, headers=world.headers()
    )
    assert again.status_code == 409


def test_a_batch_intake_makes_one_handover_with_a_line_per_item(client, session, world):
    body = {"items": [item_data(world), item_data(world, description="Xe máy Honda")]}
    response = client.post("/api/v1/items/batch", json=body, headers=world.headers())
    assert response.status_code == 201, response.text
    (handover,) = session.exec(select(Handover)).all()
    lines = session.exec(select(HandoverLine).order_by(HandoverLine.line_no)).all()
    assert [line.item_id for line in lines] == [
        session.exec(select(Item.id).where(Item.code == i["code"])).one() for i in response.json()
    ]
    assert handover.implicit and handover.final_at is None


def test_a_long_note_splits_across_pages(client, session, world):
    note = "Ghi chú dài về hiện trạng vật chứng. " * 140  # about 5,000 characters
    h = post(client, world, handover_body(world, notes=note)).json()
    record = client.get(f"/api/v1/handovers/{h['id']}/record.pdf", headers=world.headers())
    assert page_count(record.content) >= 2
    assert "Trang 2/" in pdf_text(record.content)


def test_another_agency_cannot_see_a_handover(client, session, world):
    h = post(client, world, handover_body(world)).json()
    for path in ("", "/record.pdf", "/entry-slip.pdf"):
        response = client.get(
            f"/api/v1/handovers/{h['id']}{path}", headers=world.headers("other-keeper")
        )
        assert response.status_code == 404


def test_a_return_after_a_check_out_is_received_like_a_new_handover(client, session, world):
    """Circular 04/2023 Art. 11(3): the body that had the item brings it back; the keeper
    receives it with a handover record and an entry slip of its own (a draft, completed
    like any other), listed among the item's documents after its intake's."""
    _lang_son(session, world)
    data = item_data(world, seal_number="NP-31", location_code="S2")
    item = client.post("/api/v1/items", json=data, headers=world.headers()).json()
    code = item["code"]
    checkout = {
        "recipient": "TAND tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "88/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    headers = world.headers()
    assert client.post(
        f"/api/v1/items/{code}/check-outs", json=checkout, headers=headers
    ).is_success
    assert len(session.exec(select(Handover)).all()) == 1  # leaving makes no handover
    back = client.post(f"/api/v1/items/{code}/returns", json={}, headers=headers)
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "stored"
    intake, returned = session.exec(select(Handover).order_by(Handover.id)).all()
    assert returned.implicit and returned.final_at is None
    assert returned.deliverer_agency == "TAND tỉnh Lạng Sơn"
    (line,) = session.exec(select(HandoverLine).where(HandoverLine.handover_id == returned.id))
    assert line.seal_number == "NP-31" and line.seal_state == "intact"
    assert session.exec(select(Item.id).where(Item.code == code)).one() == line.item_id
    listed = client.get(f"/api/v1/items/{code}/documents", headers=headers).json()
    handover_urls = [d["url"] for d in listed if d["kind"] == "handover_record"]
    assert handover_urls == [
        f"/api/v1/handovers/{intake.id}/record.pdf",
        f"/api/v1/handovers/{returned.id}/record.pdf",
    ]
    assert f"/api/v1/handovers/{returned.id}/entry-slip.pdf" in [d["url"] for d in listed]
    record = client.get(f"/api/v1/handovers/{returned.id}/record.pdf", headers=headers)
    text = " ".join(pdf_text(record.content).split())
    assert "TAND tỉnh Lạng Sơn" in text and code in text and "NP-31" in text
    save_pages(record.content, "return-handover-record")
    # A return refused (not checked out any more) makes no second handover.
    again = client.post(f"/api/v1/items/{code}/returns", json={}, headers=headers)
    assert again.status_code == 409
    assert len(session.exec(select(Handover)).all()) == 2


def test_a_re_entry_after_a_check_out_says_so_and_its_stock_card_row_cites_its_own_slip(
    client, session, world
):
    """The return's handover record and entry slip say it is a re-entry after extraction
    and cite the check-out (its exit slip, the requester's document; Circular 04/2023 Art.
    11(3)); completed, the stock card's re-entry row cites the return's own entry slip, the
    check-out row its exit slip (each row its own document)."""
    from evidence_service.models import ExitSlip

    _lang_son(session, world)
    data = item_data(world, seal_number="NP-32", location_code="S2")
    item = client.post("/api/v1/items", json=data, headers=world.headers()).json()
    code, headers = item["code"], world.headers()
    body = handover_body(world)
    details = {k: body[k] for k in ("place", "deliverer", "receivers", "acts")}
    details["lines"] = [{"item_code": code, "seal_state": "intact"}]
    (first,) = session.exec(select(Handover)).all()
    assert client.post(
        f"/api/v1/handovers/{first.id}/complete", json=details, headers=headers
    ).is_success
    checkout = {
        "recipient": "TAND tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "91/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    assert client.post(f"/api/v1/items/{code}/check-outs", json=checkout, headers=headers)
    (out_slip,) = session.exec(select(ExitSlip).where(ExitSlip.kind == "check_out")).all()
    assert client.post(f"/api/v1/items/{code}/returns", json={}, headers=headers).is_success
    intake, returned = session.exec(select(Handover).order_by(Handover.id)).all()
    done = client.post(f"/api/v1/handovers/{returned.id}/complete", json=details, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["acts"]["check_out"]["number"] == "91/CV-TA"  # kept by completing
    session.refresh(returned)
    assert returned.entry_slip_number and returned.entry_slip_number != intake.entry_slip_number
    cited = f"Phiếu xuất kho số {out_slip.number} (trích xuất)"
    for kind, name in (
        ("record", "re-entry-handover-record"),
        ("entry-slip", "re-entry-entry-slip"),
    ):
        pdf = client.get(f"/api/v1/handovers/{returned.id}/{kind}.pdf", headers=headers)
        text = " ".join(pdf_text(pdf.content).split())
        save_pages(pdf.content, name)
        for shown in ("(Nhập lại sau trích xuất)", cited, "văn bản số 91/CV-TA"):
            assert shown in text, (kind, shown)
    slip_text = " ".join(
        pdf_text(
            client.get(f"/api/v1/handovers/{returned.id}/entry-slip.pdf", headers=headers).content
        ).split()
    )
    assert "Lý do nhập kho: nhập lại sau trích xuất" in slip_text
    card = client.get(f"/api/v1/items/{code}/stock-card.pdf", headers=headers)
    save_pages(card.content, "stock-card-re-entry")
    rows = " ".join(pdf_text(card.content).split())
    # in: the intake's slip; out: the check-out's exit slip; in again: the return's own slip
    at_in, at_out = rows.find(intake.entry_slip_number), rows.find(out_slip.number)
    at_again = rows.find(returned.entry_slip_number)
    assert -1 < at_in < at_out < at_again, rows
    assert "91/CV-TA" not in rows  # the requester's letter is not an entry slip


def test_the_stock_card_dates_each_row_by_its_act_and_names_the_handovers_keeper(
    client, session, world, before_trial
):
    """D67-THADS: the intake row bears the day of the handover (not the day it was typed
    in), in Viet Nam's local date; the check-out row the day of its exit slip; the keeper
    who received is the keeper the handover names among its receivers, not the account
    that typed it."""
    from evidence_service.models import ExitSlip

    _lang_son(session, world)
    # 18:30 UTC three days ago is 01:30 the next day in Viet Nam: the local date counts.
    day = local_today() - timedelta(days=3)
    at = datetime(day.year, day.month, day.day, 18, 30, tzinfo=UTC)
    response = post(client, world, handover_body(world, handed_over_at=at.isoformat()))
    assert response.status_code == 201, response.text
    code = response.json()["lines"][0]["item_code"]
    checkout = {
        "recipient": "TAND tỉnh Lạng Sơn",
        "purpose": "court",
        "document_number": "91/CV-TA",
        "due_date": str(local_today() + timedelta(days=5)),
    }
    headers = world.headers()
    assert client.post(f"/api/v1/items/{code}/check-outs", json=checkout, headers=headers)
    (slip,) = session.exec(select(ExitSlip).where(ExitSlip.kind == "check_out")).all()
    out_day = local_today() - timedelta(days=1)  # the slip's own date, typed in today
    slip.issued_at = datetime(out_day.year, out_day.month, out_day.day, 3, 0, tzinfo=UTC)
    session.add(slip)
    session.commit()
    card = client.get(f"/api/v1/items/{code}/stock-card.pdf", headers=headers)
    save_pages(card.content, "stock-card-dated")
    text = " ".join(pdf_text(card.content).split())
    local_in = (day + timedelta(days=1)).strftime("%d/%m/%Y")
    assert f"1 {local_in}" in text, text  # row 1, the intake, on the handover's local day
    assert f"2 {out_day.strftime('%d/%m/%Y')} {slip.number}" in text, text
    assert local_today().strftime("%d/%m/%Y") not in text, text
    assert "Thủ kho tiếp nhận: Lương Văn Tùng" in text, text
    assert world.users["keeper"].full_name not in text
