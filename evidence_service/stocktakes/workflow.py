"""Stocktakes (kiểm kê): count by scanning, compare with the records, open discrepancies.

What the records said is snapshotted when the count starts; each scan is recorded; closing
computes one outcome per item, writes a custody event per item, and freezes the session.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from .. import payload
from ..auth import agency_scope, require
from ..custody import EventType, NewEvent, lock_for_write
from ..db import keep_when_refused
from ..errors import Invalid, InvalidTransition, NotFound
from ..items import FINAL_STATUSES, ON_SHELF
from ..items.lifecycle import update_items
from ..locations import get_location, get_warehouse
from ..models import (
    Checkout,
    Discrepancy,
    DiscrepancyKind,
    Item,
    ItemStatus,
    Location,
    Outcome,
    SealState,
    Stocktake,
    StocktakeExpected,
    StocktakeKind,
    StocktakeLine,
    StocktakeScan,
    StocktakeScope,
    User,
)
from ..people import require_distinct
from .discrepancies import working_days_after
from .scan_notes import earlier_scans, recorded_elsewhere


class StocktakeCreate(BaseModel):
    scope: StocktakeScope
    kind: StocktakeKind = StocktakeKind.spot_check
    warehouse_code: str
    location_code: str | None = Field(default=None, description="for scope 'location'")
    sample_size: int | None = Field(default=None, ge=1, le=10_000, description="scope 'sample'")


class StocktakeScanRequest(BaseModel):
    payload: str = Field(max_length=500)
    seal_state: SealState | None = Field(default=None, description="what the keeper saw")
    quantity_found: float | None = Field(
        default=None, ge=0, le=1e9, description="the quantity counted, if not the recorded one"
    )
    condition: str | None = Field(default=None, max_length=500, description="as seen")


class Signers(BaseModel):
    """Three different people sign a count (Circular 04/2023 Art. 11(4)): compared after
    Unicode, case and whitespace folding (``people.py``)."""

    keeper: str = Field(min_length=1, max_length=200, description="thủ kho")
    accountant: str = Field(min_length=1, max_length=200, description="kế toán")
    head: str = Field(min_length=1, max_length=200, description="thủ trưởng đơn vị")
    # Each signer's position as printed on the record ("participants with their positions",
    # Circular 04/2023 Art. 11(4); vn-legal-context §3.6, §7); blank: the role's title.
    keeper_position: str = Field(default="", max_length=200, description="chức vụ thủ kho")
    accountant_position: str = Field(default="", max_length=200, description="chức vụ kế toán")
    head_position: str = Field(
        default="", max_length=200, description="chức vụ thủ trưởng (hoặc người được ủy quyền)"
    )

    def check_people(self) -> None:
        require_distinct([self.keeper, self.accountant, self.head], "signers")


class StocktakeStatus(BaseModel):
    id: int
    scope: str
    kind: str
    status: str
    warehouse_id: int
    location_code: str | None
    started_at: datetime
    closed_at: datetime | None
    expected: int
    seen_expected: int
    remaining: int
    unexpected: int
    counts: dict[str, Any]


# What a scan answers besides its own result: how the count stands now.
_RUNNING_COUNTS = {"expected", "seen_expected", "remaining", "unexpected"}


def _get(session: Session, stocktake_id: int, actor: User) -> Stocktake:
    stocktake = session.get(Stocktake, stocktake_id)
    if stocktake is None or stocktake.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"stocktake {stocktake_id} not found",
            key="keysa_stocktake.not_found",
            params={"id": stocktake_id},
        )
    return stocktake


def start(session: Session, data: StocktakeCreate, actor: User) -> Stocktake:
    require(actor, "stocktake")
    lock_for_write(session, actor.agency_id)
    warehouse = get_warehouse(session, data.warehouse_code, actor)
    within = None
    if data.scope == StocktakeScope.location:
        if not data.location_code:
            raise Invalid(
                "location_code",
                "a location stocktake needs its location",
                key="keysa_stocktake.location_needed",
            )
        within = get_location(session, data.location_code, actor)
        if within.warehouse_id != warehouse.id:
            raise Invalid(
                "location_code",
                "the location is in another warehouse",
                key="keysa_stocktake.other_warehouse",
                params={"location": within.code},
            )
    if data.scope == StocktakeScope.sample and not data.sample_size:
        raise Invalid(
            "sample_size",
            "a sample stocktake needs its sample size",
            key="keysa_stocktake.sample_size",
        )
    assert warehouse.id is not None and actor.id is not None
    stocktake = Stocktake(
        agency_id=warehouse.agency_id,
        warehouse_id=warehouse.id,
        location_id=within.id if within else None,
        scope=data.scope.value,
        kind=data.kind.value,
        sample_size=data.sample_size,
        started_by_id=actor.id,
    )
    session.add(stocktake)
    session.flush()
    in_scope = col(Location.warehouse_id) == warehouse.id
    if within is not None:
        in_scope = col(Location.path).startswith(within.path)
    on_shelf = (
        select(Item.id, Item.location_id, Item.status)
        .join(Location, col(Location.id) == Item.location_id)
        .where(in_scope, col(Item.status).in_(ON_SHELF))
    )
    if data.scope == StocktakeScope.sample:
        on_shelf = on_shelf.order_by(func.random()).limit(data.sample_size)
        rows = list(session.execute(on_shelf).all())
    else:
        away = (
            select(Item.id, Checkout.from_location_id, Item.status)
            .join(Checkout, col(Checkout.item_id) == Item.id)
            .join(Location, col(Location.id) == Checkout.from_location_id)
            .where(in_scope, col(Checkout.returned_at).is_(None))
        )
        rows = list(session.execute(on_shelf).all()) + list(session.execute(away).all())
    if rows:
        session.execute(
            insert(StocktakeExpected),
            [
                {"stocktake_id": stocktake.id, "item_id": i, "location_id": loc, "status": status}
                for i, loc, status in rows
            ],
        )
    return stocktake


def _open(session: Session, stocktake_id: int, actor: User) -> Stocktake:
    require(actor, "stocktake")
    lock_for_write(session, actor.agency_id)
    stocktake = _get(session, stocktake_id, actor)
    if stocktake.status != "open":
        raise InvalidTransition(
            f"stocktake {stocktake_id} is closed",
            key="keysa_stocktake.closed",
            params={"id": stocktake_id},
        )
    return stocktake


def record_scan(
    session: Session, stocktake_id: int, data: StocktakeScanRequest, actor: User
) -> dict[str, Any]:
    """Record one scan. A damaged label is recorded too, then refused (422)."""
    stocktake = _open(session, stocktake_id, actor)
    scan = StocktakeScan(
        stocktake_id=stocktake_id,
        raw=data.payload[:500],
        kind="damaged",
        scanned_by_id=actor.id,  # type: ignore[arg-type]
        seal_state=data.seal_state,
        quantity_found=data.quantity_found,
        condition=(data.condition or "").strip() or None,
    )
    keep_when_refused(session, scan)
    try:
        scanned = payload.parse_scan(data.payload)
    except payload.PayloadError as exc:
        damaged = isinstance(exc, payload.DamagedPayload)
        raise Invalid(
            "payload",
            f"{exc} / {exc.message_vi}",
            data.payload,
            key="scan.damaged_label" if damaged else "scan.not_a_label",
        ) from None
    result: dict[str, Any] = {}
    if scanned.kind == "location":
        location = session.exec(select(Location).where(Location.label_key == scanned.key)).first()
        if location is None or location.warehouse_id != stocktake.warehouse_id:
            scan.kind = "unknown_location"
            raise NotFound(
                "this location label is not in the warehouse being counted",
                key="keysa_stocktake.location_elsewhere",
            )
        scan.kind, scan.location_id = "location", location.id
        result = {"result": "location", "location_code": location.code}
    else:
        scan.at_location_id = _standing_at(session, stocktake_id, actor)
        item = session.exec(select(Item).where(Item.label_key == scanned.key)).first()
        expected = (
            item is not None
            and session.exec(
                select(StocktakeExpected.id).where(
                    StocktakeExpected.stocktake_id == stocktake_id,
                    StocktakeExpected.item_id == item.id,
                )
            ).first()
            is not None
        )
        if item is None or item.agency_id not in agency_scope(session, actor):
            scan.kind = "unknown_item"
            result = {"result": "unknown_label"}
        else:
            assert item.id is not None
            repeat = earlier_scans(session, stocktake_id, item.id)
            elsewhere = recorded_elsewhere(session, item, scan.at_location_id)
            scan.kind, scan.item_id = "item", item.id
            result = {"result": "expected" if expected else "unexpected", "item_code": item.code}
            result |= {"repeat": repeat, "recorded_at": elsewhere}
    session.flush()
    live = progress(session, stocktake)
    return {**result, **live.model_dump(include=_RUNNING_COUNTS)}


def _standing_at(session: Session, stocktake_id: int, actor: User) -> int | None:
    return session.exec(
        select(StocktakeScan.location_id)
        .where(StocktakeScan.stocktake_id == stocktake_id, StocktakeScan.scanned_by_id == actor.id)
        .where(StocktakeScan.kind == "location")
        .order_by(col(StocktakeScan.id).desc())
        .limit(1)
    ).first()


def progress(session: Session, stocktake: Stocktake) -> StocktakeStatus:
    expected = {
        i
        for i in session.exec(
            select(StocktakeExpected.item_id).where(
                StocktakeExpected.stocktake_id == stocktake.id,
                col(StocktakeExpected.status).in_(ON_SHELF),
            )
        ).all()
    }
    scans = session.exec(
        select(StocktakeScan.kind, StocktakeScan.item_id, StocktakeScan.raw).where(
            StocktakeScan.stocktake_id == stocktake.id
        )
    ).all()
    seen = {item_id for kind, item_id, _ in scans if kind == "item"}
    unknown = {raw.strip().upper() for kind, _, raw in scans if kind == "unknown_item"}
    location = session.get(Location, stocktake.location_id) if stocktake.location_id else None
    assert stocktake.id is not None
    return StocktakeStatus(
        id=stocktake.id,
        scope=stocktake.scope,
        kind=stocktake.kind,
        status=stocktake.status,
        warehouse_id=stocktake.warehouse_id,
        location_code=location.code if location else None,
        started_at=stocktake.started_at,
        closed_at=stocktake.closed_at,
        expected=len(expected),
        seen_expected=len(seen & expected),
        remaining=len(expected - seen),
        unexpected=len(seen - expected) + len(unknown),
        counts=stocktake.counts,
    )


def get_status(session: Session, stocktake_id: int, actor: User) -> StocktakeStatus:
    return progress(session, _get(session, stocktake_id, actor))


def close(
    session: Session, stocktake_id: int, signers: Signers, actor: User, discrepancy_days: int
) -> Stocktake:
    signers.check_people()
    stocktake = _open(session, stocktake_id, actor)
    assert stocktake.id is not None and actor.id is not None
    expected = {
        e.item_id: e
        for e in session.exec(
            select(StocktakeExpected).where(StocktakeExpected.stocktake_id == stocktake.id)
        ).all()
    }
    scans = session.exec(
        select(StocktakeScan)
        .where(StocktakeScan.stocktake_id == stocktake.id)
        .order_by(col(StocktakeScan.id))
    ).all()
    seen: dict[int, StocktakeScan] = {}
    broken: set[int] = set()
    for scan in scans:
        if scan.kind == "item" and scan.item_id is not None:
            seen[scan.item_id] = scan
            if scan.seal_state == SealState.broken:
                broken.add(scan.item_id)
    items = {
        i.id: i
        for i in session.exec(select(Item).where(col(Item.id).in_(set(expected) | set(seen)))).all()
    }
    paths = {
        loc.id: loc.path
        for loc in session.exec(
            select(Location).where(Location.warehouse_id == stocktake.warehouse_id)
        ).all()
    }

    def where_seen(item_id: int, recorded_location: int | None) -> Outcome:
        at = seen[item_id].at_location_id
        if at is None:  # scanned before any location label: where it stood is unknown
            return Outcome.unlocated
        if paths.get(recorded_location or -1, "").startswith(paths.get(at, "?")):
            return Outcome.verified
        return Outcome.misplaced

    def item_line(item_id: int, outcome: Outcome, expected_at: int | None) -> StocktakeLine:
        return StocktakeLine(
            stocktake_id=stocktake_id,
            item_id=item_id,
            outcome=outcome,
            expected_location_id=expected_at,
        )

    lines: list[StocktakeLine] = []
    for item_id, exp in expected.items():
        now_status = ItemStatus(items[item_id].status)
        if now_status in FINAL_STATUSES:
            continue  # left for good during the count (released, destroyed): not missing
        if exp.status == ItemStatus.checked_out or (
            now_status == ItemStatus.checked_out and item_id not in seen
        ):
            outcome = Outcome.unexpected if item_id in seen else Outcome.checked_out
        elif item_id in seen:
            outcome = where_seen(item_id, exp.location_id)
        else:
            outcome = Outcome.missing
        lines.append(item_line(item_id, outcome, exp.location_id))
    for item_id in seen.keys() - expected.keys():
        # In a sample, what was picked from the shelf is traced back to its record.
        outcome = (
            where_seen(item_id, items[item_id].location_id)
            if stocktake.scope == StocktakeScope.sample
            else Outcome.unexpected
        )
        lines.append(item_line(item_id, outcome, items[item_id].location_id))
    for raw in sorted({s.raw.strip() for s in scans if s.kind == "unknown_item"}):
        lines.append(
            StocktakeLine(stocktake_id=stocktake.id, label=raw, outcome=Outcome.unexpected)
        )
    for line in lines:
        if line.item_id in seen:
            line.seen_location_id = seen[line.item_id].at_location_id
            line.seal_state = seen[line.item_id].seal_state
            line.quantity_found = seen[line.item_id].quantity_found
            line.condition = seen[line.item_id].condition

    now = datetime.now(UTC)
    due = working_days_after(now, discrepancy_days)
    events, seals_found_broken, discrepancies = [], [], []
    for line in lines:
        if line.item_id is None or line.outcome == Outcome.checked_out:
            continue
        item = items[line.item_id]
        if ItemStatus(item.status) in FINAL_STATUSES:
            continue  # a label of an item that is gone: reported, but nothing changes it
        kind = EventType.stocktake_seen if line.item_id in seen else EventType.stocktake_missing
        if line.item_id in broken and item.seal_state != SealState.broken:
            seals_found_broken.append((item, {"seal_state": SealState.broken}))
        events.append(
            NewEvent(
                item_id=line.item_id,
                event_type=kind,
                actor_id=actor.id,
                to_location_id=line.seen_location_id,
                details={
                    "stocktake_id": stocktake.id,
                    "outcome": line.outcome,
                    "seal_state": line.seal_state,
                },
            )
        )
        for found_kind in _discrepancy_kinds(line, item, broken):
            discrepancies.append(
                {
                    "agency_id": stocktake.agency_id,
                    "stocktake_id": stocktake.id,
                    "item_id": line.item_id,
                    "kind": found_kind,
                    "due_at": due,
                }
            )
    # Executemany each (the ORM would insert row by row to learn ids nobody reads).
    for model, rows in (
        (StocktakeLine, [line.model_dump(exclude={"id"}) for line in lines]),
        (Discrepancy, discrepancies),
    ):
        if rows:
            session.execute(insert(model), rows)
    update_items(session, seals_found_broken, events)
    counts = Counter(str(line.outcome) for line in lines)
    stocktake.counts = {
        **{o.value: counts.get(o.value, 0) for o in Outcome},
        "seal_broken": len(broken),
        "short": sum(1 for d in discrepancies if d["kind"] == DiscrepancyKind.short),
    }
    stocktake.status, stocktake.closed_at, stocktake.closed_by_id = "closed", now, actor.id
    stocktake.signers = signers.model_dump()
    session.add(stocktake)
    session.flush()
    return stocktake


def _discrepancy_kinds(line: StocktakeLine, item: Item, broken: set[int]) -> list[DiscrepancyKind]:
    """What the count found wrong with an item, each to be explained and resolved: missing;
    else its seal not intact, and fewer found than the book says (the quantity is asked for
    only where the keeper counted it)."""
    if line.outcome == Outcome.missing:
        return [DiscrepancyKind.missing]
    kinds = [DiscrepancyKind.seal_broken] if line.item_id in broken else []
    if line.quantity_found is not None and line.quantity_found < item.quantity:
        kinds.append(DiscrepancyKind.short)
    return kinds


# How a line reads when it is not its outcome's plain words: an item on the book as checked
# out (trích xuất) yet scanned in the warehouse is "unexpected" (its return not recorded),
# but it is in the book, unlike a label the book does not know.
SEEN_WHILE_CHECKED_OUT = "seen_while_checked_out"


def checked_out_on_book(session: Session, stocktake_id: int) -> set[int]:
    """The items the book had as checked out when the count started (its snapshot)."""
    return set(
        session.exec(
            select(StocktakeExpected.item_id).where(
                StocktakeExpected.stocktake_id == stocktake_id,
                StocktakeExpected.status == ItemStatus.checked_out,
            )
        ).all()
    )


def shown_outcome(outcome: str, item_id: int | None, checked_out: set[int]) -> str:
    """The outcome as a reader is told it (``docs_stocktake.outcome_<value>``), or
    ``SEEN_WHILE_CHECKED_OUT``: an item of the book, recorded as checked out, found here."""
    if outcome == Outcome.unexpected and item_id is not None and item_id in checked_out:
        return SEEN_WHILE_CHECKED_OUT
    return str(Outcome(outcome).value)


def shown_counts(counts: dict[str, Any], shown: Iterable[str]) -> dict[str, Any]:
    """The closed count's ``counts`` as a reader is told them: the items of the book found
    while recorded as checked out (``shown``, each line's ``shown_outcome``) are not "not in
    the book" but counted apart, as ``SEEN_WHILE_CHECKED_OUT``."""
    present = sum(1 for s in shown if s == SEEN_WHILE_CHECKED_OUT)
    out = dict(counts)
    out[Outcome.unexpected.value] = counts.get(Outcome.unexpected.value, 0) - present
    out[SEEN_WHILE_CHECKED_OUT] = present
    return out


def lines(session: Session, stocktake_id: int, actor: User) -> list[dict[str, Any]]:
    stocktake = _get(session, stocktake_id, actor)
    codes = dict(session.execute(select(Location.id, Location.code)).all())
    rows = session.execute(
        select(StocktakeLine, Item.code, Item.description, Item.net_weight_g)
        .outerjoin(Item, col(Item.id) == StocktakeLine.item_id)
        .where(StocktakeLine.stocktake_id == stocktake.id)
        .order_by(col(StocktakeLine.outcome), col(Item.code))
    ).all()
    checked_out = checked_out_on_book(session, stocktake_id)
    return [
        {
            "item_code": code,
            "description": description,
            "net_weight_g": net_weight_g,
            "label": line.label,
            "outcome": line.outcome,
            "shown_outcome": shown_outcome(line.outcome, line.item_id, checked_out),
            "seal_state": line.seal_state,
            "expected_location_code": codes.get(line.expected_location_id),
            "seen_location_code": codes.get(line.seen_location_id),
        }
        for line, code, description, net_weight_g in rows
    ]
