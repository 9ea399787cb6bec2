"""The destruction planner: which items to destroy next, grouped into batches one council can
take, and what each batch would free, cost the air and save at a licensed facility.

Eligible: an item in storage (not checked out, not waiting for a release or transfer), whose
disposition is destroy, whose case has an enforcement decision (THADS decides only on a
judgment in force: the final judgment), not in an open batch, with no request of the
two-person rule pending on it (``items/approvals``). Nothing else is ever proposed.

A proposal is one warehouse's eligible items of one material group (compatible by
construction: fireworks never go with chemicals). Proposals are ordered by their earliest
legal deadline (the council's, ``legal/gather``; none last), then by how full their fullest
location is; the items within by deadline, then location fullness.

For each proposal: the space freed per location and in all, the warehouse's "full on" date
before and after (``reports.forecast.project`` on the forecast's own numbers), the nearest
licensed facility that accepts the group and its estimated road distance, and the releases by
the usual local method against the licensed alternatives (``estimate``)."""

from collections import defaultdict
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..custody import lock_for_write
from ..destruction.schemas import AddItemsRequest, BatchCreate
from ..destruction.workflow import add_items, create_batch
from ..errors import Conflict, NotFound
from ..legal.gather import first_decisions, gather
from ..legal.holidays import local_today
from ..models import (
    Agency,
    Approval,
    ApprovalStatus,
    DestructionBatch,
    DestructionItem,
    Disposition,
    Item,
    ItemStatus,
    Location,
    User,
    Warehouse,
)
from ..reports import capacity_forecast, capacity_report
from ..reports.forecast import MEASURES, project
from .estimate import EstimatedReleases, Line, estimate
from .facilities import Distance, FacilityPublic, facilities, nearest, sites
from .factors import load_factors


class PlannedItem(BaseModel):
    code: str
    category: str
    description: str
    location_code: str
    net_weight_kg: float
    volume_l: float
    due_on: date | None = Field(description="the council's legal deadline, if started")
    location_fullness_pct: float | None


class FreedSpace(BaseModel):
    location_code: str
    items: int
    net_weight_kg: float
    volume_l: float


class FullOn(BaseModel):
    measure: str
    full_on: date | None
    full_on_after: date | None
    state_after: str


class Proposal(BaseModel):
    id: str = Field(description="warehouse code and material group: pass it to create the batch")
    warehouse_code: str
    agency_code: str
    material_group: str
    material_group_name: str
    usual_method: str
    usual_method_source: str
    earliest_due_on: date | None
    items: list[PlannedItem]
    freed_by_location: list[FreedSpace]
    freed_total: FreedSpace
    full_on: list[FullOn]
    warehouse_full_on: date | None
    warehouse_full_on_after: date | None
    facility: FacilityPublic | None
    distance: Distance | None
    estimated_releases: EstimatedReleases


class Plan(BaseModel):
    as_of: date
    warehouse_code: str | None
    province: str | None
    order_of_magnitude: bool = True
    proposals: list[Proposal]


def _blocked(session: Session, item_ids: list[int]) -> set[int]:
    """Items in an open batch or with a pending two-person request."""
    if not item_ids:
        return set()
    in_batch = session.exec(
        select(DestructionItem.item_id).where(
            col(DestructionItem.open), col(DestructionItem.item_id).in_(item_ids)
        )
    ).all()
    asked = session.exec(
        select(Approval.item_id).where(
            Approval.status == ApprovalStatus.pending.value, col(Approval.item_id).in_(item_ids)
        )
    ).all()
    return set(in_batch) | set(asked)


def _fullness(session: Session, actor: User, warehouse_code: str | None) -> dict[str, float]:
    out = {}
    for w in capacity_report(session, actor, warehouse_code).warehouses:
        for loc in w.locations:
            shares = [getattr(loc, m).percent for m in MEASURES]
            known = [s for s in shares if s is not None]
            if known:
                out[loc.code] = max(known)
    return out


def _council_due(session: Session, scope: list[int], today: date) -> dict[str, date]:
    due: dict[str, date] = {}
    for e in gather(session, scope, None, today, with_agency_duties=False):
        if e.subject == "item" and e.item_code and e.computed.deadline.id == "council":
            due[e.item_code] = min(due.get(e.item_code, e.computed.due_on), e.computed.due_on)
    return due


