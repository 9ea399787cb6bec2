"""The refusals of accounts, destruction batches, stocktakes, items and cases read on the
Vietnamese pages as their own sentences (issue 15, point 4): each raise carries its key and
the values its sentence names; the API keeps its English ``detail``."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from evidence_service.auth import PERMISSIONS
from evidence_service.destruction.methods import check_fields, load_methods
from evidence_service.errors import DomainError, Invalid
from evidence_service.i18n import Translator, messages
from evidence_service.legal.holidays import local_today
from evidence_service.models import BatchStatus
from tests.factories import exit_document, make_item
from tests.test_destruction import MEMBERS, new_batch
from tests.test_vietnamese_pages import ENGLISH, notices
from tests.test_web import log_in

PACKAGE = Path(__file__).resolve().parent.parent / "evidence_service"
VI, EN = Translator("vi"), Translator("en")


def _named_keys() -> list[tuple[str, int, str, set[str] | None]]:
    """Every literal key a raise (``key=``) or a value error (``value_error(msg, key)``)
    names, with the params it passes (None when they are not a literal dict)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            key = keywords.get("key")
            if getattr(node.func, "id", None) == "value_error" and len(node.args) > 1:
                key = node.args[1]
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            params = keywords.get("params")
            names: set[str] | None = set()
            if isinstance(params, ast.Dict):
                names = {k.value for k in params.keys if isinstance(k, ast.Constant)}
            elif params is not None or getattr(node.func, "id", None) == "value_error":
                names = None  # built by a helper or given as keyword arguments
            where = str(path.relative_to(PACKAGE))
            found.append((where, node.lineno, key.value, names))
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_key_a_refusal_names_exists_and_gets_the_values_its_sentence_names():
    named = _named_keys()
    assert len(named) > 150  # the scan still finds the raises
    vi, en = messages("vi"), messages("en")
    missing = [f"{w}:{n} {k}" for w, n, k, _ in named if k not in vi or k not in en]
    assert missing == []
    short = [
        f"{w}:{n} {k} lacks {sorted(_placeholders(vi[k]) - names)}"
        for w, n, k, names in named
        if names is not None and _placeholders(vi[k]) - names
    ]
    assert short == []


def test_the_refusals_named_by_a_state_or_a_permission_have_a_sentence_for_each():
    known = messages("vi")
    permissions = sorted(set().union(*PERMISSIONS.values()))
    assert [p for p in permissions if f"keysa_auth.may_not_{p}" not in known] == []
    assert [s for s in BatchStatus if f"keysa_destruction.batch_{s.value}" not in known] == []


def _vietnamese(page_text: str, sentence: str) -> None:
    words = notices(page_text)
    assert any(sentence in w for w in words), words
    assert not [w for w in words if ENGLISH.search(w)], words


def test_account_refusals_read_in_vietnamese(client, world):
    token = log_in(client, "keeper")
    page = client.post(
        "/account/password",
        data={"current_password": "sai-mat-khau", "new_password": "x" * 12, "csrf_token": token},
    )
    assert page.status_code == 422
    _vietnamese(page.text, "Mật khẩu hiện tại không đúng.")


def test_a_keeper_may_not_cancel_a_batch_and_reads_why(client, session, world):
    batch = new_batch(client, world)
    token = log_in(client, "keeper")
    page = client.post(
        f"/destruction/{batch['id']}/cancel",
        data={"cancel_reason": "Lập nhầm đợt", "csrf_token": token},
    )
    assert page.status_code == 403
    _vietnamese(page.text, VI("keysa_auth.may_not_destroy"))


def test_an_item_not_ordered_destroyed_is_refused_from_a_batch_in_vietnamese(
    client, session, world
):
    item = make_item(session, world, case_id=world.cases["pending"].id)
    batch = new_batch(client, world)
    token = log_in(client, "keeper")
    page = client.post(
        f"/destruction/{batch['id']}/items", data={"codes": item.code, "csrf_token": token}
    )
    assert page.status_code == 409
    _vietnamese(
        page.text,
        f"Vật chứng {item.code} có hướng xử lý “Chưa có quyết định”, không phải tiêu hủy",
    )
    api = client.post(
        f"/api/v1/destruction-batches/{batch['id']}/items",
        json={"codes": [item.code]},
        headers=world.headers("keeper"),
    )
    assert api.status_code == 409 and "not 'destroy'" in api.json()["detail"]


