"""Stocktakes (kiểm kê): start one, count by scanning with live counts, close it with the
three signers, read the result and its record; the discrepancies it opened, and their
resolution."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlmodel import col, select

from ... import documents, locations, scanning, stocktakes
from ...auth import agency_scope, require
from ...errors import DomainError, Invalid, NotFound
from ...models import (
    DiscrepancyStatus,
    Location,
    Outcome,
    SealState,
    Stocktake,
    StocktakeKind,
    StocktakeScope,
    Warehouse,
)
from ...stocktakes import record as stocktake_record
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical, wants_json
from ..forms import validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def recent(page: Page, limit: int = 50) -> list[dict[str, Any]]:
    """The latest stocktakes the user may see, with their warehouse and location codes."""
    rows = page.db.exec(
        select(Stocktake, Warehouse.code)
        .join(Warehouse, col(Warehouse.id) == Stocktake.warehouse_id)
        .where(col(Stocktake.agency_id).in_(agency_scope(page.db, page.me)))
        .order_by(col(Stocktake.id).desc())
        .limit(limit)
    ).all()
    ids = {s.location_id for s, _ in rows if s.location_id}
    codes = (
        dict(
            page.db.exec(select(Location.id, Location.code).where(col(Location.id).in_(ids))).all()
        )
        if ids
        else {}
    )
    return [
        {"stocktake": s, "warehouse_code": w, "location_code": codes.get(s.location_id)}
        for s, w in rows
    ]


def _render_list(page: Page, error: DomainError | None = None) -> Response:
    explained = explain(error, page.t) if error else None
    return page.render(
        "stocktakes.html",
        status_code=error.status_code if error else 200,
        stocktakes=recent(page),
        warehouses=locations.list_warehouses(page.db, page.me),
        scopes=list(StocktakeScope),
        kinds=list(StocktakeKind),
        open_discrepancies=len(stocktakes.discrepancies(page.db, page.me, False)),
        can_start=page.can("stocktake"),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        values=dict(page.form.items()),
    )


@router.get("/stocktakes")
def stocktake_list(page: UserPage) -> Response:
    return _render_list(page)


@router.post("/stocktakes")
def start(page: FormPage) -> Response:
    scope = page.field("scope")
    sample = page.field("sample_size")
    try:
        where = page.field("location_code") if scope == "location" else ""
        if where:
            where = scanning.resolve_ref(page.db, where, "location", "location_code")
        data = validate(
            stocktakes.StocktakeCreate,
            {
                "scope": scope,
                "kind": page.field("kind") or StocktakeKind.spot_check.value,
                "warehouse_code": page.field("warehouse_code"),
                "location_code": where or None,
                "sample_size": int(sample) if sample.isdigit() and scope == "sample" else None,
            },
        )
        stocktake = stocktakes.start(page.db, data, page.me)
    except DomainError as exc:
        page.db.rollback()
        return _render_list(page, exc)
    return page.redirect(f"/stocktakes/{stocktake.id}")


@router.get("/stocktakes/discrepancies")
def discrepancy_list(page: UserPage, all: bool = False) -> Response:
    return _render_discrepancies(page, all)


def _render_discrepancies(
    page: Page, include_resolved: bool, error: DomainError | None = None, open_id: int = 0
) -> Response:
    explained = explain(error, page.t) if error else None
    return page.render(
        "discrepancies.html",
        status_code=error.status_code if error else 200,
        discrepancies=stocktakes.discrepancies(page.db, page.me, include_resolved),
        include_resolved=include_resolved,
        resolutions=[s for s in DiscrepancyStatus if s != DiscrepancyStatus.open],
        can_resolve=page.can("stocktake"),
        done=page.request.query_params.get("done", ""),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        open_id=open_id,
        values=dict(page.form.items()),
    )


@router.post("/stocktakes/discrepancies/{discrepancy_id}/resolve")
def resolve(discrepancy_id: int, page: FormPage) -> Response:
    try:
        data = validate(
            stocktakes.Resolution,
            {
                "resolution": page.field("resolution"),
                "document_ref": page.field("document_ref") or None,
                "document_date": page.field("document_date") or None,
                "document_issuer": page.field("document_issuer"),
                "note": page.field("note"),
            },
        )
        stocktakes.resolve(page.db, discrepancy_id, data, page.me)
    except DomainError as exc:
        page.db.rollback()
        return _render_discrepancies(page, False, exc, discrepancy_id)
    return page.redirect("/stocktakes/discrepancies?done=1")


@router.get("/stocktakes/{stocktake_id}")
def stocktake_page(stocktake_id: int, page: UserPage) -> Response:
    return _render_stocktake(page, stocktake_id)


def _render_stocktake(page: Page, stocktake_id: int, error: DomainError | None = None) -> Response:
    status = stocktakes.get_status(page.db, stocktake_id, page.me)
    stocktake = page.db.get(Stocktake, stocktake_id)
    assert stocktake is not None
    warehouse = page.db.get(Warehouse, stocktake.warehouse_id)
    explained = explain(error, page.t) if error else None
    closed = status.status == "closed"
    lines = stocktakes.lines(page.db, stocktake_id, page.me) if closed else []
    shown = stocktakes.shown_counts(status.counts or {}, [line["shown_outcome"] for line in lines])
    return page.render(
        "stocktake.html",
        status_code=error.status_code if error else 200,
        st=status,
        stocktake=stocktake,
        warehouse=warehouse,
        lines=lines,
        shown_counts=shown,
        record=documents.stored(
            page.db, stocktake_record.KIND, stocktake_record.subject(stocktake_id)
        ),
        outcomes=list(Outcome),
        can_scan=page.can("stocktake") and not closed,
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        values=dict(page.form.items()),
    )


def _scan_messages(page: Page, result: dict[str, Any]) -> tuple[list[str], str]:
    t = page.t
    kind = result.get("result", "")
    if kind == "location":
        return [t("stocktake.at_location", location=result.get("location_code", ""))], "info"
    code = result.get("item_code", "")
    if kind in ("expected", "unexpected") and result.get("repeat"):
        return [t("keeper_stocktake.duplicate", code=code, n=result["repeat"] + 1)], "warn"
    notes = []
    if result.get("recorded_at"):
        notes.append(t("keeper_stocktake.elsewhere", code=code, location=result["recorded_at"]))
    if page.field("seal_broken") == "1":
        notes.append(t("keeper_stocktake.seal_broken", code=code))
    if kind == "expected" and not notes:
        return [t("stocktake.seen_expected", code=code)], "success"
    level = "error" if page.field("seal_broken") == "1" else "warn"
    if kind == "expected":
        return [t("keeper_stocktake.seen_with_notes", code=code), *notes], level
    if kind == "unexpected":
        return [t("stocktake.seen_unexpected", code=code), *notes], level
    return [t("stocktake.unknown_label")], "warn"


@router.post("/stocktakes/{stocktake_id}/scan")
def scan(stocktake_id: int, page: FormPage) -> Response:
    """One scan: JSON with the live counts for the page's script (or back to the page)."""
    broken = page.field("seal_broken") == "1"
    data = stocktakes.StocktakeScanRequest(
        payload=page.field("payload")[:500], seal_state=SealState.broken if broken else None
    )
    status_code, kind = 200, "success"
    try:
        result = stocktakes.record_scan(page.db, stocktake_id, data, page.me)
        messages, kind = _scan_messages(page, result)
    except DomainError as exc:
        status_code = exc.status_code
        if isinstance(exc, Invalid):
            messages = [page.t("stocktake.damaged")]
        elif isinstance(exc, NotFound) and "location" in str(exc.detail):
            messages = [page.t("stocktake.unknown_location")]
        else:
            messages = explain(exc, page.t).messages
        kind, result = "error", {}
    if not wants_json(page.request):
        if status_code != 200:
            return _render_stocktake(page, stocktake_id, _Refused(messages, status_code))
        return page.redirect(f"/stocktakes/{stocktake_id}")
    live = stocktakes.get_status(page.db, stocktake_id, page.me)
    body = {
        "messages": messages,
        "kind": kind,
        "result": result.get("result"),
        "item_code": result.get("item_code"),
        "seal_broken": broken,
        "counts": {
            "expected": live.expected,
            "seen": live.seen_expected,
            "remaining": live.remaining,
            "unexpected": live.unexpected,
        },
    }
    return JSONResponse(body, status_code=status_code)


