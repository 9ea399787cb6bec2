"""Fonts, QR matrices and the layout of one label in millimetres.

One layout function places the QR box, the text lines and the hazard markers; the PNG, PDF
and ZPL back ends only paint that layout, so the three outputs agree.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import qrcode
from PIL import ImageFont
from qrcode.util import QRData
from reportlab.pdfbase.ttfonts import TTFontFile

from .templates import LabelTemplate, default_labels_dir

MM_PER_PT = 25.4 / 72
PT_PER_MM = 72 / 25.4
# Vietnamese capitals carry stacked marks ("Ẫ" reaches 1.07 em in DejaVu Sans Bold) and
# descenders reach 0.24 em: a line box this tall keeps every glyph inside its own box, so a
# box that does not touch the QR guarantees ink that does not touch it either.
ASCENT_EM = 1.07
LINE_EM = 1.32
ELLIPSIS = "…"
_EC_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
# Any fixed mask decodes; choosing one skips qrcode's 8-way penalty search (~10x faster).
QR_MASK = 2


# --- fonts -----------------------------------------------------------------------------------


@dataclass
class FontFace:
    """A TrueType face: advance widths for layout, the parsed file for PDF subsetting."""

    path: Path
    ttf: TTFontFile
    widths: dict[int, float]  # code point -> advance in 1/1000 em
    missing: float
    # reportlab's subsetter seeks in a shared file buffer: serialise it across threads.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def width_em(self, text: str) -> float:
        get = self.widths.get
        return sum(get(ord(c), self.missing) for c in text) / 1000.0

    def width_mm(self, text: str, size_pt: float) -> float:
        return self.width_em(text) * size_pt * MM_PER_PT


@lru_cache(maxsize=4)
def font_face(bold: bool) -> FontFace:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = default_labels_dir() / "fonts" / name
    ttf = TTFontFile(str(path))
    return FontFace(path, ttf, dict(ttf.charWidths), float(ttf.defaultWidth))


_thread_fonts = threading.local()


def pil_font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    """A FreeType font per thread (FreeType faces are not thread-safe).

    The size is floored to a quarter pixel: the cache stays small although shrinking produces
    arbitrary sizes, and the glyphs never come out wider than the layout measured them.
    """
    quarter = math.floor(size_px * 4) / 4
    cache: dict[tuple[bool, float], ImageFont.FreeTypeFont]
    cache = _thread_fonts.__dict__.setdefault("cache", {})
    font = cache.get((bold, quarter))
    if font is None:
        if len(cache) > 256:
            cache.clear()
        font = cache[(bold, quarter)] = ImageFont.truetype(str(font_face(bold).path), quarter)
    return font


# --- QR --------------------------------------------------------------------------------------


def qr_matrix(content: str, error_correction: str = "M") -> list[list[bool]]:
    """Module matrix (True = dark), without quiet zone; alphanumeric mode when possible."""
    qr = qrcode.QRCode(
        error_correction=_EC_LEVELS[error_correction], border=0, mask_pattern=QR_MASK
    )
    qr.add_data(QRData(content.encode("utf-8")))
    qr.make(fit=True)
    return [[bool(m) for m in row] for row in qr.modules]


def dark_runs(matrix: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    for r, row in enumerate(matrix):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                yield r, start, c - start
            else:
                c += 1


# --- layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelData:
    payload: str
    qr_content: str
    kind: Literal["item", "location"]
    code: str
    title: str = ""
    lines: list[str] = field(default_factory=list)
    hazard_classes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Box:
    """Rectangle in millimetres, origin at the label's top-left corner, y pointing down."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )

    def contains(self, other: Box, tol: float = 1e-6) -> bool:
        return (
            other.x >= self.x - tol
            and other.y >= self.y - tol
            and other.x + other.w <= self.x + self.w + tol
            and other.y + other.h <= self.y + self.h + tol
        )


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    top: float
    size_pt: float
    bold: bool
    width: float

    @property
    def baseline(self) -> float:
        return self.top + ASCENT_EM * self.size_pt * MM_PER_PT

    @property
    def box(self) -> Box:
        return Box(self.x, self.top, self.width, LINE_EM * self.size_pt * MM_PER_PT)


@dataclass(frozen=True)
class HazardMark:
    """A diamond inscribed in ``box`` with the hazard class printed in its centre."""

    hazard_class: str
    box: Box
    size_pt: float


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    qr: Box  # quiet zone included
    text_box: Box
    lines: list[TextLine]
    hazards: list[HazardMark]


def _text_area(t: LabelTemplate, qr: Box) -> Box:
    """Largest rectangle of the label (inside the margins) beside, below or above the QR."""
    m = t.margin_mm
    left, top, right, bottom = m, m, t.width_mm - m, t.height_mm - m
    candidates = [
        Box(qr.x + qr.w, top, right - (qr.x + qr.w), bottom - top),  # right of the QR
        Box(left, top, qr.x - left, bottom - top),  # left of it
        Box(left, qr.y + qr.h, right - left, bottom - (qr.y + qr.h)),  # below
        Box(left, top, right - left, qr.y - top),  # above
    ]
    return max(candidates, key=lambda b: max(b.w, 0) * max(b.h, 0))


def _line_height(size_pt: float) -> float:
    return LINE_EM * size_pt * MM_PER_PT


