"""The tamper suite: a realistic record built through the API, then, case by case, one
change made behind the service's back (as someone with write access to the database would)
and ``verify`` must fail naming the right table and row. SQLite and PostgreSQL alike."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import zxingcpp
from sqlalchemy import text
from sqlmodel import Session

from evidence_service import chains, checkpoints, custody, keys, logchain, replay_beside
from evidence_service.custody import event_hash
from evidence_service.legal.holidays import local_today
from evidence_service.links import Anchor, merkle_root
from evidence_service.verification import verify_record
from tests.factories import make_item
from tests.test_destruction import (
    JPEG,
    PNG,
    B,
    approve,
    destroyed,
    execution,
    new_batch,
    pdf_text,
    post,
)

API = "/api/v1"
SIGNERS = {"keeper": "Nguyễn Văn Kho", "accountant": "Trần Thị Kế", "head": "Lê Văn Trưởng"}


@dataclass
class Record:
    codes: dict[str, str]
    ids: dict[str, int]
    batch_id: int
    stocktake_id: int


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.text
    return response.json()


def build(client, session: Session, world) -> Record:
    h = world.headers
    items = {
        name: make_item(session, world, location_code=where)
        for name, where in [("moved", "S1"), ("out", "S2"), ("burnt", "S2"), ("kept", "S2")]
    }
    _ok(
        client.post(
            f"{API}/items/{items['moved'].code}/moves",
            json={"to_location_code": "R1", "reason": "xếp lại"},
            headers=h(),
        )
    )
    due = str(local_today() + timedelta(days=1))
    checkout = {
        "recipient": "TAND tỉnh A",
        "purpose": "court",
        "document_number": "12/QĐ",
        "due_date": due,
    }
    _ok(client.post(f"{API}/items/{items['out'].code}/check-outs", json=checkout, headers=h()))
    _ok(
        client.post(
            f"{API}/items/{items['out'].code}/returns", json={"reason": "xong"}, headers=h()
        )
    )
    _ok(
        client.post(
            f"{API}/items/{items['kept'].code}/reweighs", json={"net_weight_g": 1005.0}, headers=h()
        )
    )
    batch = new_batch(client, world, [items["burnt"].code])
    _ok(approve(client, world, batch["id"]))
    _ok(
        client.post(
            f"{B}/{batch['id']}/photos",
            headers=h("council"),
            files={"file": ("a.png", PNG, "image/png")},
            data={"caption": "x"},
        )
    )
    _ok(
        post(
            client,
            world,
            f"/{batch['id']}/execute",
            execution([destroyed(items["burnt"].code, 1000.0)]),
            user="council",
        )
    )
    _ok(post(client, world, f"/{batch['id']}/close", {}))
    stocktake = _ok(
        client.post(
            f"{API}/stocktakes",
            json={"scope": "location", "warehouse_code": "W1", "location_code": "S2"},
            headers=h(),
        )
    )
    _ok(client.post(f"{API}/stocktakes/{stocktake['id']}/close", json=SIGNERS, headers=h()))
    report = _ok(client.get(f"{API}/reports/discrepancies", headers=h()))
    _ok(
        client.post(
            f"{API}/discrepancies/{report[0]['id']}/resolve",
            json={"resolution": "found"},
            headers=h(),
        )
    )
    _ok(client.patch(f"{API}/users/keeper", json={"full_name": "Thủ kho"}, headers=h("admin")))
    session.expire_all()
    ids = {n: int(i.id or 0) for n, i in items.items()}
    return Record({n: i.code for n, i in items.items()}, ids, batch["id"], stocktake["id"])


def _drop_guards(session: Session) -> None:
    """What an insider does first: the append-only triggers go."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    for table, action in [
        ("custody_events", "update"),
        ("custody_events", "delete"),
        ("items", "delete"),
    ]:
        on = "" if sqlite else f" ON {table}"
        session.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}{on}"))
    if sqlite:
        session.execute(text("PRAGMA defer_foreign_keys=ON"))  # never committed
    else:
        session.execute(text("SET session_replication_role = replica"))


_FORGED = (
    *("seq", "item_id", "event_type", "actor_id", "occurred_at", "reason", "details"),
    *("prev_hash", "hash", "key_id", "chain"),
)


def _forge_release(session: Session, r: Record) -> None:
    """A release event appended with a correctly recomputed hash (but no key)."""
    agency = session.execute(
        text("SELECT agency_id FROM items WHERE id = :i"), {"i": r.ids["kept"]}
    )
    chain = chains.province_of(session, agency.scalar_one())  # on the item's own chain
    seq, prev = custody.chain_head(session, chain)
    row = {
        "chain": chain,
        "seq": seq + 1,
        "item_id": r.ids["kept"],
        "event_type": "release",
        "actor_id": 1,
        "occurred_at": custody.datetime.now(custody.UTC),
        "from_location_id": None,
        "to_location_id": None,
        "reason": "forged",
        "details": {"changes": {"status": ["stored", "released"]}},
        "prev_hash": prev,
        "key_id": keys.signer().key_id,
    }
    row["hash"] = event_hash(row)
    session.execute(
        text(
            f"INSERT INTO custody_events ({', '.join(_FORGED)}) "
            f"VALUES ({', '.join(':' + name for name in _FORGED)})"
        ),
        {**row, "details": custody._CANONICAL.encode(row["details"])},
    )