def test_a_method_field_out_of_range_names_the_field_and_the_bound_in_each_language():
    table = load_methods()
    method = table.get("licensed_incineration")
    given = {
        "company": "Công ty môi trường A",
        "permit_number": "GP-1",
        "chamber_temperature_c": 2500,
        "duration_min": 90,
    }
    with pytest.raises(Invalid) as caught:
        check_fields(method.fields, given, "method_details")
    error = caught.value
    from evidence_service.web.errors import explain

    assert explain(error, VI).messages == ["Nhiệt độ buồng đốt (°C): không được lớn hơn 2.000."]
    assert explain(error, EN).messages == ["Chamber temperature (°C): must be at most 2,000."]
    assert error.detail[0]["msg"] == "must be at most 2000 °C"  # the API's words, unchanged


def test_a_council_decision_before_the_receipt_gives_the_date_as_the_reader_reads_it(
    client, session, world
):
    from evidence_service.destruction.schemas import ApproveRequest
    from evidence_service.destruction.workflow import approve
    from evidence_service.web.errors import explain

    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    received = local_today()
    request = ApproveRequest(
        decision_number="15/QĐ-THADS",
        decision_date=received - timedelta(days=3),
        decision_issuer="Thủ trưởng cơ quan thi hành án dân sự",
        members=MEMBERS,
    )
    with pytest.raises(DomainError) as caught:
        approve(session, batch["id"], request, world.users["manager"], 3, False)
    session.rollback()
    (vi,) = explain(caught.value, VI).messages
    assert vi == (
        "Quyết định thành lập Hội đồng tiêu hủy không được trước ngày tiếp nhận vật chứng "
        f"({received.strftime('%d/%m/%Y')})."
    )


def test_stocktake_refusals_read_in_vietnamese(client, session, world):
    token = log_in(client, "keeper")
    page = client.post(
        "/stocktakes",
        data={"scope": "location", "warehouse_code": "W1", "csrf_token": token},
    )
    assert page.status_code == 422
    _vietnamese(page.text, "Kiểm kê theo vị trí: hãy chọn vị trí cần kiểm kê.")
    # A discrepancy resolved twice: the second time says so.
    make_item(session, world, location_code="S1")
    api = "/api/v1/stocktakes"
    body = {"scope": "location", "warehouse_code": "W1", "location_code": "R1"}
    sid = client.post(api, json=body, headers=world.headers()).json()["id"]
    signers = {"keeper": "Nguyễn Văn Kho", "accountant": "Trần Thị Kế", "head": "Lê Văn Trưởng"}
    assert client.post(f"{api}/{sid}/close", json=signers, headers=world.headers()).is_success
    report = client.get("/api/v1/reports/discrepancies", headers=world.headers()).json()
    number = report[0]["id"]
    url = f"/stocktakes/discrepancies/{number}/resolve"
    form = {"resolution": "found", "note": "Tìm thấy ở kệ S2", "csrf_token": token}
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    again = client.post(url, data=form)
    assert again.status_code == 409
    _vietnamese(again.text, f"Sai lệch #{number} đã được xử lý.")


def test_item_refusals_read_in_vietnamese(client, session, world):
    token = log_in(client, "manager")
    page = client.get("/items/KHONGCO")
    assert page.status_code == 404
    _vietnamese(page.text, "Không tìm thấy vật chứng “KHONGCO”")
    item = make_item(session, world)  # its case orders destruction
    refused = client.post(
        f"/items/{item.code}/release",
        data={"recipient": "Ông A", **exit_document("12/BB"), "csrf_token": token},
    )
    assert refused.status_code == 409
    _vietnamese(
        refused.text,
        f"Vật chứng {item.code} có hướng xử lý “Tiêu hủy”: hãy ghi nhận nội dung bản án",
    )


def test_case_refusals_read_in_vietnamese(client, world):
    log_in(client, "keeper")
    page = client.get("/cases/999999")
    assert page.status_code == 404
    _vietnamese(page.text, "Không tìm thấy vụ án #999999")


def test_method_fields_name_their_units_as_each_language_writes_them():
    """A Vietnamese form and refusal read "(phút)", "(giờ)", never the English "(min)"."""
    table = load_methods()
    fields = [f for m in table.methods.values() for f in m.fields] + list(table.common_fields)
    labels_vi = {f.name: f.label("vi") for f in fields}
    assert labels_vi["duration_min"] == "Thời gian đốt (phút)"
    assert labels_vi["soak_hours"] == "Thời gian ngâm (giờ)"
    assert {f.name: f.label("en") for f in fields}["duration_min"] == "Duration (min)"
    assert not [label for label in labels_vi.values() if label.endswith(("(min)", "(h)"))]
