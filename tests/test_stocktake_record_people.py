"""The stocktake record's participants, an item of the book scanned while recorded as checked
out, and the heading of section IV (inspection of issue 15, "Stocktake record"): on the PDF's
text and on the page."""

from datetime import timedelta

from evidence_service.legal.holidays import local_today
from evidence_service.payload import make_payload
from tests.docs_output import save_pages, text
from tests.factories import make_item
from tests.test_stocktakes import API, SIGNERS, _scan, _start
from tests.test_web import log_in


def _record(client, world, sid) -> str:
    response = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    assert response.status_code == 200, response.text
    return text(response.content)


def _participants(got: str) -> str:
    return got.split("I. Thành phần tham gia kiểm kê")[1].split("II. Kết quả tổng hợp")[0]


def test_signers_print_their_positions_or_titles_and_a_participant_who_signs_is_listed_once(
    client, session, world
):
    item = make_item(session, world, location_code="S1")
    session.commit()
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", item.code))
    body = {
        "keeper": "Nguyễn Văn Kho",
        "accountant": "Trần Thị Kế",
        "head": "Lê Thị Hoa",
        "head_position": "Phó Thủ trưởng",
        "participants": [
            # the head again, spelt otherwise, with her agency and her role as a code
            {
                "name": "  lê thị  HOA ",
                "position": "Phó Chi cục trưởng",
                "organisation": "THADS tỉnh Lạng Sơn",
                "role": "head",
            },
            {"name": "Phạm Văn Chấp", "position": "Chấp hành viên", "role": "keeper"},
        ],
    }
    closed = client.post(f"{API}/stocktakes/{sid}/close", json=body, headers=world.headers())
    assert closed.status_code == 200, closed.text
    got = _record(client, world, sid)
    people = _participants(got)
    assert "—" not in people  # no signer without a position
    # keeper and accountant: no position given, their role's title
    assert "Nguyễn Văn Kho Thủ kho vật chứng Thủ kho vật chứng" in people
    assert "Trần Thị Kế Kế toán nghiệp vụ thi hành án Kế toán nghiệp vụ thi hành án" in people
    # the head: her own position, the agency from her participant row, once
    assert (
        "Lê Thị Hoa Phó Thủ trưởng, THADS tỉnh Lạng Sơn Thủ trưởng cơ quan thi hành án dân sự"
        in people
    )
    assert people.casefold().count("lê thị") == 1 and "Phó Chi cục trưởng" not in people
    # a role typed as a code reads as its title; no code anywhere
    assert "Phạm Văn Chấp Chấp hành viên Thủ kho vật chứng" in people
    for code in ("head", "keeper", "accountant", "HEAD", "KEEPER", "ACCOUNTANT"):
        assert code not in got.split(), code
    signatures = got.split("VII. Chữ ký")[1]
    assert signatures.count("THỦ TRƯỞNG CƠ QUAN THI HÀNH ÁN DÂN SỰ") == 1
    assert signatures.count("Lê Thị Hoa") == 1 and "Phó Thủ trưởng" in signatures
    assert signatures.count("THỦ KHO VẬT CHỨNG") == 2  # the keeper, and Phạm Văn Chấp's role
    assert signatures.count("(Ký, ghi rõ họ tên)") == 4


