"""The keeper's loop seen from the server: answers the pages' scripts rely on."""

import hashlib
import re

from sqlmodel import col, select

from evidence_service import payload
from evidence_service.category_hazards import category_defaults, hazard_choices
from evidence_service.i18n import Translator
from evidence_service.links import verify_chain
from evidence_service.models import CustodyEvent, Item, ItemPhoto, Location
from evidence_service.web.pages.dashboard import counted, period_words
from tests.factories import make_item, tiny_image
from tests.test_web import log_in


def test_periods_read_as_words_in_both_languages():
    vi, en = Translator("vi"), Translator("en")
    assert period_words(vi, "2026-12") == "tháng 12/2026"
    assert period_words(vi, "2026-H2") == "6 tháng cuối năm 2026"
    assert period_words(vi, "2026-H1") == "6 tháng đầu năm 2026"
    assert period_words(vi, "2026-Q3") == "quý 3/2026"
    assert period_words(en, "2026-12") == "December 2026"
    assert period_words(en, "2026-H2") == "second half of 2026"


def test_english_counts_take_the_singular_for_one():
    en, vi = Translator("en"), Translator("vi")
    assert counted(en, "n_items", 1) == "1 item"
    assert counted(en, "n_items", 2) == "2 items"
    assert counted(vi, "n_items", 1) == "1 vật chứng"


def test_a_photo_is_kept_with_its_hash_on_the_custody_chain(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    image = tiny_image("JPEG")
    answer = client.post(
        f"/items/{code}/photos",
        data={"csrf_token": csrf, "kind": "seal"},
        files={"photo": ("niem-phong.jpg", image, "image/jpeg")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(f"/items/{code}").text
    assert "Niêm phong" in page and hashlib.sha256(image).hexdigest()[:16] in page
    photo_id = re.search(rf"/items/{code}/photos/(\d+)", page)
    assert photo_id is not None
    served = client.get(f"/items/{code}/photos/{photo_id.group(1)}")
    assert served.content == image and served.headers["content-type"] == "image/jpeg"
    session.expire_all()
    item = session.exec(select(Item).where(Item.code == code)).one()
    events = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.item_id == item.id, CustodyEvent.event_type == "photo"
        )
    ).all()
    assert [e.details["sha256"] for e in events] == [hashlib.sha256(image).hexdigest()]
    assert verify_chain(session).ok
    # The photo's own record event, written from the web page, names who took it.
    recorded = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.subject == "item_photos", CustodyEvent.event_type == "record_created"
        )
    ).all()
    assert [e.actor_id for e in recorded] == [world.users["keeper"].id]


