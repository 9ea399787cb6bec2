"""The evidence ledger (sổ theo dõi vật chứng) of a warehouse for a period: every item
received in it, in the official layout, as XLSX or PDF."""

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from .. import pdfdoc
from ..auth import agency_scope
from ..custody import EventType
from ..locations import get_warehouse
from ..models import Case, CustodyEvent, Item, Location, User
from .common import (
    DISPOSITION_VI,
    SEAL_VI,
    STATUS_VI,
    day_start,
    local_day,
    unit_vi,
)
from .stable import pdf_landscape, workbook_bytes

HEADERS = [
    "STT",
    "Mã vật chứng",
    "Tên vật chứng",
    "Số lượng",
    "ĐVT",
    "Trọng lượng (kg)",
    "Bản án",
    "Ngày nhập kho",
    "Vị trí",
    "Tình trạng",
    "Ngày xuất/xử lý",
    "Ghi chú",
]
WIDTHS = [6, 16, 40, 10, 8, 14, 18, 13, 12, 26, 14, 40]
OUT_EVENTS = (EventType.destruction, EventType.release, EventType.transfer, EventType.check_out)


class LedgerLine(BaseModel):
    number: int
    code: str
    description: str
    quantity: float
    unit: str
    net_weight_kg: float | None
    judgment_number: str
    received_on: date
    location_code: str | None
    status: str
    status_vi: str
    out_on: date | None
    notes: str


class Ledger(BaseModel):
    warehouse_code: str | None
    warehouse_name: str | None
    date_from: date | None
    date_to: date | None
    lines: list[LedgerLine]
    total_items: int
    total_weight_kg: float


