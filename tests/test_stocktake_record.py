"""The corrected stocktake record, field by field against vn-documents-review ("Stocktake
record: missing"), on the PDF's text for a realistic six-monthly count: right place, wrong
place, missing, a broken seal counted short, an item scanned before any location label, a
damaged label and an unknown one; participants with positions; causes and measures."""

import hashlib
from datetime import timedelta

from sqlmodel import select

from evidence_service.i18n.formatting import local_time
from evidence_service.legal.holidays import local_today
from evidence_service.models import Agency, ExitSlip, OfficialDocument, Stocktake
from evidence_service.payload import make_payload
from tests.docs_output import save_pages, text
from tests.factories import make_item
from tests.test_stocktakes import API, SIGNERS, _scan, _start

LONG_CAUSE = "Kho ẩm, mái dột sau mưa lớn; bao bì bị chuột cắn ở góc dưới. " * 84  # 5,124


def _realistic(client, session, world):
    agency = session.get(Agency, world.agencies["parent"].id)
    agency.name = "Thi hành án dân sự tỉnh Lạng Sơn"
    session.add(agency)
    session.commit()
    items = {
        "a": make_item(
            session,
            world,
            location_code="S1",
            description="Xe máy Honda Wave",
            unit="vehicle",
            condition="Cũ, trầy xước",
        ),
        "b": make_item(session, world, location_code="S1", description="Điện thoại Nokia"),
        "c": make_item(session, world, location_code="S2", description="Dao bấm", quantity=3),
        "d": make_item(
            session,
            world,
            location_code="S2",
            seal_number="NP-9",
            quantity=5,
            unit="pack",
            description="Thuốc lá điếu",
        ),
        "e": make_item(session, world, location_code="S2", description="Máy tính xách tay Dell"),
    }
    # In the keeping of the court when the count is made (trích xuất, vn-legal-context §3.5).
    checkout = {
        "recipient": "TAND khu vực 1 - Lạng Sơn",
        "purpose": "court",
        "document_number": "123/CV-TA",
        "due_date": str(local_today() + timedelta(days=20)),
    }
    out = client.post(
        f"{API}/items/{items['e'].code}/check-outs", json=checkout, headers=world.headers()
    )
    assert out.status_code == 200, out.text
    sid = _start(client, world, kind="six_monthly")["id"]
    # scanned before any location label: seen, but not "right place"
    _scan(client, world, sid, make_payload("item", items["c"].code))
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", items["a"].code), condition="Bụi bẩn")
    _scan(client, world, sid, make_payload("location", "S2"))
    _scan(
        client,
        world,
        sid,
        make_payload("item", items["d"].code),
        seal_state="broken",
        quantity_found=4,
        condition="Bao bì rách",
    )
    assert _scan(client, world, sid, "EV1IXXXX").status_code == 422  # a damaged label
    _scan(client, world, sid, make_payload("item", "VC26-999999-X"))  # not in the records
    body = {
        **SIGNERS,
        "head_position": "Phó Thủ trưởng",
        "participants": [
            # the head again (another spelling), with the agency and the role as a code
            {"name": "lê văn  trưởng", "organisation": "THADS tỉnh Lạng Sơn", "role": "head"},
            {"name": "Phạm Văn Chấp", "position": "Chấp hành viên", "role": "Chấp hành viên"},
            {
                "name": "Hà Văn Vệ",
                "position": "Nhân viên",
                "organisation": "Đội bảo vệ",
                "role": "Bảo vệ kho",
            },
        ],
        "findings": [
            {
                "code": items["b"].code,
                "cause": "Chưa xác định được",
                "measures": "Báo cáo Thủ trưởng, xác minh trong 5 ngày làm việc",
            },
            {
                "code": items["d"].code,
                "cause": "Chuột cắn bao bì. " + LONG_CAUSE,
                "measures": "Niêm phong lại, lập biên bản",
            },
        ],
    }
    closed = client.post(f"{API}/stocktakes/{sid}/close", json=body, headers=world.headers())
    assert closed.status_code == 200, closed.text
    return sid, items