def test_an_item_of_the_book_checked_out_but_scanned_is_not_out_of_the_book(client, session, world):
    here = make_item(session, world, location_code="S1", description="Điện thoại Nokia")
    back = make_item(session, world, location_code="S1", description="Máy tính xách tay Dell")
    session.commit()
    checkout = {
        "recipient": "TAND khu vực 1 - Lạng Sơn",
        "purpose": "court",
        "document_number": "123/CV-TA",
        "due_date": str(local_today() + timedelta(days=20)),
    }
    out = client.post(f"{API}/items/{back.code}/check-outs", json=checkout, headers=world.headers())
    assert out.status_code == 200, out.text
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", here.code))
    _scan(client, world, sid, make_payload("item", back.code))  # brought back, return unrecorded
    _scan(client, world, sid, make_payload("item", "VC26-999999-X"))  # truly not in the book
    closed = client.post(f"{API}/stocktakes/{sid}/close", json=SIGNERS, headers=world.headers())
    assert closed.status_code == 200, closed.text
    response = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    save_pages(response.content, "stocktake-record-present")
    got = text(response.content)
    details = got.split("III. Chi tiết từng vật chứng, tài sản")[1].split("IV. Vật chứng")[0]
    row = details.split(back.code)[1].split("VC26-999999-X")[0]
    assert "Có trong sổ, đang ghi trích xuất nhưng có mặt tại kho" in row
    assert "Ngoài sổ" not in row
    assert details.count("Ngoài sổ") == 1  # the unknown label only
    assert f"{back.code} có trong sổ, đang ghi trích xuất" in details
    assert "việc trả lại, nhập lại kho chưa được ghi nhận" in details
    results = got.split("II. Kết quả tổng hợp")[1].split("III. Chi tiết")[0]
    assert "(+1 có mặt tại kho)" in results
    english = client.get(
        f"{API}/stocktakes/{sid}/record.pdf", params={"lang": "en"}, headers=world.headers()
    ).content
    assert "recorded as checked out but present in the warehouse" in text(english)
    lines = client.get(f"{API}/stocktakes/{sid}/lines", headers=world.headers()).json()
    shown = {line["item_code"] or line["label"]: line["shown_outcome"] for line in lines}
    assert shown[back.code] == "seen_while_checked_out" and shown[here.code] == "verified"
    log_in(client, "keeper")
    page = client.get(f"/stocktakes/{sid}").text
    assert "Ngoài sổ: 1</span>" in page  # the unknown label only
    assert 'id="count-present">Có trong sổ, đang ghi trích xuất nhưng có mặt tại kho: 1' in page
    row = page.split(f'href="/items/{back.code}">{back.code}</a>')[1].split("</tr>")[0]
    assert "Có trong sổ, đang ghi trích xuất nhưng có mặt tại kho" in row
    assert "Ngoài sổ" not in row


def test_section_four_covers_items_checked_out_and_items_kept_by_others(client, session, world):
    make_item(session, world, location_code="S1")
    session.commit()
    sid = _start(client, world)["id"]
    closed = client.post(f"{API}/stocktakes/{sid}/close", json=SIGNERS, headers=world.headers())
    assert closed.status_code == 200, closed.text
    got = _record(client, world, sid)
    assert "IV. Vật chứng, tài sản đang do cơ quan, tổ chức, cá nhân khác giữ hoặc bảo quản" in got
    assert "(trích xuất)" not in got
    english = client.get(
        f"{API}/stocktakes/{sid}/record.pdf", params={"lang": "en"}, headers=world.headers()
    ).content
    assert "IV. Items in the keeping or custody of another body" in text(english)
    assert "(checked out)" not in text(english)


def test_the_close_form_asks_for_each_signers_position(client, session, world):
    item = make_item(session, world, location_code="S1")
    session.commit()
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", item.code))
    csrf = log_in(client, "keeper")
    page = client.get(f"/stocktakes/{sid}").text
    for field in ("keeper_position", "accountant_position", "head_position"):
        assert f'name="{field}"' in page, field
    closed = client.post(
        f"/stocktakes/{sid}/close",
        data={
            "csrf_token": csrf,
            **SIGNERS,
            "accountant_position": "Kế toán trưởng",
            "participant.0.name": "Phạm Văn Chấp",
            "participant.0.position": "Chấp hành viên",
            "participant.0.role": "accountant",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303, closed.text
    people = _participants(_record(client, world, sid))
    assert "Trần Thị Kế Kế toán trưởng Kế toán nghiệp vụ thi hành án" in people
    assert "Phạm Văn Chấp Chấp hành viên Kế toán nghiệp vụ thi hành án" in people
