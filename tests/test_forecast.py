"""The capacity forecast: when a warehouse is full at its 90-day net intake rate."""

import math
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from evidence_service import destruction
from evidence_service.demo import seed_demo
from evidence_service.models import User
from evidence_service.reports import capacity_forecast, capacity_report, project
from evidence_service.reports.forecast import capped_locations
from tests.factories import make_item

TODAY = date(2026, 3, 1)


def test_project_divides_the_free_space_by_the_net_daily_rate():
    p = project(100, 40, 2, TODAY)
    assert (p.state, p.days_left, p.full_on) == ("filling", 30.0, date(2026, 3, 31))


def test_project_rounds_a_partial_day_up_to_the_day_it_is_full():
    assert project(10, 0, 3, TODAY).full_on == date(2026, 3, 5)  # 3.33 days


def test_project_at_or_over_the_limit_is_full_now():
    assert project(10, 10, 0, TODAY) == project(10, 12, 5, TODAY)
    assert project(10, 12, 5, TODAY).state == "full"
    assert project(10, 12, 5, TODAY).full_on == TODAY


def test_project_with_no_growth_or_no_limit_has_no_date():
    assert project(10, 5, 0, TODAY).state == "stable"
    assert project(10, 5, -1, TODAY).full_on is None
    assert project(None, 5, 1, TODAY).state == "no_limit"


def test_project_counts_what_destruction_frees():
    assert project(100, 100, 2, TODAY, freed=20).days_left == 10.0
    assert project(100, 100, 2, TODAY).state == "full"


def test_capped_locations_are_the_highest_with_an_effective_limit(session, world):
    (w1,) = [
        w for w in capacity_report(session, world.users["manager"]).warehouses if w.code == "W1"
    ]
    # R1 has no item limit and only one of its shelves has one: S1 alone counts.
    assert [loc.code for loc in capped_locations(w1.locations, "items")] == ["S1"]
    # R2 has its own weight limit: its shelf F1 is inside it.
    assert [loc.code for loc in capped_locations(w1.locations, "net_weight_kg")] == ["R2"]
    assert capped_locations(w1.locations, "volume_l") == []


def _w1(report):
    return next(w for w in report.warehouses if w.code == "W1")


def test_forecast_uses_the_net_intake_of_the_window(session, world):
    make_item(session, world, location_code="S1")
    make_item(session, world, location_code="F1", net_weight_g=10_000.0, gross_weight_g=11_000.0)
    now = datetime.now(UTC)
    w1 = _w1(capacity_forecast(session, world.users["manager"], 90, now))
    items = next(m for m in w1.measures if m.measure == "items")
    assert (items.capacity, items.used, items.moved_in, items.moved_out) == (2, 1, 1, 0)
    assert items.days_left == 90.0 and items.full_on == now.date() + timedelta(days=90)
    weight = next(m for m in w1.measures if m.measure == "net_weight_kg")
    assert (weight.capacity, weight.used, weight.moved_in) == (100, 10, 10)
    assert weight.days_left == 810.0
    volume = next(m for m in w1.measures if m.measure == "volume_l")
    assert volume.state == "no_limit" and volume.full_on is None
    assert w1.full_on == items.full_on  # the earliest measure
    assert (w1.items_in, w1.items_out) == (2, 0)


def test_moves_out_of_the_capped_space_count_against_the_rate(session, world):
    from evidence_service.items import move_items

    a = make_item(session, world, location_code="S1")
    make_item(session, world, location_code="S1")
    move_items(session, [a.code], "S2", world.users["keeper"], reason="sắp xếp")
    session.commit()
    w1 = _w1(capacity_forecast(session, world.users["manager"]))
    items = next(m for m in w1.measures if m.measure == "items")
    assert (items.moved_in, items.moved_out, items.used) == (2, 1, 1)
    assert items.net_per_day == round(1 / 90, 4)


def test_events_before_the_window_do_not_count(session, world):
    make_item(session, world, location_code="S1")
    later = datetime.now(UTC) + timedelta(days=91)
    items = _w1(capacity_forecast(session, world.users["manager"], 90, later)).measures[0]
    assert (items.moved_in, items.state, items.full_on) == (0, "stable", None)


def test_open_destruction_batches_free_space_in_the_forecast(session, world):
    item = make_item(session, world, location_code="S1")
    manager = world.users["manager"]
    batch = destruction.create_batch(session, destruction.BatchCreate(title="Đợt 1"), manager)
    assert batch.id is not None
    destruction.add_items(
        session, batch.id, destruction.AddItemsRequest(codes=[item.code]), manager
    )
    session.commit()
    w1 = _w1(capacity_forecast(session, manager))
    items = w1.measures[0]
    assert items.freed_by_batches == 1
    assert items.days_left == 90.0 and items.days_left_after_batches == 180.0
    assert w1.open_batches == [batch.number] and w1.freed_items == 1


def test_forecast_sees_only_the_actors_warehouses(session, world):
    codes = {w.code for w in capacity_forecast(session, world.users["other-manager"]).warehouses}
    assert codes == {"W9"}


def test_demo_forecast_counts_a_parent_by_its_childrens_limits(session):
    """LS1-P1 (no limit, shelves of 40 and 3) and LS1-AT (none; 100 and 200): 343 items."""
    seed_demo(session)
    session.flush()
    manager = session.exec(select(User).where(User.username == "demo-manager")).one()
    now = datetime.now(UTC)
    report = capacity_forecast(session, manager, 90, now)
    ls1 = next(w for w in report.warehouses if w.code == "KHO-LS1")
    items = next(m for m in ls1.measures if m.measure == "items")
    assert sorted(items.capped_locations) == ["LS1-AT", "LS1-P1"]
    assert items.capacity == 40 + 3 + 100 + 200
    assert 0 < items.used < items.capacity * 0.2
    assert items.state == "filling"
    assert items.net_per_day == round(items.used / 90, 4)  # every demo item came in this window
    days = math.ceil((items.capacity - items.used) / (items.used / 90))
    assert items.full_on == now.date() + timedelta(days=days)
    assert all(m.state != "full" for w in report.warehouses for m in w.measures)