def ledger(
    session: Session,
    actor: User,
    warehouse_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Ledger:
    """Items received from ``date_from`` to ``date_to`` (days in Vietnam, both included). An
    item belongs to the warehouse holding it, or, once it has left, the last one that did."""
    warehouse = get_warehouse(session, warehouse_code, actor) if warehouse_code else None
    last_place = (
        select(CustodyEvent.item_id, func.max(CustodyEvent.seq).label("seq"))
        .where(col(CustodyEvent.to_location_id).is_not(None))
        .group_by(col(CustodyEvent.item_id))
        .subquery()
    )
    placed = (
        select(CustodyEvent.item_id, CustodyEvent.to_location_id)
        .join(
            last_place,
            and_(
                last_place.c.item_id == CustodyEvent.item_id, last_place.c.seq == CustodyEvent.seq
            ),
        )
        .subquery()
    )
    where_loc = func.coalesce(Item.location_id, placed.c.to_location_id)
    query = (
        select(Item, Case.judgment_number, Location.code, Location.warehouse_id)
        .join(Case, col(Case.id) == Item.case_id)
        .outerjoin(placed, placed.c.item_id == Item.id)
        .outerjoin(Location, col(Location.id) == where_loc)
        .where(col(Item.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(Item.received_at), col(Item.code))
    )
    if warehouse is not None:
        query = query.where(col(Location.warehouse_id) == warehouse.id)
    if date_from is not None:
        query = query.where(col(Item.received_at) >= day_start(date_from))
    if date_to is not None:
        query = query.where(col(Item.received_at) < day_start(date_to) + _ONE_DAY)
    rows = session.exec(query).all()
    out_dates = _out_dates(session, [r[0].id for r in rows])
    lines = []
    total_g = 0.0
    for n, (item, judgment, location_code, _) in enumerate(rows, start=1):
        total_g += item.net_weight_g or 0.0
        notes = [
            f"Niêm phong {item.seal_number}: {SEAL_VI.get(item.seal_state, '')}"
            if item.seal_number
            else SEAL_VI.get(item.seal_state, "").capitalize(),
            f"Hướng xử lý: {DISPOSITION_VI.get(item.disposition, item.disposition)}",
        ]
        if item.condition:
            notes.append(item.condition)
        if item.external_ref and not item.external_ref.startswith("#"):
            notes.append(f"Số thứ tự sổ cũ: {item.external_ref}")
        lines.append(
            LedgerLine(
                number=n,
                code=item.code,
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                net_weight_kg=round(item.net_weight_g / 1000, 6) if item.net_weight_g else None,
                judgment_number=judgment,
                received_on=local_day(item.received_at),
                location_code=location_code,
                status=item.status,
                status_vi=STATUS_VI.get(item.status, item.status),
                out_on=out_dates.get(item.id) if item.status in _OUT_STATUSES else None,  # type: ignore[arg-type]
                notes="; ".join(notes),
            )
        )
    return Ledger(
        warehouse_code=warehouse.code if warehouse else None,
        warehouse_name=warehouse.name if warehouse else None,
        date_from=date_from,
        date_to=date_to,
        lines=lines,
        total_items=len(lines),
        total_weight_kg=round(total_g / 1000, 6),
    )


_OUT_STATUSES = frozenset({"destroyed", "released", "transferred", "checked_out"})
_ONE_DAY = timedelta(days=1)


def _out_dates(session: Session, ids: list[Any]) -> dict[int, date]:
    found: dict[int, date] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        rows = session.exec(
            select(CustodyEvent.item_id, func.max(CustodyEvent.occurred_at))
            .where(col(CustodyEvent.item_id).in_(part))
            .where(or_(*(col(CustodyEvent.event_type) == str(e) for e in OUT_EVENTS)))
            .group_by(col(CustodyEvent.item_id))
        ).all()
        for item_id, at in rows:
            found[item_id] = local_day(at)
    return found


def _title(data: Ledger) -> str:
    where = f"Kho {data.warehouse_code} – {data.warehouse_name}" if data.warehouse_code else ""
    span = ""
    if data.date_from or data.date_to:
        start = f"{data.date_from:%d/%m/%Y}" if data.date_from else "…"
        end = f"{data.date_to:%d/%m/%Y}" if data.date_to else "…"
        span = f"từ ngày {start} đến ngày {end}"
    return " ".join(p for p in ("SỔ THEO DÕI VẬT CHỨNG", where, span) if p)


def _cells(line: LedgerLine) -> list[Any]:
    return [
        line.number,
        line.code,
        line.description,
        line.quantity,
        unit_vi(line.unit),
        line.net_weight_kg,
        line.judgment_number,
        line.received_on.strftime("%d/%m/%Y"),
        line.location_code or "",
        line.status_vi,
        line.out_on.strftime("%d/%m/%Y") if line.out_on else "",
        line.notes,
    ]


def ledger_xlsx(data: Ledger) -> bytes:
    rows: list[list[Any]] = [HEADERS]
    rows += [_cells(line) for line in data.lines]
    rows.append(
        [
            "",
            "Tổng cộng",
            f"{data.total_items} vật chứng",
            "",
            "",
            data.total_weight_kg,
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    stamp = day_start(data.date_to or data.date_from or date(2000, 1, 1))
    return workbook_bytes([("Sổ vật chứng", rows, WIDTHS)], _title(data), stamp)


def ledger_pdf(data: Ledger) -> bytes:
    widths = [10, 24, 42, 13, 11, 16, 25, 22, 16, 27, 21, 46]
    body = [[str(c) if c is not None else "" for c in _cells(line)] for line in data.lines]
    body.append(
        [
            "",
            "Tổng cộng",
            f"{data.total_items} vật chứng",
            "",
            "",
            f"{data.total_weight_kg:g}",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    story = [
        pdfdoc.para(_title(data), "title"),
        pdfdoc.spacer(),
        pdfdoc.table(HEADERS, body, widths),
        pdfdoc.spacer(8),
        pdfdoc.signatures([("Người lập sổ", ""), ("Thủ trưởng cơ quan", "")]),
    ]
    return pdf_landscape(story, _title(data))
