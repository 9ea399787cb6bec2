"""Photos kept as evidence (an item at intake, its packaging, its seal; a destruction site):
the one check every upload passes, whatever it is a photo of.

A photo is accepted when it is at most ``max_bytes`` long and Pillow decodes it as a JPEG or a
PNG: the whole file is read, not just its first bytes, so a truncated or disguised file is
refused. What is stored is the file as sent, with its SHA-256 (the custody chain records
the hash, so a photo swapped later no longer matches its event).
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from .errors import DomainError, Invalid

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
# A 4000 × 3000 phone photo is 12 Mpx; refuse what could be a decompression bomb long before.
MAX_PIXELS = 80_000_000


class PhotoTooLarge(DomainError):
    status_code = 413


@dataclass(frozen=True)
class CheckedPhoto:
    content_type: str
    sha256: str
    size_bytes: int
    width: int
    height: int


def check_photo(data: bytes, max_bytes: int, field: str = "photo") -> CheckedPhoto:
    """The photo's type, hash and size, or the refusal: too large (413), not an image (422)."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(
            f"a photo may be at most {max_bytes} bytes",
            key="keysb_photos.too_large",
            params={"mb": max_bytes / (1024 * 1024)},
        )
    if not data:
        raise Invalid(field, "the file is empty", where="form", key="cases14_errors.file_empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise Invalid(
                        field,
                        "the image has too many pixels",
                        where="form",
                        key="keysb_photos.too_many_pixels",
                    )
                image.load()  # decodes every byte: a truncated file fails here
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise Invalid(
            field,
            "only JPEG and PNG images are accepted",
            where="form",
            key="keysb_photos.not_an_image",
        ) from None
    content_type = CONTENT_TYPES.get(kind or "")
    if content_type is None:
        raise Invalid(
            field,
            "only JPEG and PNG images are accepted",
            where="form",
            key="keysb_photos.not_an_image",
        )
    return CheckedPhoto(content_type, hashlib.sha256(data).hexdigest(), len(data), width, height)
