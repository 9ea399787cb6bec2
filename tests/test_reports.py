"""Reports: capacity (with the trigger-kept usage table), hazard conflicts, ageing."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from evidence_service import reports
from evidence_service.config import Settings
from evidence_service.items import ON_SHELF
from evidence_service.models import Item, Location, LocationUsage
from tests.factories import World
from tests.factories import make_item as _make_item

API = "/api/v1/reports"
BOM = b"\xef\xbb\xbf"


def get(client: Any, world: World, path: str, user: str = "manager", **params: Any) -> Any:
    return client.get(API + path, headers=world.headers(user), params=params)


def make_item(session: Session, world: World, actor: str = "keeper", **overrides: Any) -> Item:
    return _make_item(session, world, actor, **{"gross_weight_g": None, **overrides})


def location_id(session: Session, code: str) -> int:
    loc = session.exec(select(Location).where(Location.code == code)).one()
    assert loc.id is not None
    return loc.id


def by_code(report: dict[str, Any], warehouse: str = "W1") -> dict[str, dict[str, Any]]:
    (w,) = [w for w in report["warehouses"] if w["code"] == warehouse]
    return {loc["code"]: loc for loc in w["locations"]}


def fill(session: Session, world: World) -> dict[str, Item]:
    """S1 (max 2 items) and S2 under R1; F1 under R2 (max 100 kg); some items not placed."""
    placed = {
        # case "destroy": disposition destroy unless overridden
        "s1": make_item(session, world, location_code="S1", net_weight_g=1000.0, volume_l=1.0),
        "s2_drug": make_item(
            session,
            world,
            location_code="S2",
            category="drug",
            hazard_classes=["general"],  # by hand: this world is about capacity, not hazards
            disposition="pending",
            net_weight_g=2000.0,
            volume_l=1.5,
        ),
        "s2_other": make_item(session, world, location_code="S2", net_weight_g=500.0, volume_l=0.5),
        "f1": make_item(
            session,
            world,
            actor="manager",
            location_code="F1",
            category="vehicle",
            disposition="confiscate",
            net_weight_g=25000.0,
        ),
        "unplaced": make_item(session, world, location_code=None, net_weight_g=9000.0),
        "gone": make_item(session, world, location_code="S2", net_weight_g=7000.0),
    }
    # Destroyed: leaves its location, frees its space (trigger on UPDATE).
    session.execute(
        update(Item)
        .where(col(Item.id) == placed["gone"].id)
        .values(status="destroyed", location_id=None)
    )
    session.commit()
    return placed


# -- capacity ----------------------------------------------------------------------------------


def test_capacity_rolls_up_the_tree_with_limits_categories_and_freed_space(client, world, session):
    fill(session, world)
    response = get(client, world, "/capacity")
    assert response.status_code == 200, response.text
    locs = by_code(response.json())

    s1 = locs["S1"]
    assert s1["items"] == {"used": 1, "limit": 2, "percent": 50.0}
    assert s1["net_weight_kg"] == {"used": 1.0, "limit": None, "percent": None}
    assert s1["freed_by_destruction"] == {"items": 1, "net_weight_kg": 1.0, "volume_l": 1.0}
    assert s1["over_limit"] is False

    s2 = locs["S2"]
    assert s2["items"]["used"] == 2
    assert s2["net_weight_kg"]["used"] == 2.5
    assert s2["volume_l"]["used"] == 2.0
    assert s2["by_category"]["drug"] == 1 and s2["by_category"]["other"] == 1
    assert s2["freed_by_destruction"] == {"items": 1, "net_weight_kg": 0.5, "volume_l": 0.5}

    # The room: both shelves (its own usage is none), no limits of its own.
    r1 = locs["R1"]
    assert r1["depth"] == 0 and s1["depth"] == 1 and s1["parent_code"] == "R1"
    assert r1["items"] == {"used": 3, "limit": None, "percent": None}
    assert r1["net_weight_kg"]["used"] == 3.5
    assert r1["volume_l"]["used"] == 3.0
    assert {k: v for k, v in r1["by_category"].items() if v} == {"drug": 1, "other": 2}
    assert r1["freed_by_destruction"] == {"items": 2, "net_weight_kg": 1.5, "volume_l": 1.5}

    r2 = locs["R2"]
    assert r2["net_weight_kg"] == {"used": 25.0, "limit": 100.0, "percent": 25.0}
    assert r2["by_category"]["vehicle"] == 1
    assert r2["freed_by_destruction"]["items"] == 0

    assert locs["R3"]["items"]["used"] == 0
    assert list(locs)[:3] == ["R1", "S1", "S2"]  # tree order: each room, then what is in it

    (w1,) = [w for w in response.json()["warehouses"] if w["code"] == "W1"]
    assert w1["name"] == "Kho Một" and w1["agency_code"] == "A-PROV"
    assert w1["totals"]["items"] == 4
    assert w1["totals"]["net_weight_kg"] == 28.5
    assert w1["totals"]["freed_by_destruction"]["items"] == 2


def test_capacity_flags_a_location_over_its_limit(client, world, session):
    fill(session, world)
    # Placed by hand past the rules: S1 allows 2 items.
    for _ in range(2):
        item = make_item(session, world, location_code="S2")
        session.execute(
            update(Item)
            .where(col(Item.id) == item.id)
            .values(location_id=location_id(session, "S1"))
        )
    session.commit()
    s1 = by_code(get(client, world, "/capacity").json())["S1"]
    assert s1["items"] == {"used": 3, "limit": 2, "percent": 150.0}
    assert s1["over_limit"] is True


def test_usage_table_follows_every_change_to_items(client, world, session):
    placed = fill(session, world)
    s1, s2 = location_id(session, "S1"), location_id(session, "S2")
    # Move, reweigh, change category and disposition, check out: all through plain UPDATEs.
    session.execute(update(Item).where(col(Item.id) == placed["s2_drug"].id).values(location_id=s1))
    session.execute(
        update(Item)
        .where(col(Item.id) == placed["s1"].id)
        .values(net_weight_g=1234.5, volume_l=None)
    )
    session.execute(
        update(Item)
        .where(col(Item.id) == placed["s2_other"].id)
        .values(category="document", disposition="return_to_owner")
    )
    session.execute(
        update(Item)
        .where(col(Item.id) == placed["f1"].id)
        .values(status="checked_out", location_id=None)
    )
    session.execute(
        update(Item)
        .where(col(Item.id) == placed["unplaced"].id)
        .values(status="stored", location_id=s2)
    )
    session.commit()

    # The same figures computed from the items themselves.
    expected: dict[tuple[int, str, bool], list[float]] = {}
    for loc, cat, disposition, weight, volume in session.execute(
        select(
            Item.location_id, Item.category, Item.disposition, Item.net_weight_g, Item.volume_l
        ).where(col(Item.status).in_(ON_SHELF))
    ).all():
        sums = expected.setdefault((loc, cat, disposition == "destroy"), [0, 0.0, 0.0])
        sums[0] += 1
        sums[1] += weight or 0.0
        sums[2] += volume or 0.0
    kept = {
        (u.location_id, u.category, bool(u.destroy)): [
            u.item_count,
            round(u.net_weight_g, 6),
            round(u.volume_l, 6),
        ]
        for u in session.exec(select(LocationUsage)).all()
        if u.item_count
    }
    assert kept == {k: [v[0], round(v[1], 6), round(v[2], 6)] for k, v in expected.items()}

    locs = by_code(get(client, world, "/capacity").json())
    assert locs["S1"]["items"]["used"] == 2
    assert locs["S1"]["net_weight_kg"]["used"] == 3.2345
    assert locs["R2"]["items"]["used"] == 0
    assert locs["S2"]["by_category"]["document"] == 1
    assert locs["R1"]["freed_by_destruction"]["items"] == 2  # s1 and the formerly unplaced one


def test_capacity_csv_parses_and_matches_json(client, world, session):
    fill(session, world)
    data = get(client, world, "/capacity").json()
    response = get(client, world, "/capacity", format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == reports.CAPACITY_CSV_COLUMNS
    expected = [(w, loc) for w in data["warehouses"] for loc in w["locations"]]
    assert len(rows) == len(expected)

    def num(value: str) -> float | None:
        return None if value == "" else float(value)

    for row, (w, loc) in zip(rows, expected, strict=True):
        assert row["warehouse_code"] == w["code"] and row["warehouse_name"] == w["name"]
        assert row["location_code"] == loc["code"]
        assert (row["parent_code"] or None) == loc["parent_code"]
        for measure in ("items", "net_weight_kg", "volume_l"):
            for part in ("used", "limit", "percent"):
                assert num(row[f"{measure}_{part}"]) == loc[measure][part], (measure, part)
        assert row["over_limit"] == str(loc["over_limit"]).lower()
        assert int(row["freed_items"]) == loc["freed_by_destruction"]["items"]
        assert num(row["freed_net_weight_kg"]) == loc["freed_by_destruction"]["net_weight_kg"]
        assert num(row["freed_volume_l"]) == loc["freed_by_destruction"]["volume_l"]
        for category, count in loc["by_category"].items():
            assert int(row[f"category_{category}"]) == count
    assert "Kho Một" in response.content.decode("utf-8-sig")


def test_capacity_is_scoped_to_the_actors_agencies(client, world, session):
    fill(session, world)

    def codes(user: str, **params: Any) -> list[str]:
        response = get(client, world, "/capacity", user=user, **params)
        assert response.status_code == 200, response.text
        return [w["code"] for w in response.json()["warehouses"]]

    assert codes("manager") == ["W1", "W2"]  # own agency and the child agency below it
    assert codes("keeper") == ["W1"]  # keepers see their own agency only
    assert codes("other-manager") == ["W9"]
    assert codes("manager", warehouse_code="W2") == ["W2"]
    # Another agency's warehouse does not exist for this user.
    response = get(client, world, "/capacity", warehouse_code="W9")
    assert response.status_code == 404
    assert response.json() == {"detail": "warehouse 'W9' not found"}
    assert get(client, world, "/capacity", format="xml").status_code == 422


@pytest.mark.parametrize("path", ["/capacity", "/hazard-conflicts", "/ageing"])
def test_reports_need_a_token(client, world, path):
    response = client.get(API + path)
    assert response.status_code == 401
    assert response.json() == {"detail": "not authenticated"}


# -- hazard conflicts --------------------------------------------------------------------------


def put_by_hand(session: Session, item: Item, location_code: str, classes: list[str]) -> None:
    """Bypass every rule, as a table change or a hand-written statement would."""
    session.execute(
        update(Item)
        .where(col(Item.id) == item.id)
        .values(location_id=location_id(session, location_code), hazard_classes=classes)
    )


def test_hazard_conflicts_lists_violations_among_stored_items(client, world, session):
    solvent = make_item(
        session, world, location_code="C2", category="chemical", hazard_classes=["3"]
    )
    fireworks = make_item(
        session, world, location_code="C2", category="fireworks", hazard_classes=["3"]
    )
    put_by_hand(session, fireworks, "C1", ["1.4G"])
    oxidiser = make_item(session, world, location_code="C2", category="chemical")
    put_by_hand(session, oxidiser, "C2", ["5.1"])
    drugs = make_item(
        session, world, location_code="S2", category="drug", hazard_classes=["general"]
    )
    put_by_hand(session, drugs, "S2", ["narcotics"])
    make_item(session, world, location_code="SEC-1", category="drug", hazard_classes=["narcotics"])
    session.commit()

    response = get(client, world, "/hazard-conflicts")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["total"] == len(report["segregation"]) + len(report["placement"])

    seg = {(v["a"]["hazard_class"], v["b"]["hazard_class"]): v for v in report["segregation"]}
    # Explosives and flammable liquids in one room (R3): different rooms needed.
    fw = seg.get(("1.4G", "3")) or seg[("3", "1.4G")]
    assert fw["rule"] == "separate_room" and fw["overridable"] is False
    assert fw["warehouse_code"] == "W1" and fw["room_code"] == "R3"
    sides = {fw["a"]["location_code"]: fw["a"], fw["b"]["location_code"]: fw["b"]}
    assert sides["C1"]["item_codes"] == [fireworks.code]
    assert sides["C2"]["item_codes"] == [solvent.code]
    assert "must be in different rooms" in fw["message"]
    # Flammable liquid and oxidiser side by side in C2: different locations of the room.
    ox = seg.get(("3", "5.1")) or seg[("5.1", "3")]
    assert ox["rule"] == "separate_location" and ox["overridable"] is True
    assert ox["a"]["location_code"] == ox["b"]["location_code"] == "C2"

    placement = {(p["location_code"], p["code"], p["hazard_class"]): p for p in report["placement"]}
    assert placement[("C1", "class_not_allowed", "1.4G")]["item_codes"] == [fireworks.code]
    assert placement[("S2", "class_not_allowed", "narcotics")]["item_codes"] == [drugs.code]
    assert placement[("S2", "requires_secure_location", "narcotics")]["item_codes"] == [drugs.code]
    # The narcotics in the secure bin break nothing.
    assert not [p for p in report["placement"] if p["location_code"] == "SEC-1"]
    assert set(placement) == {
        ("C1", "class_not_allowed", "1.4G"),
        ("S2", "class_not_allowed", "narcotics"),
        ("S2", "requires_secure_location", "narcotics"),
    }

    # Another agency sees none of it.
    other = get(client, world, "/hazard-conflicts", user="other-manager").json()
    assert other["total"] == 0


def test_no_hazard_conflicts_when_the_rules_were_followed(client, world, session):
    make_item(session, world, location_code="C1", category="chemical", hazard_classes=["3"])
    make_item(session, world, location_code="C2", category="chemical", hazard_classes=["8"])
    make_item(session, world, location_code="F1", actor="manager", hazard_classes=["1.4G"])
    session.commit()
    report = get(client, world, "/hazard-conflicts").json()
    assert report["segregation"] == [] and report["placement"] == [] and report["total"] == 0


# -- ageing ------------------------------------------------------------------------------------


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days, hours=1)).isoformat()


def make_aged(session: Session, world: World) -> dict[str, Item]:
    pending = world.cases["pending"].id
    made = {
        "very_long": make_item(session, world, case_id=pending, received_at=days_ago(2000)),
        "long": make_item(
            session,
            world,
            case_id=pending,
            category="drug",
            location_code="SEC-1",
            received_at=days_ago(400),
        ),
        "recent_pending": make_item(session, world, case_id=pending, received_at=days_ago(100)),
        "overdue": make_item(session, world, location_code="S1", received_at=days_ago(40)),
        "in_time": make_item(session, world, received_at=days_ago(10)),
        "judged": make_item(
            session, world, case_id=pending, disposition="confiscate", received_at=days_ago(3000)
        ),
        "unplaced": make_item(
            session, world, case_id=pending, location_code=None, received_at=days_ago(800)
        ),
        "destroyed": make_item(session, world, received_at=days_ago(500)),
    }
    session.execute(
        update(Item)
        .where(col(Item.id) == made["destroyed"].id)
        .values(status="destroyed", location_id=None)
    )
    session.commit()
    return made


def test_ageing_lists_items_past_the_thresholds_by_warehouse_and_category(client, world, session):
    made = make_aged(session, world)
    response = get(client, world, "/ageing")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["thresholds"] == {
        "long_days": 365,
        "very_long_days": 1825,
        "destruction_deadline_days": 30,
    }
    found = {
        a["code"]: (g["warehouse_code"], g["category"], a["reason"], a["age_days"])
        for g in report["groups"]
        for a in g["items"]
    }
    assert found == {
        made["very_long"].code: ("W1", "other", "no_judgment_very_long", 2000),
        made["long"].code: ("W1", "drug", "no_judgment_long", 400),
        made["overdue"].code: ("W1", "other", "destruction_overdue", 40),
        made["unplaced"].code: (None, "other", "no_judgment_long", 800),
    }
    assert report["totals"] == {
        "no_judgment_very_long": 1,
        "no_judgment_long": 2,
        "destruction_overdue": 1,
    }
    groups = [(g["warehouse_code"], g["category"], g["count"]) for g in report["groups"]]
    assert groups == [("W1", "drug", 1), ("W1", "other", 2), (None, "other", 1)]
    w1_other = report["groups"][1]
    assert [a["code"] for a in w1_other["items"]] == [made["very_long"].code, made["overdue"].code]
    assert w1_other["by_reason"]["destruction_overdue"] == 1
    overdue = w1_other["items"][1]
    assert overdue["location_code"] == "S1" and overdue["threshold_days"] == 30
    assert "10 day(s) after the 30-day deadline" in overdue["message"]


def test_ageing_thresholds_come_from_query_or_settings(app, client, world, session):
    made = make_aged(session, world)

    def codes(**params: Any) -> set[str]:
        response = get(client, world, "/ageing", **params)
        assert response.status_code == 200, response.text
        return {a["code"] for g in response.json()["groups"] for a in g["items"]}

    assert made["recent_pending"].code in codes(long_days=50)
    assert made["in_time"].code in codes(destruction_deadline_days=5)
    assert made["overdue"].code not in codes(destruction_deadline_days=60)
    assert get(client, world, "/ageing", long_days=0).status_code == 422

    app.state.settings = Settings(demo=True, database_url="sqlite://", ageing_long_days=90)
    assert made["recent_pending"].code in codes()
    assert codes(warehouse_code="W2") == set()


def test_ageing_is_scoped_and_has_csv(client, world, session):
    make_aged(session, world)
    assert get(client, world, "/ageing", user="other-manager").json()["groups"] == []
    data = get(client, world, "/ageing").json()
    response = get(client, world, "/ageing", format="csv")
    assert response.status_code == 200 and response.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == reports.AGEING_CSV_COLUMNS
    expected = [(g, a) for g in data["groups"] for a in g["items"]]
    assert len(rows) == len(expected) == 4
    for row, (g, a) in zip(rows, expected, strict=True):
        assert (row["warehouse_code"] or None) == g["warehouse_code"]
        assert row["category"] == g["category"]
        assert row["item_code"] == a["code"]
        assert int(row["age_days"]) == a["age_days"]
        assert row["reason"] == a["reason"]
        assert (row["location_code"] or None) == a["location_code"]


def test_migration_backfills_usage_from_existing_items(session, world):
    """The 0003 backfill statement computes the same as the triggers did."""
    fill(session, world)
    kept = {
        (u.location_id, u.category, bool(u.destroy)): u.item_count
        for u in session.exec(select(LocationUsage)).all()
        if u.item_count
    }
    rows = session.execute(
        text(
            "SELECT location_id, category, disposition = 'destroy', COUNT(*) FROM items "
            "WHERE status IN ('stored', 'pending_destruction') AND location_id IS NOT NULL "
            "GROUP BY location_id, category, disposition = 'destroy'"
        )
    ).all()
    assert kept == {(r[0], r[1], bool(r[2])): r[3] for r in rows}
