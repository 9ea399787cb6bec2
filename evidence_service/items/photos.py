"""Photos of an item, its packaging and its seal: stored as sent, each recorded on the custody
chain (a ``photo`` event carrying its SHA-256), listed and served with the item."""

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ..custody import EventType, NewEvent
from ..errors import NotFound
from ..models import ItemPhoto, PhotoKind, User
from ..photos import check_photo
from .lifecycle import for_change, update_item
from .lookup import get_item


class ItemPhotoPublic(BaseModel):
    id: int
    kind: PhotoKind
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def _public(photo: ItemPhoto, uploaded_by: str) -> ItemPhotoPublic:
    assert photo.id is not None
    return ItemPhotoPublic(
        id=photo.id,
        kind=PhotoKind(photo.kind),
        filename=photo.filename,
        content_type=photo.content_type,
        size_bytes=photo.size_bytes,
        sha256=photo.sha256,
        uploaded_by=uploaded_by,
        uploaded_at=photo.uploaded_at,
    )


def add_photo(
    session: Session,
    code: str,
    kind: PhotoKind,
    filename: str,
    data: bytes,
    actor: User,
    max_bytes: int,
    version: int | None = None,
) -> ItemPhotoPublic:
    """Keep one photo of the item (checked as every photo is, ``photos.check_photo``) and
    record it on the custody chain: the event carries the photo's SHA-256."""
    checked = check_photo(data, max_bytes)
    item = for_change(session, code, actor, version, "photo")
    assert item.id is not None and actor.id is not None
    photo = ItemPhoto(
        item_id=item.id,
        kind=kind.value,
        filename=(filename or "photo")[-200:],
        content_type=checked.content_type,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        data=data,
        uploaded_by_id=actor.id,
    )
    session.add(photo)
    session.flush()
    details = {
        "photo_id": photo.id,
        "kind": kind.value,
        "sha256": checked.sha256,
        "content_type": checked.content_type,
        "size_bytes": checked.size_bytes,
        "width": checked.width,
        "height": checked.height,
    }
    event = NewEvent(item.id, EventType.photo, actor.id, None, None, "", details)
    update_item(session, item, event)
    return _public(photo, actor.username)


def list_photos(session: Session, code: str, actor: User) -> list[ItemPhotoPublic]:
    item = get_item(session, code, actor)
    rows = session.exec(
        select(ItemPhoto, User.username)
        .join(User, col(User.id) == ItemPhoto.uploaded_by_id)
        .where(ItemPhoto.item_id == item.id)
        .order_by(col(ItemPhoto.id))
    ).all()
    return [_public(photo, username) for photo, username in rows]


def get_photo(session: Session, code: str, photo_id: int, actor: User) -> ItemPhoto:
    item = get_item(session, code, actor)
    photo = session.get(ItemPhoto, photo_id)
    if photo is None or photo.item_id != item.id:
        raise NotFound(
            f"item {item.code} has no photo {photo_id}",
            key="keysa_items.photo_not_found",
            params={"code": item.code, "id": photo_id},
        )
    return photo
