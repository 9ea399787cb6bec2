"""No English on the Vietnamese pages: a refusal shows its own translated sentence (domain
errors carry a translation key, the API keeps its English ``detail``), a pydantic value error
its key's words, and the destruction page its flags in the record's words."""

import html
import re

import pytest

from evidence_service.errors import Invalid
from evidence_service.i18n import Translator
from evidence_service.web.errors import explain, field_errors
from tests.factories import make_item
from tests.test_destruction import destroyed, executed_batch
from tests.test_web import log_in

# Words an English refusal cannot do without; none of them is Vietnamese.
ENGLISH = re.compile(
    r"\b(the|is|cannot|item|must|already|weight|measured|recorded|took part|harms|added by)\b",
    re.IGNORECASE,
)
NOTICE = re.compile(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', re.DOTALL)


def notices(page: str) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", n)).split()) for n in NOTICE.findall(page)
    ]


def test_a_refusal_on_a_vietnamese_page_is_its_own_sentence_not_the_english_detail(
    client, session, world
):
    item = make_item(session, world)  # on S2
    token = log_in(client, "keeper")
    page = client.post(
        f"/items/{item.code}/move",
        data={"to_location_code": "S2", "csrf_token": token},
        follow_redirects=True,
    ).text
    words = notices(page)
    assert f"Vật chứng {item.code} đã ở vị trí S2." in words
    assert not [w for w in words if ENGLISH.search(w)], words
    # The API keeps its English detail for programs.
    api = client.post(
        f"/api/v1/items/{item.code}/moves",
        headers=world.headers("keeper"),
        json={"to_location_code": "S2"},
    )
    assert api.status_code == 409 and "already at S2" in str(api.json()["detail"])


def test_a_value_error_reads_in_vietnamese_with_its_field(client, world):
    response = client.post(
        "/api/v1/items",
        headers=world.headers("keeper"),
        json={
            "case_id": world.cases["destroy"].id,
            "category": "other",
            "description": "Điện thoại",
            "quantity": 1,
            "unit": "piece",
            "received_at": "2099-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["msg"] == "received_at cannot be in the future"  # the API's words
    explained = explain(Invalid("x", "y"), Translator("vi"))  # a bare Invalid: no English
    assert not ENGLISH.search(" ".join(explained.messages))
    (vi,) = field_errors(Translator("vi"), [error])
    assert vi.endswith("thời gian tiếp nhận không được ở tương lai") and not ENGLISH.search(vi)
    (en,) = field_errors(Translator("en"), [error])
    assert en.endswith("the time of receipt cannot be in the future")


def test_the_destruction_page_shows_its_flags_in_vietnamese(client, session, world):
    item = make_item(session, world, net_weight_g=1000.0)
    results = [destroyed(item.code, 1500.0, weight_note="Cân lại có cả bao bì")]
    batch = executed_batch(client, world, [item], results=results)
    log_in(client, "manager")
    page = client.get(f"/destruction/{batch['id']}").text
    words = [w for w in notices(page) if "Chênh lệch khối lượng" in w]
    assert words and "khối lượng cân lại 1,5 kg" in words[0], notices(page)
    assert not [w for w in notices(page) if ENGLISH.search(w)], notices(page)
    # The method's and the environment's facts read as in the record: a duration in words,
    # Vietnamese numbers (vn-documents-review: "phút"/"giờ" not "min", comma decimals).
    facts = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for shown in ("1 giờ 30 phút", "1.100", "1,5 kg", "900 m"):
        assert shown in facts, shown
    assert "(min)" not in facts and " 1.5" not in facts


def test_the_refusals_a_keeper_meets_read_as_their_own_vietnamese_sentences(client, session, world):
    """Sampling, splitting and moving on the item page, and executing a batch: each refusal
    carries its key (docs15_refusal), so the Vietnamese page names what is wrong."""
    item = make_item(session, world, net_weight_g=1000.0)
    token = log_in(client, "keeper")
    cases = [
        (
            f"/items/{item.code}/sample",
            {"taken": "2", "weight_unit": "kg"},
            f"Khối lượng mẫu không được bằng hoặc lớn hơn khối lượng của vật chứng {item.code}",
        ),
        (
            f"/items/{item.code}/split",
            {"net_weight": "5", "weight_unit": "kg", "quantity": "1"},
            "Phần tách ra phải nhẹ hơn vật chứng.",
        ),
    ]
    for path, form, sentence in cases:
        page = client.post(path, data={**form, "csrf_token": token}, follow_redirects=True)
        words = notices(page.text)
        assert any(sentence in w for w in words), (path, words)
        assert not [w for w in words if ENGLISH.search(w)], words
    # A destruction's execution refused for a missing weight, in the council's words.
    from tests.test_destruction import approve, execution, new_batch, post

    other = make_item(session, world)
    batch = new_batch(client, world, [other.code])
    approve(client, world, batch["id"])
    line = {"code": other.code, "seal_intact": True, "result": "destroyed"}
    refused = post(client, world, f"/{batch['id']}/execute", execution([line]))
    assert refused.status_code == 422  # the API keeps its English detail
    assert "weigh every item" in str(refused.json()["detail"])
    from evidence_service.destruction.execution import execute
    from evidence_service.destruction.schemas import ExecuteRequest

    request = ExecuteRequest(**execution([line]))
    with pytest.raises(Invalid) as caught:
        execute(session, batch["id"], request, world.users["manager"], 5.0)
    session.rollback()
    (vi,) = explain(caught.value, Translator("vi")).messages
    assert vi == f"Hãy cân lại vật chứng {other.code} trước khi tiêu hủy."