_PROVINCE_A = "chain = (SELECT id FROM agencies WHERE code = 'A-PROV')"
_PROVINCE_B = "(SELECT id FROM agencies WHERE code = 'B-PROV')"


def _forge_global_checkpoint(session: Session, r: Record) -> None:
    """The newest global checkpoint made to leave a province out, its root recomputed:
    without the key its signature cannot follow."""
    point = session.execute(
        text("SELECT id, chains FROM checkpoints WHERE chains IS NOT NULL ORDER BY id DESC")
    ).first()
    assert point is not None
    heads = point[1] if isinstance(point[1], dict) else json.loads(point[1])
    kept = {c: h for c, h in heads.items() if c == "0"}
    root = merkle_root({int(c): (s, h) for c, (s, h) in kept.items()})
    session.execute(
        text("UPDATE checkpoints SET chains = :c, head_hash = :r, events = :e WHERE id = :i"),
        {"c": json.dumps(kept), "r": root, "e": sum(s for s, _ in kept.values()), "i": point[0]},
    )


def _sql(*statements: str, **values: object):
    """A change in SQL; :kept, :batch and :stocktake name rows of the record."""

    def run(session: Session, r: Record) -> None:
        names = {"kept": r.ids["kept"], "batch": r.batch_id, "stocktake": r.stocktake_id}
        names |= values  # type: ignore[arg-type]
        for statement in statements:
            used = {k: v for k, v in names.items() if f":{k}" in statement}
            session.execute(text(statement), used)

    return run