class _Refused(DomainError):
    def __init__(self, messages: list[str], status_code: int) -> None:
        super().__init__({"message": " ".join(messages)})
        self.status_code = status_code


PARTICIPANT_ROWS = 2  # others who take part (enforcement officer, guard, custodian)


@router.post("/stocktakes/{stocktake_id}/close")
def close(stocktake_id: int, page: FormPage) -> Response:
    try:
        participants = [
            {
                "name": page.field(f"participant.{k}.name"),
                "position": page.field(f"participant.{k}.position"),
                "role": page.field(f"participant.{k}.role"),
            }
            for k in range(PARTICIPANT_ROWS)
            if page.field(f"participant.{k}.name")
        ]
        signers = validate(
            stocktakes.CloseRequest,
            {
                "keeper": page.field("keeper"),
                "accountant": page.field("accountant"),
                "head": page.field("head"),
                "keeper_position": page.field("keeper_position"),
                "accountant_position": page.field("accountant_position"),
                "head_position": page.field("head_position"),
                "participants": participants,
            },
        )
        stocktakes.close(page.db, stocktake_id, signers, page.me, page.settings.discrepancy_days)
    except DomainError as exc:
        page.db.rollback()
        return _render_stocktake(page, stocktake_id, exc)
    return page.redirect(f"/stocktakes/{stocktake_id}")


@router.get("/stocktakes/{stocktake_id}/record.pdf")
def record(stocktake_id: int, page: UserPage, lang: str = "vi") -> Response:
    """The record in Vietnamese (the official one); ``?lang=en`` a translation."""
    require(page.me, "read")
    record = stocktake_record.record(page.db, stocktake_id, page.me, lang)
    headers = {
        "Content-Disposition": f'attachment; filename="bien-ban-kiem-ke-{stocktake_id}.pdf"',
        "Cache-Control": "no-store",
    }
    if record.sha256:
        headers["X-Record-SHA256"] = record.sha256
    return Response(record.pdf, media_type="application/pdf", headers=headers)
