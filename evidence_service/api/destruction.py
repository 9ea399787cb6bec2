"""Routes for destruction batches, their photos and record; the work is in ``destruction``.
The destruction reports are in ``api.reports``."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from .. import auth, destruction
from ..destruction import council
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..models import BatchStatus
from .deps import CurrentUser, IdempotencyKeyHeader, SessionDep, SettingsDep, create_once

router = APIRouter(tags=["destruction"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)
BATCHES = "/destruction-batches"
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the record"}
}


def _public(session: SessionDep, batch_id: int, actor: CurrentUser) -> destruction.BatchPublic:
    return destruction.batch_public(session, destruction.get_batch(session, batch_id, actor))


def _fields_public(
    fields: Sequence[destruction.MethodField],
) -> list[destruction.MethodFieldPublic]:
    return [
        destruction.MethodFieldPublic(
            name=f.name,
            label_vi=f.label_vi,
            label_en=f.label_en,
            type=f.type,
            unit=f.unit,
            required=f.required,
        )
        for f in fields
    ]


@router.get(f"{BATCHES}/methods", responses=ERRORS)
def methods(actor: CurrentUser) -> list[destruction.MethodPublic]:
    """The destruction methods and the structured fields each needs (from the methods data),
    then the environmental fields recorded for every method under the id ``common``."""
    table = destruction.load_methods()
    out = [
        destruction.MethodPublic(
            id=m.id,
            name_vi=m.name_vi,
            name_en=m.name_en,
            environmental_risk=m.environmental_risk,
            risk_cleared_by=m.risk_cleared_by,
            categories=list(m.categories),
            fields=_fields_public(m.fields),
        )
        for m in table.methods.values()
    ]
    out.append(
        destruction.MethodPublic(
            id="common",
            name_vi="Ghi nhận môi trường",
            name_en="Environmental record",
            environmental_risk=False,
            risk_cleared_by=None,
            categories=[],
            fields=_fields_public(table.common_fields),
        )
    )
    return out


@router.post(BATCHES, status_code=201, responses=ERRORS)
def create_batch(
    data: destruction.BatchCreate,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Open a draft batch; its number (TH-year-sequence) is given per agency."""

    def run() -> destruction.BatchPublic:
        return destruction.batch_public(session, destruction.create_batch(session, data, actor))

    return create_once(session, actor, key, f"POST {BATCHES}", data, destruction.BatchPublic, run)


@router.get(BATCHES, responses=ERRORS)
def list_batches(
    actor: CurrentUser, session: SessionDep, status: BatchStatus | None = None
) -> list[destruction.BatchSummary]:
    """Batches of the agencies you see, newest first."""
    return destruction.summaries(session, actor, status)


@router.get(BATCHES + "/{batch_id}", responses=ERRORS)
def get_batch(batch_id: int, actor: CurrentUser, session: SessionDep) -> destruction.BatchPublic:
    """A batch with its items, council, photos and flags."""
    return _public(session, batch_id, actor)


