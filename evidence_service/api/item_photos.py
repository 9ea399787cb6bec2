"""Routes for an item's photos (the item, its packaging, its seal): each kept with its SHA-256,
recorded on the custody chain."""

from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile

from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from ..items import photos
from ..models import PhotoKind
from .deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["items"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid)


@router.post(
    "/items/{code}/photos",
    status_code=201,
    responses={**ERRORS, 413: {"description": "PhotoTooLarge"}},
)
def add_photo(
    code: str,
    file: UploadFile,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[PhotoKind, Form()] = PhotoKind.item,
    version: Annotated[int | None, Form(description="the version you saw; stale → 409")] = None,
) -> photos.ItemPhotoPublic:
    """A JPEG or PNG photo of the item, its packaging or its seal (decoded before it is kept;
    at most the configured photo size)."""
    limit = settings.destruction_photo_max_bytes
    data = file.file.read(limit + 1)
    return photos.add_photo(
        session, code, kind, file.filename or "", data, actor, limit, version=version
    )


@router.get("/items/{code}/photos", responses=ERRORS)
def list_photos(code: str, actor: CurrentUser, session: SessionDep) -> list[photos.ItemPhotoPublic]:
    return photos.list_photos(session, code, actor)


@router.get(
    "/items/{code}/photos/{photo_id}",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def get_photo(code: str, photo_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    photo = photos.get_photo(session, code, photo_id, actor)
    return Response(
        photo.data, media_type=photo.content_type, headers={"X-Photo-SHA256": photo.sha256}
    )
