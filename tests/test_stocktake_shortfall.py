"""A count that finds fewer than the book says opens a discrepancy of its own ("short"): a
partial loss (Circular 01/2017 Art. 14, vn-legal-context §3.7) that the record explains with
its cause and measures, and that cannot be written off as if the whole item were lost."""

from sqlmodel import select

from evidence_service.models import Discrepancy, Item, Stocktake
from evidence_service.payload import make_payload
from tests.docs_output import text
from tests.factories import make_item
from tests.test_stocktakes import API, SIGNERS, _scan, _start


def _count_short(client, session, world, found: float, seal_state: str = "intact"):
    item = make_item(session, world, location_code="S1", quantity=12, unit="box")
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(
        client,
        world,
        sid,
        make_payload("item", item.code),
        quantity_found=found,
        seal_state=seal_state,
    )
    body = {
        **SIGNERS,
        "findings": [{"code": item.code, "cause": "Chuột cắn", "measures": "Lập biên bản"}],
    }
    return (
        sid,
        item,
        client.post(f"{API}/stocktakes/{sid}/close", json=body, headers=world.headers()),
    )


def test_fewer_found_than_the_book_is_a_shortfall_with_its_cause_in_the_record(
    client, session, world
):
    sid, item, closed = _count_short(client, session, world, found=1)
    assert closed.status_code == 200, closed.text
    found = session.exec(select(Discrepancy).where(Discrepancy.item_id == item.id)).all()
    assert [(d.kind, d.cause, d.measures) for d in found] == [
        ("short", "Chuột cắn", "Lập biên bản")
    ]
    assert session.exec(select(Stocktake).where(Stocktake.id == sid)).one().counts["short"] == 1
    listed = client.get(f"{API}/reports/discrepancies", headers=world.headers()).json()
    assert [d["kind"] for d in listed if d["item_code"] == item.code] == ["short"]
    record = client.get(f"{API}/stocktakes/{sid}/record.pdf", headers=world.headers())
    assert record.status_code == 200
    words = " ".join(text(record.content).split())
    assert "Thiếu số lượng so với sổ" in words and "Chuột cắn" in words


def test_a_broken_seal_counted_short_is_two_discrepancies_sharing_one_finding(
    client, session, world
):
    _, item, closed = _count_short(client, session, world, found=11, seal_state="broken")
    assert closed.status_code == 200, closed.text
    found = session.exec(
        select(Discrepancy).where(Discrepancy.item_id == item.id).order_by(Discrepancy.id)
    ).all()
    assert [(d.kind, d.cause) for d in found] == [
        ("seal_broken", "Chuột cắn"),
        ("short", "Chuột cắn"),
    ]


def test_all_found_is_no_shortfall(client, session, world):
    _, item, closed = _count_short(client, session, world, found=12)
    assert closed.status_code == 422  # the finding names an item with no discrepancy
    sid = _start(client, world)["id"]
    _scan(client, world, sid, make_payload("location", "S1"))
    _scan(client, world, sid, make_payload("item", item.code), quantity_found=12)
    assert client.post(f"{API}/stocktakes/{sid}/close", json=SIGNERS, headers=world.headers())
    assert session.exec(select(Discrepancy).where(Discrepancy.item_id == item.id)).all() == []


def test_a_shortfall_is_not_written_off_as_a_lost_item_and_nothing_changes(client, session, world):
    _, item, closed = _count_short(client, session, world, found=1)
    assert closed.status_code == 200, closed.text
    (discrepancy,) = session.exec(select(Discrepancy).where(Discrepancy.item_id == item.id)).all()
    body = {
        "resolution": "written_off",
        "document_ref": "12/QĐ-THADS",
        "document_date": "2026-11-30",
        "document_issuer": "Thủ trưởng",
    }
    refused = client.post(
        f"{API}/discrepancies/{discrepancy.id}/resolve", json=body, headers=world.headers("manager")
    )
    assert refused.status_code == 409, refused.text
    assert "shortfall" in refused.json()["detail"]
    session.expire_all()
    assert session.get(Discrepancy, discrepancy.id).status == "open"
    assert session.get(Item, item.id).status == "stored"
    found = client.post(
        f"{API}/discrepancies/{discrepancy.id}/resolve",
        json={"resolution": "found", "note": "Đếm lại đủ 12 hộp"},
        headers=world.headers(),
    )
    assert found.status_code == 200, found.text