def test_a_photo_that_does_not_decode_is_refused_and_nothing_is_kept(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    whole = tiny_image("PNG", (40, 30))
    for name, data in [
        ("cut.png", whole[: len(whole) // 2]),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64),
    ]:
        answer = client.post(
            f"/items/{code}/photos",
            data={"csrf_token": csrf, "kind": "item"},
            files={"photo": (name, data, "image/png")},
            follow_redirects=False,
        )
        assert answer.status_code == 422, name
        assert "JPEG" in answer.text
    session.expire_all()
    assert session.exec(select(ItemPhoto)).all() == []


def test_the_move_form_takes_a_scanned_location_label(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    label = payload.make_payload("location", "C1")
    answer = client.post(
        f"/items/{code}/move",
        data={"csrf_token": csrf, "to_location_code": label},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    session.expire_all()
    item = session.exec(select(Item).where(Item.code == code)).one()
    assert session.get(Location, item.location_id).code == "C1"
    damaged = label[:-1] + ("0" if label[-1] != "0" else "1")
    refused = client.post(
        f"/items/{code}/move", data={"csrf_token": csrf, "to_location_code": damaged}
    )
    assert refused.status_code == 422 and "Nhãn bị hỏng" in refused.text


def test_a_scan_move_resent_with_its_key_moves_once(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    headers = {"Accept": "application/json", "X-CSRF-Token": csrf, "Idempotency-Key": "k-17"}
    fields = {"item": code, "location": "C1"}
    first = client.post("/scan/move", data=fields, headers=headers)
    again = client.post("/scan/move", data=fields, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    session.expire_all()
    item = session.exec(select(Item).where(Item.code == code)).one()
    moves = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.item_id == item.id, CustodyEvent.event_type == "move"
        )
    ).all()
    assert len(moves) == 1


def test_the_item_page_shows_who_holds_a_checked_out_item_and_until_when(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    answer = client.post(
        f"/items/{code}/check-out",
        data={
            "csrf_token": csrf,
            "recipient": "TAND huyện A",
            "purpose": "court",
            "document_number": "CV-12",
            "due_date": "31/12/2099",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(f"/items/{code}").text
    holder = re.search(r'id="checkout-holder">([^<]*)<', page)
    due = re.search(r'id="checkout-due">([^<]*)<', page)
    assert holder and "TAND huyện A" in holder.group(1)
    assert due and "31/12/2099" in due.group(1)


def test_category_defaults_are_known_classes_and_drugs_start_as_narcotics():
    defaults = category_defaults()
    assert defaults["drug"] == ["narcotics"] and defaults["fireworks"]
    known = {c.id for c in hazard_choices()}
    assert all(c in known for classes in defaults.values() for c in classes)


def test_intake_keeps_each_rows_photos_and_refuses_an_unchosen_category(client, world, session):
    csrf = log_in(client, "keeper")
    case = str(world.cases["destroy"].id)
    image = tiny_image("PNG")
    fields = {
        "csrf_token": csrf,
        "case_id": case,
        "location_code": "S2",
        "form_key": "intake-photos-1",
        "description": ["Hộp thứ nhất", "Hộp thứ hai"],
        "category": ["other", "other"],
        "quantity": ["1", "1"],
        "unit": ["piece", "piece"],
        "weight_unit": ["g", "g"],
    }
    files = [
        ("photo_item", ("", b"", "application/octet-stream")),
        ("photo_item", ("hop2.png", image, "image/png")),
        ("photo_seal", ("", b"", "application/octet-stream")),
        ("photo_seal", ("", b"", "application/octet-stream")),
    ]
    answer = client.post("/intake", data=fields, files=files, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    codes = re.findall(r"code=([^&]+)", answer.headers["location"])
    session.expire_all()
    kept = session.exec(
        select(ItemPhoto, Item.code).join(Item, col(Item.id) == ItemPhoto.item_id)
    ).all()
    assert [(code, p.kind, p.sha256) for p, code in kept] == [
        (codes[1], "item", hashlib.sha256(image).hexdigest())
    ]
    unchosen = client.post(
        "/intake",
        data={**fields, "form_key": "intake-photos-2", "category": ["", "other"]},
        follow_redirects=False,
    )
    assert unchosen.status_code == 422


def test_stocktake_scans_tell_new_duplicate_broken_seal_and_not_in_this_place(
    client, world, session
):
    here = make_item(session, world, location_code="S2").code
    sealed = make_item(session, world, location_code="S2").code
    away = make_item(session, world, location_code="C1").code
    session.commit()
    csrf = log_in(client, "keeper")
    started = client.post(
        "/stocktakes",
        data={"csrf_token": csrf, "scope": "warehouse", "warehouse_code": "W1"},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    url = started.headers["location"] + "/scan"
    headers = {"Accept": "application/json", "X-CSRF-Token": csrf}

    def scan(kind: str, code: str, **extra: str) -> dict:
        answer = client.post(
            url, data={"payload": payload.make_payload(kind, code), **extra}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    scan("location", "S2")
    first = scan("item", here)
    assert first["kind"] == "success" and "có trong sổ" in first["messages"][0]
    again = scan("item", here)
    assert again["kind"] == "warn" and "đã quét rồi" in again["messages"][0]
    broken = scan("item", sealed, seal_broken="1")
    assert broken["kind"] == "error" and "NIÊM PHONG BỊ RÁCH" in " ".join(broken["messages"])
    elsewhere = scan("item", away)
    assert elsewhere["kind"] == "warn" and "sổ ghi ở C1" in " ".join(elsewhere["messages"])
    assert again["counts"]["seen"] == first["counts"]["seen"]  # a duplicate counts once


def test_the_api_keeps_an_item_photo_and_lists_it(client, world, session):
    code = make_item(session, world, location_code="S2").code
    session.commit()
    image = tiny_image("PNG")
    headers = world.headers("keeper")
    sent = client.post(
        f"/api/v1/items/{code}/photos",
        headers=headers,
        data={"kind": "packaging"},
        files={"file": ("bao-bi.png", image, "image/png")},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["sha256"] == hashlib.sha256(image).hexdigest()
    listed = client.get(f"/api/v1/items/{code}/photos", headers=headers).json()
    assert [p["kind"] for p in listed] == ["packaging"]
    served = client.get(f"/api/v1/items/{code}/photos/{listed[0]['id']}", headers=headers)
    assert served.content == image
    bad = client.post(
        f"/api/v1/items/{code}/photos",
        headers=headers,
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png")},
    )
    assert bad.status_code == 422


def test_an_item_form_sent_again_with_its_key_acts_once(client, world, session):
    """Back and resubmit, or the outbox replaying a form whose answer was lost: the item page's
    key (one per render) gives the first result; a new render's key is a new act."""
    code = make_item(session, world, location_code="S2").code
    session.commit()
    csrf = log_in(client, "keeper")
    page = client.get(f"/items/{code}").text
    (key,) = set(re.findall(r'name="form_key" value="([^"]+)"', page))
    (version,) = set(re.findall(r'name="version" value="(\d+)"', page))
    fields = {"csrf_token": csrf, "version": version, "form_key": key, "to_location_code": "C1"}
    first = client.post(f"/items/{code}/move", data=fields, follow_redirects=False)
    again = client.post(f"/items/{code}/move", data=fields, follow_redirects=False)
    assert first.status_code == again.status_code == 303, again.text
    assert first.headers["location"] == again.headers["location"]
    session.expire_all()
    item = session.exec(select(Item).where(Item.code == code)).one()
    moved = session.exec(
        select(CustodyEvent).where(
            CustodyEvent.item_id == item.id, CustodyEvent.event_type == "move"
        )
    ).all()
    assert len(moved) == 1 and session.get(Location, item.location_id).code == "C1"
    # The same key with another destination is not the same form: refused, nothing moves.
    other = client.post(f"/items/{code}/move", data={**fields, "to_location_code": "C2"})
    assert other.status_code == 409 and "đã được gửi với nội dung khác" in other.text
    session.expire_all()
    assert session.get(Location, session.get(Item, item.id).location_id).code == "C1"
    fresh = client.get(f"/items/{code}").text
    assert key not in fresh  # the next render, the next act


def test_one_item_moved_reads_in_the_singular_in_english(client, world, session):
    codes = [make_item(session, world, location_code="S2").code for _ in range(3)]
    session.commit()
    csrf = log_in(client, "keeper")
    assert client.post("/lang", data={"csrf_token": csrf, "lang": "en"}).status_code == 200
    headers = {"Accept": "application/json", "X-CSRF-Token": csrf}
    one = client.post("/scan/move", data={"item": codes[0], "location": "C1"}, headers=headers)
    two = client.post("/scan/move", data={"item": codes[1:], "location": "C1"}, headers=headers)
    assert one.json()["messages"] == ["Moved 1 item to C1."]
    assert two.json()["messages"] == ["Moved 2 items to C1."]
    page = client.get("/scan").text  # the page's script gets the singular sentences too
    assert "Move 1 item to {location}?" in page