@router.post(BATCHES + "/{batch_id}/items", responses=ERRORS)
def add_items(
    batch_id: int,
    data: destruction.AddItemsRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Add stored items to a draft batch; they become pending destruction."""

    def run() -> destruction.BatchPublic:
        destruction.add_items(session, batch_id, data, actor)
        return _public(session, batch_id, actor)

    return create_once(
        session,
        actor,
        key,
        f"POST {BATCHES}/{batch_id}/items",
        data,
        destruction.BatchPublic,
        run,
        200,
    )


def _remove(batch_id: int, code: str, actor: CurrentUser, session: SessionDep) -> Response:
    destruction.remove_item(session, batch_id, code, actor)
    result = _public(session, batch_id, actor)
    return Response(result.model_dump_json(), media_type="application/json")


@router.delete(
    BATCHES + "/{batch_id}/items/{code}", response_model=destruction.BatchPublic, responses=ERRORS
)
def remove_item(batch_id: int, code: str, actor: CurrentUser, session: SessionDep) -> Response:
    """Take an item out of a draft batch; it goes back to storage."""
    return _remove(batch_id, code, actor, session)


@router.post(
    BATCHES + "/{batch_id}/items/{code}/remove",
    response_model=destruction.BatchPublic,
    responses=ERRORS,
)
def remove_item_post(batch_id: int, code: str, actor: CurrentUser, session: SessionDep) -> Response:
    """The same as DELETE, for clients that only POST."""
    return _remove(batch_id, code, actor, session)


@router.post(BATCHES + "/{batch_id}/approve", responses=ERRORS)
def approve(
    batch_id: int,
    data: destruction.ApproveRequest,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Record the decision establishing the council and its members (manager only). Too few
    voting members or not exactly one chair: 422. Members who handled the items are flagged
    (or refused with 409 when the settings say so)."""

    def run() -> destruction.BatchPublic:
        destruction.approve(
            session,
            batch_id,
            data,
            actor,
            settings.destruction_min_voting_members,
            settings.destruction_block_handler_members,
        )
        return _public(session, batch_id, actor)

    return create_once(
        session,
        actor,
        key,
        f"POST {BATCHES}/{batch_id}/approve",
        data,
        destruction.BatchPublic,
        run,
        200,
    )


@router.post(BATCHES + "/{batch_id}/execute", responses=ERRORS)
def execute(
    batch_id: int,
    data: destruction.ExecuteRequest,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Record the destruction: time, site, method and its fields, the environmental record,
    and per item the seal, the weight measured before destruction and the result."""

    def run() -> destruction.BatchPublic:
        destruction.execute(
            session,
            batch_id,
            data,
            actor,
            settings.weight_tolerance_pct,
            settings.destruction_block_handler_members,
        )
        return _public(session, batch_id, actor)

    return create_once(
        session,
        actor,
        key,
        f"POST {BATCHES}/{batch_id}/execute",
        data,
        destruction.BatchPublic,
        run,
        200,
    )


@router.post(BATCHES + "/{batch_id}/close", responses=ERRORS)
def close(
    batch_id: int,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Generate the record, store it with its SHA-256 and freeze the batch."""

    def run() -> destruction.BatchPublic:
        destruction.close(session, batch_id, actor)
        return _public(session, batch_id, actor)

    return create_once(
        session,
        actor,
        key,
        f"POST {BATCHES}/{batch_id}/close",
        destruction.CloseRequest(),
        destruction.BatchPublic,
        run,
        200,
    )


@router.post(BATCHES + "/{batch_id}/cancel", responses=ERRORS)
def cancel(
    batch_id: int,
    data: destruction.CancelRequest,
    actor: CurrentUser,
    session: SessionDep,
    key: IdempotencyKeyHeader = None,
) -> destruction.BatchPublic:
    """Cancel a batch before execution; its items go back to storage."""

    def run() -> destruction.BatchPublic:
        destruction.cancel(session, batch_id, data, actor)
        return _public(session, batch_id, actor)

    return create_once(
        session,
        actor,
        key,
        f"POST {BATCHES}/{batch_id}/cancel",
        data,
        destruction.BatchPublic,
        run,
        200,
    )


@router.post(
    BATCHES + "/{batch_id}/photos",
    status_code=201,
    responses={**ERRORS, 413: {"description": "PayloadTooLarge"}},
)
def add_photo(
    batch_id: int,
    file: UploadFile,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    caption: Annotated[str, Form(max_length=500)] = "",
) -> destruction.PhotoPublic:
    """A JPEG or PNG photograph of the destruction, stored with its SHA-256."""
    limit = settings.destruction_photo_max_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise destruction.PayloadTooLarge(
            f"a photo may be at most {limit} bytes",
            key="keysb_photos.too_large",
            params={"mb": limit / (1024 * 1024)},
        )
    photo = destruction.add_photo(session, batch_id, actor, file.filename or "", data, caption)
    return photo


@router.get(
    BATCHES + "/{batch_id}/photos/{photo_id}",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def get_photo(batch_id: int, photo_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    photo = destruction.get_photo(session, batch_id, photo_id, actor)
    return Response(
        photo.data, media_type=photo.content_type, headers={"X-Photo-SHA256": photo.sha256}
    )


@router.get(
    BATCHES + "/{batch_id}/record.pdf",
    response_class=Response,
    responses={**ERRORS, **PDF_RESPONSE},
)
def record(
    batch_id: int,
    actor: CurrentUser,
    session: SessionDep,
    lang: Literal["vi", "en"] = "vi",
) -> Response:
    """The record (biên bản tiêu hủy). Once closed: the frozen Vietnamese record, its SHA-256
    in ``X-Record-SHA256``. Before: a draft, watermarked. ``?lang=en``: an English rendering."""
    rec = destruction.record(session, batch_id, actor, lang)
    headers = {"Content-Disposition": f'inline; filename="destruction-{batch_id}-{lang}.pdf"'}
    if rec.sha256:
        headers["X-Record-SHA256"] = rec.sha256
    return Response(rec.pdf, media_type="application/pdf", headers=headers)


class PresenceRequest(BaseModel):
    username: str = Field(max_length=64, description="the council member's own account")
    password: str = Field(max_length=200, description="typed by the member themselves")
    totp_code: str = Field(default="", max_length=16)


class PresencePublic(BaseModel):
    name: str
    present_confirmed_at: datetime | None


@router.post(
    BATCHES + "/{batch_id}/presence",
    responses={**ERRORS, 429: {"description": "locked out for a while"}},
)
def confirm_presence(
    batch_id: int,
    data: PresenceRequest,
    request: Request,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> PresencePublic:
    """A council member with an account confirms being there, on this device, with their own
    password (counted like a login). Every such member must before the batch is closed."""
    client = request.client.host if request.client else ""
    member_user = auth.authenticate(
        session,
        data.username,
        data.password,
        client,
        settings.login_policy,
        database=request.app.state.db,
        totp_code=data.totp_code,
    )
    member = council.confirm_presence(session, batch_id, actor, member_user)
    return PresencePublic(name=member.name, present_confirmed_at=member.present_confirmed_at)
