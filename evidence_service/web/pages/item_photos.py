"""Photos on the item page: taken with the phone's camera or uploaded, shown with the item."""

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ...errors import Invalid
from ...items import photos
from ...models import PhotoKind
from ..context import FormPage, UserPage
from ..errors import WebRoute
from .items import act_on_item

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def read_upload(page: FormPage, name: str) -> tuple[str, bytes] | None:
    """The uploaded file of field ``name`` (None if none was chosen), read up to one byte
    past the photo limit so that ``photos.check_photo`` can refuse it."""
    upload = page.form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return upload.filename, upload.file.read(page.settings.destruction_photo_max_bytes + 1)


@router.post("/items/{code}/photos")
def add_photo(code: str, page: FormPage) -> Response:
    def run() -> None:
        found = read_upload(page, "photo")
        if found is None:
            raise Invalid(
                "photo",
                "choose a photo (JPEG or PNG)",
                where="form",
                key="keysb_pages.choose_photo",
            )
        kind = page.field("kind") or PhotoKind.item.value
        if kind not in PhotoKind.__members__:
            raise Invalid(
                "kind", "item, packaging or seal", kind, where="form", key="keysb_pages.photo_kind"
            )
        filename, data = found
        photos.add_photo(
            page.db,
            code,
            PhotoKind(kind),
            filename,
            data,
            page.me,
            page.settings.destruction_photo_max_bytes,
        )

    return act_on_item(page, code, "photo", run)


@router.get("/items/{code}/photos/{photo_id}")
def photo(code: str, photo_id: int, page: UserPage) -> Response:
    found = photos.get_photo(page.db, code, photo_id, page.me)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
