"""QR symbols: the module matrix (zxing-cpp's encoder) and its place on the printer's dot grid."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import zxingcpp

from .templates import LabelTemplate


@lru_cache(maxsize=256)
def qr_rows(content: str, error_correction: str = "H") -> tuple[bytes, ...]:
    """The symbol's rows, one byte per module (1 = dark), without quiet zone, in the smallest
    version (zxing-cpp's encoder picks the segment modes: alphanumeric for our payloads)."""
    symbol = zxingcpp.create_barcode(
        content, zxingcpp.BarcodeFormat.QRCode, ec_level=error_correction
    )
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    n = image.shape[1]
    data = bytes(memoryview(image)).translate(_DARK)  # type: ignore[arg-type]  # a buffer
    return tuple(data[r * n : (r + 1) * n] for r in range(n))


_DARK = bytes([1] + [0] * 255)  # zxing's image: 0 = a dark module
_RUN = re.compile(b"\x01+")


def qr_matrix(content: str, error_correction: str = "H") -> list[list[bool]]:
    """Module matrix (True = dark), without quiet zone."""
    return [[bool(v) for v in row] for row in qr_rows(content, error_correction)]


def dark_runs(rows: Sequence[Sequence[int] | bytes]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for r, row in enumerate(rows):
        data = row if isinstance(row, bytes) else bytes(1 if v else 0 for v in row)
        for m in _RUN.finditer(data):
            yield r, m.start(), m.end() - m.start()


@dataclass(frozen=True)
class QrPlacement:
    """The symbol on the printer's dot grid: whole dots per module, in every format."""

    x_dots: int  # top-left corner of the first module
    y_dots: int
    module_dots: int
    modules: int
    quiet_zone: int
    dpi: int

    @property
    def module_mm(self) -> float:
        return self.module_dots * 25.4 / self.dpi


def qr_placement(template: LabelTemplate, kind: str, modules: int) -> QrPlacement:
    """Modules of a whole number of dots at the template's dpi, centred in the QR box; a
    4-module quiet zone unless that would push modules under ``min_module_mm`` (never < 2)."""
    s = template.section(kind)
    dots = template.dpi / 25.4
    box = int(s.qr_size_mm * dots + 1e-6)
    quiet = template.quiet_zone_modules
    while quiet > 2 and box // (modules + 2 * quiet) * 25.4 / template.dpi < template.min_module_mm:
        quiet -= 1
    module = max(1, box // (modules + 2 * quiet))
    offset = (box - modules * module) // 2
    return QrPlacement(
        round(s.qr_x_mm * dots) + offset,
        round(s.qr_y_mm * dots) + offset,
        module,
        modules,
        quiet,
        template.dpi,
    )
