"""A keeper's refusals read in Vietnamese on the pages, one or more per area: imports,
downloads, photos, scans, locations, labels, handovers, intake, destruction, the environment
report; the API keeps its English ``detail``. (tests/test_error_keys.py checks every raise
has a key; these check what a person sees.)"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from evidence_service import payload
from evidence_service.errors import Conflict, Invalid
from evidence_service.i18n import Translator
from evidence_service.models import Handover, ItemStatus
from evidence_service.web.errors import explain, field_errors
from tests.factories import make_item, tiny_image
from tests.test_handovers import handover_body
from tests.test_vietnamese_pages import ENGLISH, notices
from tests.test_web import log_in
from tests.test_web_handovers import COMPLETE, _intake

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shown(page: str, sentence: str) -> None:
    words = notices(page)
    assert sentence in words or any(sentence in w for w in words), words
    assert not [w for w in words if ENGLISH.search(w)], words


def test_an_upload_that_is_no_spreadsheet_is_refused_in_vietnamese(client, world):
    csrf = log_in(client)
    for name, content, sentence in [
        (
            "so.pdf",
            b"%PDF-1.7\n" + b"x" * 64,
            "Đây là tài liệu PDF, không phải bảng tính: hãy tải lên tệp CSV hoặc XLSX.",
        ),
        ("so.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "Đây là tệp Excel .xls đời cũ"),
        ("so.csv", b"STT,T\xean\n1,a\n", "Tệp không phải văn bản UTF-8"),
    ]:
        page = client.post(
            "/imports",
            data={"csrf_token": csrf},
            files={"file": (name, content, XLSX)},
            follow_redirects=False,
        )
        assert page.status_code >= 400, name
        _shown(page.text, sentence)
    # An option the mapping does not know.
    page = client.post(
        "/imports",
        data={"csrf_token": csrf, "weight_unit": "pound"},
        files={"file": ("so.csv", "STT,Tên vật chứng\n1,Dao\n".encode(), "text/csv")},
    )
    _shown(page.text, "Không dùng được đơn vị khối lượng “pound”")


def test_a_download_with_a_wrong_period_or_format_names_it_in_vietnamese(client, world):
    log_in(client, "manager")
    reversed_ = client.get("/downloads/ledger", params={"from": "2026-05-01", "to": "2026-01-01"})
    assert reversed_.status_code == 422
    _shown(reversed_.text, "Ngày cuối kỳ không được trước ngày đầu kỳ.")
    fmt = client.get("/downloads/ledger", params={"format": "doc"})
    _shown(fmt.text, "Chỉ tải được tệp Excel (xlsx) hoặc PDF.")
    day = client.get("/downloads/ledger", params={"from": "13/01/2026"})
    _shown(day.text, "“13/01/2026” không phải ngày hợp lệ.")
    report = client.get("/environment/report.doc")
    _shown(report.text, "Chỉ tải được tệp Excel (xlsx) hoặc PDF.")


def test_a_photo_that_is_no_image_or_of_no_kind_is_refused_in_vietnamese(client, session, world):
    code = make_item(session, world).code
    csrf = log_in(client, "keeper")
    fake = client.post(
        f"/items/{code}/photos",
        data={"csrf_token": csrf, "kind": "item"},
        files={"photo": ("fake.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, "image/jpeg")},
    )
    assert fake.status_code == 422
    _shown(fake.text, "Chỉ nhận ảnh JPEG hoặc PNG.")
    kind = client.post(
        f"/items/{code}/photos",
        data={"csrf_token": csrf, "kind": "selfie"},
        files={"photo": ("a.png", tiny_image(), "image/png")},
    )
    _shown(kind.text, "Hãy chọn loại ảnh: vật chứng, bao bì hoặc niêm phong.")


def test_a_valid_label_of_nothing_here_and_an_unknown_location_read_in_vietnamese(client, world):
    csrf = log_in(client)
    label = payload.make_payload("item", "VC26-999999")
    refused = client.post(
        "/scan/resolve",
        data={"payload": label, "csrf_token": csrf},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 404
    (sentence,) = refused.json()["messages"]
    assert sentence.startswith(f"Nhãn {label} hợp lệ nhưng không có vật chứng nào")
    assert not ENGLISH.search(sentence)
    page = client.get("/locations/NOWHERE-9")
    assert page.status_code == 404
    _shown(page.text, "Không có vị trí “NOWHERE-9”.")


def test_labels_of_a_destroyed_item_are_refused_with_its_status_in_vietnamese(
    client, session, world
):
    item = make_item(session, world)
    item.status, item.location_id = ItemStatus.destroyed, None  # as after its destruction
    session.add(item)
    session.commit()
    csrf = log_in(client, "keeper")
    page = client.post("/labels/items", data={"code": item.code, "csrf_token": csrf})
    assert page.status_code == 409
    _shown(page.text, f"Vật chứng {item.code} đang ở trạng thái “Đã tiêu hủy”")


def test_a_final_handover_cannot_be_completed_again_and_says_so_in_vietnamese(
    client, session, world
):
    csrf = log_in(client, "keeper")
    _intake(client, csrf, world)
    (handover,) = session.exec(select(Handover)).all()
    form = {**COMPLETE, "csrf_token": csrf}
    final = client.post(f"/handovers/{handover.id}/complete", data=form, follow_redirects=False)
    assert final.status_code == 303, final.text
    session.expire_all()
    number = session.get(Handover, handover.id).record_number
    again = client.post(f"/handovers/{handover.id}/complete", data=form)
    assert again.status_code == 409
    _shown(again.text, f"Biên bản giao nhận số {number} đã hoàn thành, không sửa được nữa.")


def test_an_empty_intake_asks_for_items_in_vietnamese(client, world):
    csrf = log_in(client, "keeper")
    empty = client.post("/intake", data={"csrf_token": csrf, "form_key": "empty-1"})
    assert empty.status_code == 422
    _shown(empty.text, "Hãy thêm ít nhất một vật chứng.")


def test_an_empty_destruction_list_asks_for_codes_in_vietnamese(client, world):
    from tests.test_destruction import new_batch

    batch = new_batch(client, world)
    csrf = log_in(client, "manager")
    none = client.post(f"/destruction/{batch['id']}/items", data={"csrf_token": csrf, "codes": ""})
    assert none.status_code == 422
    _shown(none.text, "Hãy quét nhãn hoặc nhập mã vật chứng.")


def test_refusals_raised_away_from_the_pages_read_in_both_languages(client, session, world):
    """Units, the site of a destruction, people named twice, a handover's date: the words
    each key gives, numbers in the reader's format; the API keeps its English."""
    from evidence_service import units
    from evidence_service.environment.sites import check_site
    from evidence_service.people import require_distinct

    vi, en = Translator("vi"), Translator("en")
    environment = {"distance_to_homes_m": 120.5, "distance_to_water_m": 900}
    with pytest.raises(Invalid) as site:
        check_site("open_burning", {}, {**environment, "wind_direction": "Bắc"})
    (words,) = explain(site.value, vi).messages
    assert words.startswith("Khoảng cách đến khu dân cư là 120,5 m, dưới ngưỡng 500 m: hãy")
    (english,) = explain(site.value, en).messages
    assert english.startswith("The distance to homes is 120.5 m, below the 500 m threshold")
    assert "120.5 m, below 500 m" in site.value.detail[0]["msg"]  # the API's words
    with pytest.raises(Invalid) as wind:
        check_site("open_burning", {}, environment)
    assert explain(wind.value, vi).messages == ["Hình thức tiêu hủy này phải ghi hướng gió."]

    with pytest.raises(Invalid) as twice:
        require_distinct(["Nông Thị Hà", "nông thị  hà"], "members")
    assert explain(twice.value, vi).messages == [
        "“nông thị hà” đã được ghi ở dòng 1: mỗi vai trò phải là một người khác nhau."
    ]

    with pytest.raises(Conflict) as exists:
        units.add_unit(
            session, units.UnitCreate(code="piece", kind="count"), world.users["manager"]
        )
    session.rollback()
    assert explain(exists.value, vi).messages == ["Đã có đơn vị tính “piece”."]
    api = client.post(
        "/api/v1/units",
        headers=world.headers("manager"),
        json={"code": "piece", "kind": "count", "factor": 1},
    )
    assert api.status_code == 409 and api.json()["detail"] == "unit 'piece' already exists"

    late = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    answer = client.post(
        "/api/v1/handovers",
        headers=world.headers("keeper"),
        json=handover_body(world, handed_over_at=late),
    )
    assert answer.status_code == 422
    errors = [e for e in answer.json()["detail"] if "handed_over_at" in e["msg"]]
    assert errors and errors[0]["msg"] == "handed_over_at cannot be in the future"
    (shown,) = field_errors(vi, errors[:1])
    assert shown.endswith("thời điểm giao nhận không được ở tương lai")