def _split_long_word(word: str, face: FontFace, size: float, width: float) -> list[str]:
    """Last resort for a word wider than the box: break between characters (NFC glyphs)."""
    parts, cur = [], ""
    for ch in word:
        if cur and face.width_mm(cur + ch, size) > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    return parts + [cur] if cur else parts


def _wrap(text: str, size: float, bold: bool, width: float) -> list[str]:
    face = font_face(bold)
    if face.width_mm(text, size) <= width:
        return [text]
    lines: list[str] = []
    cur = ""
    for word in text.split():
        candidate = f"{cur} {word}" if cur else word
        if face.width_mm(candidate, size) <= width:
            cur = candidate
            continue
        if cur:
            lines.append(cur)
        if face.width_mm(word, size) <= width:
            cur = word
        else:
            *full, cur = _split_long_word(word, face, size, width)
            lines.extend(full)
    if cur:
        lines.append(cur)
    return lines


def _ellipsize(text: str, size: float, bold: bool, width: float) -> str:
    face = font_face(bold)
    words = text.split()
    while words and face.width_mm(" ".join(words) + ELLIPSIS, size) > width:
        words.pop()
    return " ".join(words) + ELLIPSIS


def fit_text(
    blocks: list[tuple[str, float, bool]], width: float, height: float, min_pt: float
) -> list[tuple[str, float, bool]]:
    """Fit paragraphs ``(text, nominal_pt, bold)`` into ``width`` x ``height`` mm.

    First each paragraph shrinks towards ``min_pt`` to stay on one line; a paragraph still too
    wide wraps by words. If the whole is too tall, everything shrinks further; at the minimum
    size the text is cut after the last whole line that fits and ends with an ellipsis.
    """
    if width <= 0 or height <= 0:
        return []
    sizes = []
    for text, nominal, bold in blocks:
        floor = min(min_pt, nominal)
        em = font_face(bold).width_em(text) * MM_PER_PT
        one_line = width / em * 0.999 if em else nominal
        sizes.append((floor, max(floor, min(nominal, one_line))))
    scale = 1.0
    while True:
        current = [max(floor, size * scale) for floor, size in sizes]
        lines = [
            (line, size, bold)
            for (text, _, bold), size in zip(blocks, current, strict=True)
            for line in _wrap(text, size, bold, width)
        ]
        if sum(_line_height(s) for _, s, _ in lines) <= height + 1e-9:
            return lines
        if all(c <= floor for c, (floor, _) in zip(current, sizes, strict=True)):
            break
        scale *= 0.92
    kept: list[tuple[str, float, bool]] = []
    used = 0.0
    for line, size, bold in lines:
        if used + _line_height(size) > height + 1e-9:
            break
        kept.append((line, size, bold))
        used += _line_height(size)
    if kept:
        line, size, bold = kept[-1]
        kept[-1] = (_ellipsize(line, size, bold, width), size, bold)
    return kept


def _clean(text: str) -> str:
    # NFC: one code point per Vietnamese letter, so wrapping never splits a letter from its
    # marks and the PDF text layer extracts the same string that was printed.
    return " ".join(unicodedata.normalize("NFC", text).split())


def layout_label(label: LabelData, template: LabelTemplate) -> Layout:
    s = template.section(label.kind)
    qr = Box(s.qr_x_mm, s.qr_y_mm, s.qr_size_mm, s.qr_size_mm)
    area = _text_area(template, qr)
    hazards: list[HazardMark] = []
    classes = [_clean(c) for c in label.hazard_classes if c.strip()]
    text_h = area.h
    if "hazard" in s.fields and classes and area.w > 0 and area.h > 0:
        gap = 1.0
        d = min(s.hazard_size_mm, area.h * 0.45)
        d = min(d, (area.w - gap * (len(classes) - 1)) / len(classes))
        x = area.x + area.w - (d * len(classes) + gap * (len(classes) - 1))
        y = area.y + area.h - d
        for c in classes:
            em = max(font_face(True).width_em(c), 0.6)
            size = min(d * 0.5 / em, d * 0.3 / LINE_EM) * PT_PER_MM
            hazards.append(HazardMark(c, Box(x, y, d, d), size))
            x += d + gap
        text_h = area.h - d - gap
    # The code is the one thing a keeper reads off the shelf: it is fitted first and alone,
    # so a long description shrinks or loses its tail instead of shrinking the code.
    fitted: list[tuple[str, float, bool]] = []
    if "code" in s.fields and label.code.strip():
        fitted = fit_text(
            [(_clean(label.code), s.font_pt.code, True)], area.w, text_h, s.min_font_pt
        )
    blocks: list[tuple[str, float, bool]] = []
    for name in s.fields:
        if name == "title" and label.title.strip():
            blocks.append((_clean(label.title), s.font_pt.title, True))
        elif name == "lines":
            blocks.extend((_clean(ln), s.font_pt.lines, False) for ln in label.lines if ln.strip())
    rest_h = text_h - sum(_line_height(size) for _, size, _ in fitted)
    fitted += fit_text(blocks, area.w, rest_h, s.min_font_pt)
    lines, top = [], area.y
    for text, size, bold in fitted:
        width = font_face(bold).width_mm(text, size)
        lines.append(TextLine(text, area.x, top, size, bold, width))
        top += _line_height(size)
    return Layout(template.width_mm, template.height_mm, qr, area, lines, hazards)


def diamond_points(b: Box) -> list[tuple[float, float]]:
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    return [(cx, b.y), (b.x + b.w, cy), (cx, b.y + b.h), (b.x, cy)]