_FAKE = hashlib.sha256(b"%PDF-fake").hexdigest()
_JPEG = hashlib.sha256(JPEG).hexdigest()
_COPY = (
    "code, label_key, agency_id, case_id, category, description, hazard_classes, quantity, "
    "unit, condition, seal_state, delivered_by_name, delivered_by_position, "
    "delivered_by_id_document, received_by_id, disposition, status, version, received_at, "
    "updated_at"
)
_COPIED = _COPY.replace("code, label_key", "'VC-FAKE', 'VCFAKE'").replace("status,", "'received',")
CASES = {
    # name: (the change, the table verify must name, words its message must hold)
    "net weight set to 1 g": (
        _sql("UPDATE items SET net_weight_g = 1 WHERE id = :kept"),
        "items",
        "net_weight_g",
    ),
    "status set to destroyed": (
        _sql("UPDATE items SET status = 'destroyed', location_id = NULL WHERE id = :kept"),
        "items",
        "status",
    ),
    "location changed": (
        _sql(
            "UPDATE items SET location_id = (SELECT id FROM locations WHERE code = 'S1') "
            "WHERE id = :kept"
        ),
        "items",
        "location_id",
    ),
    "disposition changed": (
        _sql("UPDATE items SET disposition = 'return_to_owner' WHERE id = :kept"),
        "items",
        "disposition",
    ),
    "description changed": (
        _sql("UPDATE items SET description = 'khác' WHERE id = :kept"),
        "items",
        "description",
    ),
    "agency changed": (
        _sql(
            "UPDATE items SET agency_id = (SELECT id FROM agencies WHERE code = 'B-PROV') "
            "WHERE id = :kept"
        ),
        "items",
        "agency_id",
    ),
    "item deleted": (_sql("DELETE FROM items WHERE id = :kept"), "items", "deleted"),
    "item inserted with no intake": (
        _sql(f"INSERT INTO items ({_COPY}) SELECT {_COPIED} FROM items WHERE id = :kept"),
        "items",
        "VC-FAKE",
    ),
    "forged release event": (_forge_release, "custody_events", "not signed"),
    "keeper made admin": (
        _sql("UPDATE users SET role = 'admin' WHERE username = 'keeper'"),
        "users",
        "role",
    ),
    "admin password hash replaced": (
        _sql("UPDATE users SET password_hash = 'x' WHERE username = 'admin'"),
        "users",
        "password_hash",
    ),
    "web session inserted": (
        _sql(
            "INSERT INTO web_sessions (id, user_id, csrf_token, lang, created_at, expires_at, "
            "revoked) SELECT 'f00d', id, 'c', 'vi', created_at, created_at, false FROM users "
            "WHERE username = 'admin'"
        ),
        "web_sessions",
        "not signed",
    ),
    "record PDF and its SHA-256 replaced": (
        _sql(
            "UPDATE destruction_batches SET record_pdf = :pdf, record_sha256 = :sha "
            "WHERE id = :batch",
            pdf=b"%PDF-fake",
            sha=_FAKE,
        ),
        "destruction_batches",
        "record",
    ),
    "measured weight": (
        _sql("UPDATE destruction_items SET measured_weight_g = 1 WHERE batch_id = :batch"),
        "destruction_items",
        "measured_weight_g",
    ),
    "chair's name": (
        _sql("UPDATE council_members SET name = 'Ai' WHERE batch_id = :batch AND role = 'chair'"),
        "council_members",
        "name",
    ),
    "method": (
        _sql("UPDATE destruction_batches SET method = 'open_burning' WHERE id = :batch"),
        "destruction_batches",
        "method",
    ),
    "execution time": (
        _sql("UPDATE destruction_batches SET executed_at = created_at WHERE id = :batch"),
        "destruction_batches",
        "executed_at",
    ),
    "photo bytes and hash": (
        _sql("UPDATE destruction_photos SET data = :jpeg, sha256 = :sha", jpeg=JPEG, sha=_JPEG),
        "destruction_photos",
        "",
    ),
    "stocktake line outcome": (
        _sql("UPDATE stocktake_lines SET outcome = 'verified' WHERE stocktake_id = :stocktake"),
        "stocktake_lines",
        "outcome",
    ),
    "exit slip recipient": (
        _sql("UPDATE exit_slips SET recipient = 'Ai'"),
        "exit_slips",
        "recipient",
    ),
    "stocktake signers": (
        _sql("UPDATE stocktakes SET signers = '{}' WHERE id = :stocktake"),
        "stocktakes",
        "signers",
    ),
    "discrepancy resolution": (
        _sql("UPDATE discrepancies SET status = 'written_off' WHERE status = 'found'"),
        "discrepancies",
        "status",
    ),
    "check-out record": (
        _sql("UPDATE checkouts SET recipient = 'ai đó'"),
        "checkouts",
        "recipient",
    ),
    "security events deleted": (
        _sql("DELETE FROM security_events WHERE id = (SELECT min(id) FROM security_events)"),
        "security_events",
        "",
    ),
    "login attempts deleted": (
        _sql("DELETE FROM login_attempts WHERE id = (SELECT min(id) FROM login_attempts)"),
        "login_attempts",
        "",
    ),
    "scan log deleted": (
        _sql("DELETE FROM scan_log WHERE id = (SELECT min(id) FROM scan_log)"),
        "scan_log",
        "",
    ),
    "scan log truncated before the checkpoint": (
        _sql("DELETE FROM scan_log WHERE seq >= 2"),
        "scan_log",
        "checkpoint",
    ),
    "checkpoint forged": (
        _sql("UPDATE checkpoints SET events = events - 1"),
        "checkpoints",
        "signature",
    ),
    "event edited": (
        _sql("UPDATE custody_events SET reason = 'sửa' WHERE seq = 3"),
        "custody_events",
        "edited",
    ),
    # An event in the middle of the province's chain (the common chain's length follows how
    # many records the build's writes keep, e.g. the handover of a return).
    "event deleted": (
        _sql(f"DELETE FROM custody_events WHERE {_PROVINCE_A} AND seq = 3"),
        "custody_events",
        "missing",
    ),
    "event reordered": (
        _sql(
            "UPDATE custody_events SET seq = -3 WHERE seq = 3",
            "UPDATE custody_events SET seq = 3 WHERE seq = 4",
            "UPDATE custody_events SET seq = 4 WHERE seq = -3",
        ),
        "custody_events",
        "seq",
    ),
    "event moved to another chain": (
        _sql(
            f"UPDATE custody_events SET chain = {_PROVINCE_B}, seq = (SELECT max(seq) + 1 FROM "
            f"custody_events WHERE chain = {_PROVINCE_B}) WHERE {_PROVINCE_A} AND seq = 3"
        ),
        "custody_events",
        "missing",
    ),
    "a province's chain head truncated": (
        _sql(
            f"DELETE FROM custody_events WHERE {_PROVINCE_A} AND seq > "
            f"(SELECT max(seq) - 2 FROM custody_events WHERE {_PROVINCE_A})"
        ),
        "custody_events",
        "chain",
    ),
    "global checkpoint forged": (_forge_global_checkpoint, "checkpoints", "signature"),
    "last events truncated": (
        _sql("DELETE FROM custody_events WHERE seq > (SELECT max(seq) - 3 FROM custody_events)"),
        "custody_events",
        "",
    ),
}


