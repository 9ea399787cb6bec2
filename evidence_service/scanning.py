"""Scanning: resolve what a scanner or camera read to an item or a location, and log it."""

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from . import payload
from .auth import can
from .db import keep_when_refused
from .errors import DomainError, Invalid, NotFound
from .items import ItemPublic, allowed_actions, items_public, move_items
from .items.hot_lookup import find_item
from .locations import LocationPublic, get_location, location_public
from .logchain import LogEntry
from .models import ScanResult, User, utcnow

LOCATION_ACTIONS = [("move_here", "move"), ("print_label", "label")]


class ScanRequest(BaseModel):
    payload: str = Field(max_length=500, examples=["EV1IVC26000001JM"])


class ScanPublic(BaseModel):
    kind: Literal["item", "location"]
    code: str
    actions: list[str]
    item: ItemPublic | None = None
    location: LocationPublic | None = None


class DamagedLabel(DomainError):
    status_code = 422


def _actions(actor: User, options: list[tuple[str, str]]) -> list[str]:
    return ["view", *(name for name, permission in options if can(actor, permission))]


def _label_error(raw: str, exc: payload.PayloadError) -> DamagedLabel:
    return DamagedLabel(
        [
            {
                "loc": ["body", "payload"],
                "msg": str(exc),
                "msg_vi": exc.message_vi,
                "type": "damaged_label"
                if isinstance(exc, payload.DamagedPayload)
                else "not_a_label",
                "input": raw,
            }
        ]
    )


def scan(session: Session, raw: str, actor: User) -> ScanPublic:
    """Resolve a scan. The scan is logged whatever its outcome."""
    log: dict[str, Any] = {
        "user_id": actor.id,
        "scanned_at": utcnow(),
        "raw": raw[:500],
        "kind": None,
        "code": None,
        "result": ScanResult.ok.value,
    }
    try:
        return _resolve(session, raw, actor, log)
    finally:  # the log row as the scan ended, whatever came of it
        keep_when_refused(session, LogEntry("scan_log", log))


def _resolve(session: Session, raw: str, actor: User, log: dict[str, Any]) -> ScanPublic:
    try:
        scanned = payload.parse_scan(raw)
    except payload.PayloadError as exc:
        damaged = isinstance(exc, payload.DamagedPayload)
        log["result"] = (ScanResult.damaged if damaged else ScanResult.unknown_format).value
        raise _label_error(raw, exc) from None
    log["kind"] = scanned.kind
    try:
        if scanned.kind == "item":
            public = find_item(session, scanned.key, actor)
            log["code"] = public.code
            actions = ["view", *allowed_actions(actor, public.status)]
            return ScanPublic(kind="item", code=public.code, item=public, actions=actions)
        location = get_location(session, scanned.key, actor)
        log["code"] = location.code
        return ScanPublic(
            kind="location",
            code=location.code,
            location=location_public(session, location),
            actions=_actions(actor, LOCATION_ACTIONS),
        )
    except NotFound:
        log["result"] = ScanResult.not_found.value
        raise NotFound(
            f"no {scanned.kind} with label {scanned.payload} in your agency "
            f"(the label is valid, but nothing registered here carries it)",
            key=f"keysb_scanning.no_{scanned.kind}",
            params={"label": scanned.payload},
        ) from None


def resolve_ref(session: Session, ref: str, kind: Literal["item", "location"], field: str) -> str:
    """A code typed by hand or a scanned payload (either kind of input) → the code to use."""
    text = ref.strip()
    if not payload.looks_like_payload(text):
        return text
    try:
        scanned = payload.parse_scan(text)
    except payload.PayloadError as exc:
        raise _label_error(ref, exc) from None
    if scanned.kind != kind:
        raise Invalid(
            field,
            f"this is a {scanned.kind} label, a {kind} was expected",
            ref,
            key=f"docs15_refusal.wrong_label_{kind}",
        )
    return scanned.key


class BatchMoveRequest(BaseModel):
    item_codes: list[str] = Field(
        min_length=1, max_length=500, description="item codes or scanned item labels"
    )
    to_location_code: str = Field(description="location code or scanned location label")
    reason: str = Field(default="", max_length=1000)
    override_reason: str | None = Field(default=None, description="manager override of limits")


class BatchMovePublic(BaseModel):
    to_location_code: str
    items: list[ItemPublic]


def move_scanned(session: Session, data: BatchMoveRequest, actor: User) -> BatchMovePublic:
    """Move everything scanned to the scanned location: all or nothing."""
    codes = [
        resolve_ref(session, ref, "item", f"item_codes.{n}")
        for n, ref in enumerate(data.item_codes)
    ]
    target = resolve_ref(session, data.to_location_code, "location", "to_location_code")
    ids = move_items(
        session, codes, target, actor, reason=data.reason, override_reason=data.override_reason
    )
    moved = items_public(session, ids)
    return BatchMovePublic(to_location_code=moved[0].location_code or target, items=moved)
