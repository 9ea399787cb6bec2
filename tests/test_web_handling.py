"""The item page's decisions (seal check, split, disposition, release, transfer), the intake
that records a new case with its items, and database errors shown in plain words."""

import re

from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlmodel import select

from evidence_service.i18n import Translator
from evidence_service.models import Case, Item, Location
from tests.factories import confirm_request, exit_document, make_item
from tests.test_web import log_in

VI = Translator("vi")
CLIENT_SEES = re.compile(r'<div class="notice (?:success|warn)" role="status">(.*?)</div>', re.S)


def _post(client, url, csrf, **fields):
    return client.post(url, data={"csrf_token": csrf, **fields}, follow_redirects=False)


def test_keeper_sees_seal_split_disposition_and_may_ask_for_a_transfer(client, world, session):
    code = make_item(session, world).code
    log_in(client)
    html = client.get(f"/items/{code}").text
    for form in ("seal-check", "split", "disposition", "transfer"):
        assert f'action="/items/{code}/{form}"' in html
    assert f'action="/items/{code}/release"' not in html  # its case orders destruction


def test_release_needs_a_releasable_disposition_and_says_why(client, world, session):
    code = make_item(session, world).code  # its case orders destruction
    csrf = log_in(client, "manager")
    html = client.get(f"/items/{code}").text
    assert 'id="release-blocked"' in html and f'action="/items/{code}/release"' not in html
    assert VI("disposition.destroy") in html
    refused = _post(
        client, f"/items/{code}/release", csrf, recipient="Ông A", **exit_document("12/BB")
    )
    assert refused.status_code == 409 and 'role="alert"' in refused.text

    done = _post(
        client,
        f"/items/{code}/disposition",
        csrf,
        disposition="return_to_owner",
        **exit_document("5/2026/QĐ"),
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=disposition")
    confirm_request(client, world, code)
    html = client.get(f"/items/{code}").text
    assert f'action="/items/{code}/release"' in html
    assert 'id="rel-date"' in html and VI("sod13b_field.document_issuer") in html
    released = _post(
        client, f"/items/{code}/release", csrf, recipient="Ông A", **exit_document("12/BB")
    )
    assert released.status_code == 303
    page = client.get(released.headers["location"]).text
    assert VI("item.done_release") in page and VI("status.pending_release") in page
    assert session.exec(select(Item).where(Item.code == code)).one().status == "pending_release"
    # The second person, in the browser: the request is on /approvals with its buttons.
    client.cookies.clear()
    csrf2 = log_in(client, "manager2")
    approvals = client.get("/approvals").text
    assert code in approvals and VI("duties_exits.confirm") in approvals
    (approval_id,) = re.findall(r'action="/approvals/(\d+)/confirm"', approvals)
    confirmed = _post(client, f"/approvals/{approval_id}/confirm", csrf2)
    assert confirmed.status_code == 303, confirmed.text
    item = session.exec(select(Item).where(Item.code == code)).one()
    session.refresh(item)
    assert item.status == "released"


def test_transfer_by_a_manager(client, world, session):
    code = make_item(session, world).code
    csrf = log_in(client, "manager")
    missing = _post(client, f"/items/{code}/transfer", csrf, to_agency="B-PROV")
    assert missing.status_code == 422
    assert VI("field.document_number") in missing.text  # which field, in plain words
    undated = {**exit_document("7/QĐ-CT"), "document_date": ""}
    missing = _post(client, f"/items/{code}/transfer", csrf, to_agency="B-PROV", **undated)
    assert missing.status_code == 422
    assert VI("sod13b_validation.document_date") in missing.text
    done = _post(
        client, f"/items/{code}/transfer", csrf, to_agency="B-PROV", **exit_document("7/QĐ-CT")
    )
    assert done.status_code == 303
    assert session.exec(select(Item).where(Item.code == code)).one().status == "pending_release"
    assert confirm_request(client, world, code).status_code == 200
    # The receiving agency's keeper scans it in on their own page.
    client.cookies.clear()
    csrf_b = log_in(client, "other-keeper")
    page = client.get("/approvals").text
    assert code in page
    (approval_id,) = re.findall(r'action="/approvals/(\d+)/receive"', page)
    received = _post(
        client, f"/approvals/{approval_id}/receive", csrf_b, item_code=code, location_code="X1"
    )
    assert received.status_code == 303, received.text
    item = session.exec(select(Item).where(Item.code == code)).one()
    session.refresh(item)
    assert (item.status, item.agency_id) == ("stored", world.agencies["other"].id)


def test_an_auditor_may_not_release(client, world, session):
    code = make_item(session, world).code
    csrf = log_in(client, "auditor")
    response = _post(client, f"/items/{code}/release", csrf, recipient="A", **exit_document("1"))
    assert response.status_code == 403
    assert VI("keysa_auth.may_not_release") in response.text  # what it may not do, in words


def test_seal_check_records_the_new_seal(client, world, session):
    code = make_item(session, world, seal_number="NP-1").code
    csrf = log_in(client)
    response = _post(
        client,
        f"/items/{code}/seal-check",
        csrf,
        seal_state="broken",
        seal_number="NP-2",
        reason="rách góc",
    )
    assert response.status_code == 303
    item = session.exec(select(Item).where(Item.code == code)).one()
    session.refresh(item)
    assert (item.seal_state, item.seal_number) == ("broken", "NP-2")
    assert VI("item.done_seal_check") in client.get(response.headers["location"]).text


def test_split_links_the_new_item_and_offers_its_label(client, world, session):
    code = make_item(session, world, net_weight_g=1000.0, volume_l=2.0).code
    csrf = log_in(client)
    assert 'id="sp-volume"' in client.get(f"/items/{code}").text
    too_much = _post(client, f"/items/{code}/split", csrf, net_weight="2", weight_unit="kg")
    assert too_much.status_code == 422
    response = _post(
        client,
        f"/items/{code}/split",
        csrf,
        net_weight="0,25",
        weight_unit="kg",
        quantity="1",
        volume_l="0,5",
        reason="gửi giám định",
    )
    assert response.status_code == 303
    child = re.search(r"child=([^&]+)", response.headers["location"]).group(1)
    page = client.get(response.headers["location"]).text
    assert f'href="/items/{child}"' in page and f'action="/items/{child}/label"' in page
    label = _post(client, f"/items/{child}/label", csrf, template="")
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    printed = client.get(f"/api/v1/items/{child}/custody", headers=world.headers()).json()
    assert [e["event_type"] for e in printed].count("label_printed") == 1  # a print is recorded
    new_part = session.exec(select(Item).where(Item.code == child)).one()
    assert (new_part.net_weight_g, new_part.volume_l) == (250, 0.5)


def test_disposition_to_destroy_advises_an_awaiting_destruction_location(client, world, session):
    sec = session.exec(select(Location).where(Location.code == "SEC-1")).one()
    sec.awaiting_destruction = True
    session.add(sec)
    session.commit()
    code = make_item(session, world, case_id=world.cases["pending"].id).code
    csrf = log_in(client)
    response = _post(
        client,
        f"/items/{code}/disposition",
        csrf,
        disposition="destroy",
        **exit_document("1/2026/HS-ST"),
    )
    assert response.status_code == 303
    assert confirm_request(client, world, code).status_code == 200  # the second person
    notices = " ".join(CLIENT_SEES.findall(client.get(f"/items/{code}?advice=1").text))
    assert VI("item.advice_awaiting_destruction", locations="SEC-1") in notices


def _intake_form(csrf, **case_fields):
    return {
        "csrf_token": csrf,
        "form_key": "",
        "case_id": "",
        "judgment_number": "77/2026/HS-ST",
        "location_code": "S2",
        "description": "Xe máy",
        "category": "vehicle",
        "quantity": "1",
        "unit": "vehicle",
        "net_weight": "95",
        "weight_unit": "kg",
        **case_fields,
    }


NEW_CASE = {
    "court": "TAND huyện B",
    "decision_issuer": "Chi cục THADS huyện B",
    "decision_year": "2026",
    "decision_number": "41",
    "disposition": "sell",
}


def test_intake_creates_a_new_case_with_its_items(client, world, session):
    csrf = log_in(client)
    unknown = client.post("/intake", data=_intake_form(csrf))
    assert unknown.status_code == 422
    assert VI("validation.case_unknown") in unknown.text.replace("&#34;", '"')
    response = client.post("/intake", data=_intake_form(csrf, **NEW_CASE), follow_redirects=False)
    assert response.status_code == 303, response.text
    case = session.exec(select(Case).where(Case.judgment_number == "77/2026/HS-ST")).one()
    assert (case.court, case.disposition, case.decision_number) == ("TAND huyện B", "sell", "41")
    items = session.exec(select(Item).where(Item.case_id == case.id)).all()
    assert [i.description for i in items] == ["Xe máy"]
    again = client.post("/intake", data=_intake_form(csrf, **NEW_CASE))
    assert again.status_code == 422 and VI("validation.case_exists") in again.text


def test_intake_with_a_new_case_is_all_or_nothing(client, world, session):
    csrf = log_in(client)
    form = _intake_form(csrf, **NEW_CASE) | {"location_code": "NOWHERE"}
    response = client.post("/intake", data=form)
    assert response.status_code in (404, 422)
    assert session.exec(select(Case).where(Case.judgment_number == "77/2026/HS-ST")).first() is None
    bad = client.post("/intake", data=_intake_form(csrf, **NEW_CASE | {"decision_year": "năm"}))
    assert bad.status_code == 422 and VI("field.decision_year") in bad.text


def _fail_with(monkeypatch, exc):
    from evidence_service.web.pages import items as item_pages

    def boom(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr(item_pages.handling, "seal_check", boom)


def test_database_errors_on_pages_are_plain_words(client, world, session, monkeypatch):
    code = make_item(session, world).code
    csrf = log_in(client)
    cases = [
        (IntegrityError("INSERT", {}, Exception("UNIQUE")), 409, "error.database_conflict"),
        (
            OperationalError("UPDATE", {}, Exception("database is locked")),
            503,
            "error.database_busy",
        ),
        (DataError("INSERT", {}, Exception("value out of range")), 422, "error.database_value"),
        (OverflowError("int too large"), 422, "error.database_value"),
    ]
    for exc, status, key in cases:
        _fail_with(monkeypatch, exc)
        form = {"csrf_token": csrf, "seal_state": "intact"}
        page = client.post(f"/items/{code}/seal-check", data=form)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert VI(key) in page.text and "Keeper" in page.text  # the page, still logged in
        fetched = client.post(
            f"/items/{code}/seal-check", data=form, headers={"Accept": "application/json"}
        )
        assert fetched.status_code == status and fetched.json()["messages"] == [VI(key)]
    assert page.headers.get("retry-after") is None
    # The page still works afterwards, and the API's answers are unchanged.
    monkeypatch.undo()
    assert client.get(f"/items/{code}").status_code == 200


def test_the_api_still_answers_database_errors_in_json(client, world, session, monkeypatch):
    from evidence_service.api import handling as api_handling

    code = make_item(session, world).code

    def busy(*_args, **_kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(api_handling.handling, "seal_check", busy)
    response = client.post(
        f"/api/v1/items/{code}/seal-checks",
        json={"seal_state": "intact"},
        headers=world.headers("keeper"),
    )
    assert response.status_code == 503
    assert response.json() == {"detail": "database busy or unavailable, retry shortly"}


def test_intake_on_a_transfer_decision_opens_a_case_before_any_judgment(client, world, session):
    csrf = log_in(client, "keeper")  # the keeper receives the items (issue 14, "Done when")
    transfer = {
        "judgment_number": "",
        "transfer_issuer": "VKSND khu vực 1 - Lạng Sơn",
        "transfer_number": "31/QĐ-VKS",
        "transfer_date": "02/11/2026",
        "investigating_body": "Cơ quan CSĐT",
    }
    response = client.post("/intake", data=_intake_form(csrf, **transfer), follow_redirects=False)
    assert response.status_code == 303, response.text
    case = session.exec(select(Case).where(Case.transfer_number == "31/QĐ-VKS")).one()
    assert case.judgment_number is None and case.transfer_date.isoformat() == "2026-11-02"
    assert [i.description for i in session.exec(select(Item).where(Item.case_id == case.id))] == [
        "Xe máy"
    ]
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "31/QĐ-VKS" in page.text
    assert VI("cases_page.no_judgment") in page.text
    added = client.post(
        f"/cases/{case.id}/judgments",
        data={
            "csrf_token": csrf,
            "number": "12/2026/HS-ST",
            "level": "first_instance",
            "court": "TAND khu vực 1 - Lạng Sơn",
            "date": "2026-11-20",
            "effective_date": "2026-11-25",
            "received_date": "2026-11-26",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    page = client.get(f"/cases/{case.id}")
    assert "12/2026/HS-ST" in page.text and VI("cases_page.level_first_instance") in page.text
    assert (
        "Điều 28 Luật Thi hành án dân sự số 26/2008" in page.text
        or "Luật Thi hành án dân sự số 106/2025" in page.text
    )  # its deadlines