@pytest.fixture
def record(client, session, world):
    r = build(client, session, world)
    # Something in each log for the deletions to remove, and a checkpoint signing their heads.
    for _ in range(2):
        client.post(f"{API}/auth/token", data={"username": "keeper", "password": "wrong"})
        client.post(f"{API}/scan", json={"payload": "garbage"}, headers=world.headers())
    session.expire_all()
    checkpoints.write(session)
    client.post(f"{API}/scan", json={"payload": "garbage"}, headers=world.headers())
    session.expire_all()
    assert verify_record(session).ok, verify_record(session).problem
    return r


@pytest.mark.parametrize("case", list(CASES))
def test_each_tampering_is_caught_and_named(session, record, case):
    change, table, words = CASES[case]
    anchor = checkpoints.current_anchor(session)
    _drop_guards(session)
    change(session, record)
    session.flush()
    problem = verify_record(session, anchor).problem
    assert problem is not None, f"{case}: not caught"
    assert problem.table == table, f"{case}: {problem}"
    assert words in str(problem), f"{case}: {problem}"


def test_verify_runs_with_only_the_public_key(tmp_path, session, record):
    pub = tmp_path / "signing.key.pub"
    pub.write_text(keys.signer().public_line())
    ring = keys.Keyring.read(pub)
    assert verify_record(session, ring=ring).ok
    assert not verify_record(session, ring=keys.Keyring()).ok  # an unknown key proves nothing


def test_official_pdfs_carry_the_chain_head_as_an_anchor(client, session, world, record):
    pdf = client.get(f"{B}/{record.batch_id}/record.pdf", headers=world.headers("manager"))
    assert pdf.status_code == 200
    page = pdfium.PdfDocument(pdf.content)[0]
    image = page.render(scale=4).to_pil()
    found = zxingcpp.read_barcodes(image)
    printed = next(code.text for code in found if code.text.startswith("EVG "))
    anchor = Anchor.parse(printed)
    assert verify_record(session, anchor).ok  # the paper is an anchor of the record
    # A printed value no signed checkpoint has proves nothing, and says so.
    forged = Anchor.parse(f"EVG {anchor.events} {'0' * 16}")
    problem = verify_record(session, forged).problem
    assert problem is not None and problem.table == "checkpoints" and "no signed" in str(problem)
    assert printed in pdf_text(pdf.content).replace("\n", " ")
    session.execute(text("DROP TRIGGER IF EXISTS custody_events_no_delete" + _on(session)))
    session.execute(text(f"DELETE FROM custody_events WHERE {_PROVINCE_A} AND seq >= 2"))
    problem = verify_record(session, anchor).problem
    assert problem is not None and problem.table in ("custody_events", "checkpoints"), problem


def _on(session: Session) -> str:
    return "" if session.get_bind().dialect.name == "sqlite" else " ON custody_events"


@pytest.mark.parametrize(
    "params",
    [
        {"events": 0, "head_hash": "garbage"},
        {"events": -1, "head_hash": "0" * 64},
        {"events": 3},
        {"head_hash": "0" * 64},
        {"events": 3, "head_hash": "ABC"},
    ],
)
def test_audit_verify_refuses_malformed_anchors(client, world, params):
    response = client.get(f"{API}/audit/verify", params=params, headers=world.headers("auditor"))
    assert response.status_code == 422, response.text


def test_record_events_name_who_acted(session, record, world):
    rows = session.execute(
        text(
            "SELECT actor_id, details FROM custody_events WHERE subject = 'users' "
            "AND event_type = 'record_changed' ORDER BY seq DESC"
        )
    ).all()
    assert rows and rows[0][0] == world.users["admin"].id  # the admin renamed the keeper


def test_pruning_a_log_is_a_signed_event_and_verify_accepts_it(session, record):
    first_kept = session.execute(text("SELECT max(seq) FROM scan_log")).scalar_one()
    gone = logchain.prune(session, "scan_log", first_kept - 1, None)
    assert gone == first_kept - 1
    assert verify_record(session).ok, verify_record(session).problem
    pruned = session.execute(
        text("SELECT details FROM custody_events WHERE event_type = 'log_pruned'")
    ).scalar_one()
    assert "scan_log" in str(pruned)
    # Deleting more by hand, without the signed event, is still caught.
    session.execute(text("DELETE FROM scan_log"))
    assert verify_record(session).problem is not None


def test_the_replay_beside_the_walk_names_the_same_row(session, record, monkeypatch):
    """A long chain's replay runs in a process of its own (same snapshot on PostgreSQL)."""
    monkeypatch.setattr(replay_beside, "PARALLEL_FROM", 0)
    session.commit()
    assert verify_record(session).ok, verify_record(session).problem
    session.execute(
        text("UPDATE items SET net_weight_g = 1 WHERE id = :k"), {"k": record.ids["kept"]}
    )
    session.commit()
    problem = verify_record(session).problem
    assert problem is not None and problem.table == "items" and "net_weight_g" in str(problem)
