"""The case file: scanned acts (transfer decision, judgments, enforcement decisions, seizure
record, forensic conclusion: vn-legal-context §5.2, §7) kept whole with their SHA-256.

A file is accepted only if it decodes as what it claims to be: a PDF whose pages parse, or an
image Pillow can load (JPEG, PNG, TIFF, WebP); a file with the right first bytes and a broken
body is refused, so what is listed can be opened later."""

import hashlib
import io
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlmodel import Session, col, select

from ..auth import require
from ..errors import Invalid, NotFound
from ..models import AttachmentKind, CaseAttachment, User
from .core import get_case

MAX_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp"}


class AttachmentPublic(BaseModel):
    id: int
    kind: AttachmentKind
    title: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    pages: int | None = None


def media_type_of(content: bytes) -> tuple[str, int]:
    """The media type the content decodes as and its page count; Invalid if it decodes as
    nothing accepted."""
    if content.startswith(b"%PDF-"):
        try:
            reader = PdfReader(io.BytesIO(content), strict=False)
            pages = len(reader.pages)
            for page in reader.pages:
                page.extract_text()  # walks each page's content stream
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise Invalid(
                "file", f"not a readable PDF: {exc}", None, key="cases14_errors.not_a_pdf"
            ) from None
        if pages == 0:
            raise Invalid(
                "file", "the PDF has no pages", None, key="cases14_errors.pdf_without_pages"
            )
        return "application/pdf", pages
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            frames = getattr(image, "n_frames", 1)
            image.load()  # decodes the pixels, not only the header
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise Invalid(
            "file",
            f"neither a PDF nor a readable image: {exc}",
            None,
            key="cases14_errors.not_pdf_or_image",
        ) from None
    if kind not in IMAGE_TYPES:
        raise Invalid(
            "file",
            f"image format {kind or '?'} is not accepted",
            kind,
            key="cases14_errors.image_format",
            params={"format": kind or "?"},
        )
    return IMAGE_TYPES[kind], frames


def attachment_public(a: CaseAttachment, pages: int | None = None) -> AttachmentPublic:
    assert a.id is not None
    return AttachmentPublic(
        id=a.id,
        kind=AttachmentKind(a.kind),
        title=a.title,
        filename=a.filename,
        media_type=a.media_type,
        size_bytes=a.size_bytes,
        sha256=a.sha256,
        uploaded_at=a.uploaded_at,
        pages=pages,
    )


def attach(
    session: Session,
    case_id: int,
    kind: AttachmentKind,
    filename: str,
    content: bytes,
    actor: User,
    title: str = "",
) -> AttachmentPublic:
    require(actor, "manage_cases")
    get_case(session, case_id, actor)
    assert actor.id is not None
    if not content:
        raise Invalid("file", "the file is empty", None, key="cases14_errors.file_empty")
    if len(content) > MAX_BYTES:
        mb = MAX_BYTES // (1024 * 1024)
        raise Invalid(
            "file",
            f"the file is over {mb} MB",
            len(content),
            key="cases14_errors.file_too_big",
            params={"mb": mb},
        )
    media_type, pages = media_type_of(content)
    row = CaseAttachment(
        case_id=case_id,
        kind=kind.value,
        title=title[:300],
        filename=(filename or "scan")[-200:],
        media_type=media_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    return attachment_public(row, pages)


def list_attachments(session: Session, case_id: int, actor: User) -> list[AttachmentPublic]:
    get_case(session, case_id, actor)
    rows = session.exec(
        select(CaseAttachment)
        .where(CaseAttachment.case_id == case_id)
        .order_by(col(CaseAttachment.id))
    ).all()
    return [attachment_public(a) for a in rows]


def get_attachment(
    session: Session, case_id: int, attachment_id: int, actor: User
) -> CaseAttachment:
    get_case(session, case_id, actor)
    row = session.get(CaseAttachment, attachment_id)
    if row is None or row.case_id != case_id:
        raise NotFound(
            f"attachment {attachment_id} not found in case {case_id}",
            key="keysa_cases.attachment_not_found",
            params={"id": attachment_id},
        )
    return row