def plan(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    province: str | None = None,
    today: date | None = None,
) -> Plan:
    today = today or local_today()
    scope = list(agency_scope(session, actor))
    site_of = sites(session, actor)
    warehouses = session.exec(
        select(Warehouse).where(col(Warehouse.agency_id).in_(scope)).order_by(col(Warehouse.code))
    ).all()
    if warehouse_code is not None and warehouse_code not in {w.code for w in warehouses}:
        raise NotFound(
            f"warehouse {warehouse_code} not found",
            key="keysb_locations.no_warehouse",
            params={"code": warehouse_code},
        )
    chosen = [
        w
        for w in warehouses
        if (warehouse_code is None or w.code == warehouse_code)
        and (province is None or (site_of.get(w.code) and site_of[w.code].province == province))
    ]
    rows = session.exec(
        select(Item, Location.code, Warehouse.code)
        .join(Location, col(Location.id) == Item.location_id)
        .join(Warehouse, col(Warehouse.id) == Location.warehouse_id)
        .where(col(Warehouse.id).in_([w.id for w in chosen]))
        .where(Item.status == ItemStatus.stored.value)
        .where(Item.disposition == Disposition.destroy.value)
        .order_by(col(Item.code))
    ).all()
    decided = first_decisions(session, {item.case_id for item, _, _ in rows})
    blocked = _blocked(session, [item.id for item, _, _ in rows if item.id is not None])
    eligible = [
        (item, loc, wh)
        for item, loc, wh in rows
        if item.case_id in decided and item.id not in blocked
    ]
    table = load_factors()
    due = _council_due(session, scope, today)
    fullness = _fullness(session, actor, warehouse_code)
    forecast = {w.code: w for w in capacity_forecast(session, actor).warehouses}
    paths = dict(session.exec(select(Location.code, Location.path)).all())
    agencies = {w.code: w.agency_id for w in chosen}
    codes_of = dict(session.exec(select(Agency.id, Agency.code)).all())
    all_facilities = facilities(session)
    groups: dict[tuple[str, str], list[tuple[Item, str]]] = defaultdict(list)
    for item, loc, wh in eligible:
        groups[(wh, table.group_of(item.category, list(item.hazard_classes)).id)].append(
            (item, loc)
        )
    proposals = []
    for (wh, group_id), members in groups.items():
        group = next(g for g in table.groups if g.id == group_id)
        members.sort(
            key=lambda m: (
                due.get(m[0].code) or date.max,
                -(fullness.get(m[1]) or 0.0),
                m[0].code,
            )
        )
        planned = [
            PlannedItem(
                code=item.code,
                category=item.category,
                description=item.description,
                location_code=loc,
                net_weight_kg=round((item.net_weight_g or 0.0) / 1000, 6),
                volume_l=item.volume_l or 0.0,
                due_on=due.get(item.code),
                location_fullness_pct=fullness.get(loc),
            )
            for item, loc in members
        ]
        by_loc: dict[str, FreedSpace] = {}
        for p in planned:
            f = by_loc.setdefault(
                p.location_code,
                FreedSpace(location_code=p.location_code, items=0, net_weight_kg=0, volume_l=0),
            )
            f.items += 1
            f.net_weight_kg = round(f.net_weight_kg + p.net_weight_kg, 6)
            f.volume_l = round(f.volume_l + p.volume_l, 6)
        total = FreedSpace(
            location_code="",
            items=len(planned),
            net_weight_kg=round(sum(p.net_weight_kg for p in planned), 6),
            volume_l=round(sum(p.volume_l for p in planned), 6),
        )
        full_on = []
        wf = forecast.get(wh)
        for m in wf.measures if wf else []:
            if m.capacity is None:
                continue
            prefixes = [paths[c] for c in m.capped_locations if c in paths]
            freed = 0.0
            for p in planned:
                path = paths.get(p.location_code, "")
                if any(path.startswith(x) for x in prefixes):
                    freed += {
                        "items": 1.0,
                        "net_weight_kg": p.net_weight_kg,
                        "volume_l": p.volume_l,
                    }[m.measure]
            after = project(m.exact_capacity, m.exact_used, m.exact_net_per_day, today, freed)
            full_on.append(
                FullOn(
                    measure=m.measure,
                    full_on=m.full_on,
                    full_on_after=after.full_on,
                    state_after=after.state,
                )
            )
        site = site_of.get(wh)
        facility, dist = nearest(site, {group_id}, all_facilities)
        lines = [
            Line(item.code, item.category, list(item.hazard_classes), item.net_weight_g)
            for item, _ in members
        ]
        before = [f.full_on for f in full_on if f.full_on]
        after_dates = [f.full_on_after for f in full_on if f.full_on_after]
        proposals.append(
            Proposal(
                id=f"{wh}:{group_id}",
                warehouse_code=wh,
                agency_code=codes_of.get(agencies[wh], ""),
                material_group=group_id,
                material_group_name=group.name_vi,
                usual_method=group.usual_method,
                usual_method_source=group.usual_source,
                earliest_due_on=min((p.due_on for p in planned if p.due_on), default=None),
                items=planned,
                freed_by_location=sorted(by_loc.values(), key=lambda f: f.location_code),
                freed_total=total,
                full_on=full_on,
                warehouse_full_on=min(before, default=None),
                warehouse_full_on_after=min(after_dates, default=None),
                facility=facility,
                distance=dist,
                estimated_releases=estimate(lines, group.usual_method, table),
            )
        )
    proposals.sort(
        key=lambda p: (
            p.earliest_due_on or date.max,
            -max((i.location_fullness_pct or 0.0 for i in p.items), default=0.0),
            p.id,
        )
    )
    return Plan(as_of=today, warehouse_code=warehouse_code, province=province, proposals=proposals)


class PlanBatchCreate(BaseModel):
    proposal_id: str = Field(min_length=3, max_length=100, examples=["KHO-LS1:drugs_plant"])
    title: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=4000)


def create_from_plan(
    session: Session, data: PlanBatchCreate, actor: User, title: str
) -> DestructionBatch:
    """The draft batch of one proposal, as the planner proposes it now (read under the write
    lock): the same checks as adding items by hand then apply (``destruction.workflow``)."""
    require(actor, "prepare_destruction")
    lock_for_write(session)
    warehouse_code = data.proposal_id.split(":", 1)[0]
    current = plan(session, actor, warehouse_code)
    proposal = next((p for p in current.proposals if p.id == data.proposal_id), None)
    if proposal is None:
        raise Conflict(
            f"no proposal '{data.proposal_id}' now: ask for the plan again",
            key="keysb_environment.proposal_gone",
        )
    batch = create_batch(
        session,
        BatchCreate(title=data.title or title, notes=data.notes, agency_code=proposal.agency_code),
        actor,
    )
    assert batch.id is not None
    return add_items(
        session, batch.id, AddItemsRequest(codes=[i.code for i in proposal.items]), actor
    )