def test_the_stocktake_record_has_every_field_the_review_asks_for(client, session, world):
    sid, items = _realistic(client, session, world)
    response = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    pdf = response.content
    paths = save_pages(pdf, "stocktake-record")
    got = text(pdf)
    stocktake = session.get(Stocktake, sid)
    started = local_time(stocktake.started_at)
    half = "đầu" if started.month <= 6 else "cuối"
    required = {
        "agency header": "THI HÀNH ÁN DÂN SỰ TỈNH LẠNG SƠN",
        "national header": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "number": "Số: 01/BB-KK",
        "title": "BIÊN BẢN KIỂM KÊ VẬT CHỨNG, TÀI SẢN TẠM GIỮ",
        "which half-year": f"Kiểm kê định kỳ 6 tháng {half} năm {started.year}",
        "basis": "Thông tư số 04/2023/TT-BTP",
        "local time in words": f"Hồi {started:%H} giờ {started:%M} phút",
        "warehouse": "(W1)",
        "participants with positions": "Phạm Văn Chấp Chấp hành viên",
        "guard": "Đội bảo vệ",
        "head with position": "Lê Văn Trưởng Phó Thủ trưởng, THADS tỉnh Lạng Sơn",
        "keeper": "Nguyễn Văn Kho Thủ kho vật chứng Thủ kho vật chứng",
        "item name": "Xe máy Honda Wave",
        "recorded quantity": "5 gói",
        "found quantity": "4 gói",
        "condition found": "Bao bì rách",
        "condition recorded": "Dao bấm",
        "seal": "NP-9",
        "missing": "Thiếu",
        "right place": "Đúng vị trí",
        "unlocated": "Thấy, chưa quét vị trí",
        "cause": "Chuột cắn bao bì",
        "measures": "Báo cáo Thủ trưởng, xác minh trong 5 ngày làm việc",
        "damaged label": "EV1IXXXX",
        "damaged label kind": "Nhãn hỏng, không đọc được",
        "unknown label": make_payload("item", "VC26-999999-X"),
        "unknown label kind": "Nhãn vật chứng không có trong sổ",
        "copies": "lập thành 03 bản",
        "signatures": "(Ký, ghi rõ họ tên)",
        "pages": f"Trang 1/{len(paths)}",
        "chain head": "Chuỗi lưu giữ: EV",
    }
    missing = {name: value for name, value in required.items() if value not in got}
    assert missing == {}
    assert _held_by_others_in(session, got, items["e"]) == {}
    assert len(LONG_CAUSE) > 5000 and got.count("mái dột sau mưa lớn") == 84  # split, all kept
    assert "UTC" not in got and "Dự thảo" not in got
    stored = session.exec(
        select(OfficialDocument).where(OfficialDocument.kind == "stocktake_record")
    ).one()
    assert response.headers["x-record-sha256"] == stored.sha256
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest() and stored.number == "01/BB-KK"
    english = client.get(
        f"{API}/stocktakes/{sid}/record.pdf", params={"lang": "en"}, headers=world.headers()
    ).content
    save_pages(english, "stocktake-record-en")
    assert "second half" in text(english) or "first half" in text(english)


def _held_by_others_in(session, got, item):
    """The section of items in another body's keeping: who holds it, since when, under which
    document (the requester's and the check-out's exit slip), until when (§3.5)."""
    slip = session.exec(select(ExitSlip).where(ExitSlip.item_id == item.id)).one()
    since = local_time(slip.issued_at).strftime("%d/%m/%Y")
    due = (local_today() + timedelta(days=20)).strftime("%d/%m/%Y")
    section = got.split("IV. Vật chứng, tài sản đang do cơ quan, tổ chức, cá nhân khác giữ")[-1]
    section = section.split("V. Chênh lệch")[0]
    wanted = {
        "heading": " hoặc bảo quản",
        "item": "Máy tính xách tay Dell",
        "code": item.code,
        "holder": "TAND khu vực 1 - Lạng Sơn",
        "purpose": "Phục vụ xét xử",
        "since": since,
        "document": "Văn bản số 123/CV-TA",
        "exit slip": f"Phiếu xuất kho số {slip.number}",
        "due": due,
    }
    return {name: value for name, value in wanted.items() if value not in section}


def test_an_item_scanned_before_any_location_is_seen_without_a_location(client, session, world):
    sid, items = _realistic(client, session, world)
    lines = client.get(f"{API}/stocktakes/{sid}/lines", headers=world.headers()).json()
    outcome = {line["item_code"]: line["outcome"] for line in lines if line["item_code"]}
    assert outcome[items["c"].code] == "unlocated"
    assert outcome[items["a"].code] == "verified"


def test_a_finding_must_name_a_discrepancy(client, session, world):
    item = make_item(session, world, location_code="S1")
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", item.code))
    body = {**SIGNERS, "findings": [{"code": item.code, "cause": "x"}]}
    refused = client.post(f"{API}/stocktakes/{sid}/close", json=body, headers=world.headers())
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][-1] == "code"
    status = client.get(f"{API}/stocktakes/{sid}", headers=world.headers()).json()
    assert status["status"] == "open"  # nothing written
    assert session.exec(select(OfficialDocument)).first() is None


def test_an_open_count_renders_a_draft_and_stores_nothing(client, session, world):
    make_item(session, world, location_code="S1")
    sid = _start(client, world)["id"]
    response = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    assert "x-record-sha256" not in response.headers
    got = text(response.content)
    assert "Dự thảo" in got and "Số: …/BB-KK" in got
    assert session.exec(select(OfficialDocument)).first() is None
