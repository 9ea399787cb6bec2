"""The layout of one label in millimetres.

One layout function places the QR box, the text lines and the hazard markers; the PNG, PDF
and ZPL back ends only paint that layout, so the three outputs agree. Fonts and text fitting
are :mod:`.text`, QR symbols :mod:`.qr` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .qr import QrPlacement, dark_runs, qr_matrix, qr_placement, qr_rows
from .templates import LabelTemplate, Section
from .text import (
    ASCENT_EM,
    ELLIPSIS,
    LINE_EM,
    MM_PER_PT,
    PT_PER_MM,
    Block,
    Fitted,
    FontFace,
    clean_text,
    ellipsize,
    fit_block,
    fit_blocks,
    fit_text,
    font_face,
    line_height,
    pil_font,
    text_em,
    word_em,
)

__all__ = [
    "ASCENT_EM",
    "ELLIPSIS",
    "LINE_EM",
    "MM_PER_PT",
    "PT_PER_MM",
    "FontFace",
    "QrPlacement",
    "ellipsize",
    "dark_runs",
    "fit_blocks",
    "fit_text",
    "font_face",
    "pil_font",
    "qr_matrix",
    "qr_placement",
    "qr_rows",
    "word_em",
]


# --- layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelData:
    """What one label says: ``fields`` maps field names (templates.FIELD_NAMES) to the text
    already worded and formatted; a template prints those it lists, in its order."""

    payload: str
    qr_content: str
    kind: Literal["item", "location"]
    code: str
    fields: dict[str, str] = field(default_factory=dict)
    hazard_classes: list[str] = field(default_factory=list)
    preview: str = ""  # a preview mark ("XEM TRƯỚC"): a look, not a print


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
    field: str = ""

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


HAZARD_GAP_MM = 1.0


# A text area at least this wide keeps its diamonds in a column at its right (the text
# keeps the full height); a narrower one in a strip along its bottom (the text keeps the width).
HAZARD_COLUMN_MIN_MM = 40.0


def _hazard_marks(classes: list[str], s: Section, area: Box) -> tuple[list[HazardMark], Box]:
    """The diamonds in the text area, and the rectangle of it left for text."""
    if not classes or area.w <= 0 or area.h <= 0:
        return [], area
    gap, k = HAZARD_GAP_MM, len(classes)
    column = area.w >= HAZARD_COLUMN_MIN_MM and k * s.hazard_size_mm + (k - 1) * gap <= area.h
    if column:
        d = s.hazard_size_mm
        spots = [
            (area.x + area.w - d, area.y + area.h - (k - i) * d - (k - 1 - i) * gap)
            for i in range(k)
        ]
        text = Box(area.x, area.y, area.w - d - gap, area.h)
    else:
        d = min(s.hazard_size_mm, (area.w - gap * (k - 1)) / k)
        x0 = area.x + area.w - (d * k + gap * (k - 1))
        spots = [(x0 + i * (d + gap), area.y + area.h - d) for i in range(k)]
        text = Box(area.x, area.y, area.w, area.h - d - gap)
    marks = []
    for c, (x, y) in zip(classes, spots, strict=True):
        em = max(font_face(True).width_em(c), 0.6)
        size = min(d * 0.45 / em, d * 0.3 / LINE_EM) * PT_PER_MM
        marks.append(HazardMark(c, Box(x, y, d, d), size))
    return marks, text


def layout_label(label: LabelData, template: LabelTemplate) -> Layout:
    s = template.section(label.kind)
    qr = Box(s.qr_x_mm, s.qr_y_mm, s.qr_size_mm, s.qr_size_mm)
    area = _text_area(template, qr)
    classes = [clean_text(c) for c in label.hazard_classes if c.strip()]
    hazards, room = _hazard_marks(classes, s, area)
    values = {**label.fields, "code": label.code}
    fitted: Fitted = []
    # The preview mark, then the never-dropped secure warning, then the code (what a keeper
    # reads off the shelf) are fitted first and alone; the rest shares what is left.
    first: list[Block] = []
    if label.preview:
        first.append(Block("preview", clean_text(label.preview), 7.0, 6.0, True, 1))
    for name in ("secure", "code"):
        spec = s.field(name)
        if spec is not None and values.get(name, "").strip():
            text = clean_text(values[name])
            first.append(Block(name, text, spec.pt, spec.min_pt, spec.bold, spec.lines))
    for b in first:
        fitted += fit_blocks([b], room.w, room.h - sum(line_height(f[1]) for f in fitted))
    rest = [
        Block(f.name, clean_text(values[f.name]), f.pt, f.min_pt, f.bold, f.lines)
        for f in s.fields
        if f.name not in ("secure", "code", "hazard") and values.get(f.name, "").strip()
    ]
    fitted += fit_blocks(rest, room.w, room.h - sum(line_height(f[1]) for f in fitted))
    # Print in the template's order (the preview mark on top).
    order: dict[str, int] = {"preview": -1, **{f.name: i for i, f in enumerate(s.fields)}}
    fitted.sort(key=lambda f: order.get(f[3], 99))
    lines, top = [], area.y
    for text, size, bold, name in fitted:
        width = text_em(text, bold) * size * MM_PER_PT
        lines.append(TextLine(text, area.x, top, size, bold, width, name))
        top += line_height(size)
    return Layout(template.width_mm, template.height_mm, qr, area, lines, hazards)


def unfit_reason(template: LabelTemplate, secure_text: str) -> str | None:
    """Why ``template`` cannot print its never-dropped marks (None if it can): the code, the
    secure-area warning and a strip of three hazard diamonds at once, at the floors."""
    for kind in ("item", "location"):
        s = template.section(kind)
        qr = Box(s.qr_x_mm, s.qr_y_mm, s.qr_size_mm, s.qr_size_mm)
        area = _text_area(template, qr)
        if area.w <= 0 or area.h <= 0:
            return f"[{kind}] no room for text beside the QR"
        marks, room3 = _hazard_marks(["1.4G", "6.1", "8"], s, area)
        if marks[0].box.w < 5.0:
            return f"[{kind}] three hazard diamonds are {marks[0].box.w:.1f} mm (< 5 mm) wide"
        for room in (room3, _hazard_marks(["3"], s, area)[1]):
            need = 0.0
            for name, text in (("code", "VC26-000001-J"), ("secure", secure_text)):
                spec = s.field(name)
                if spec is None:
                    continue
                block = Block(name, text, spec.pt, spec.min_pt, spec.bold, spec.lines)
                lines, size = fit_block(block, spec.pt, room.w)
                if room.w <= 0 or any(line.endswith(ELLIPSIS) for line in lines):
                    return (
                        f"[{kind}] {name} {text!r} does not fit {spec.lines} line(s) at {size} pt"
                    )
                need += len(lines) * line_height(size)
            if need > room.h + 1e-9:
                return (
                    f"[{kind}] code, secure-area warning and hazard diamonds need "
                    f"{need + area.h - room.h:.1f} mm; the text area is {area.h:.1f} mm high"
                )
    return None


def diamond_points(b: Box) -> list[tuple[float, float]]:
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    return [(cx, b.y), (b.x + b.w, cy), (cx, b.y + b.h), (b.x, cy)]


def inner_diamond(b: Box, inset: float = 0.12) -> Box:
    """The inner border line of a GHS/ADR diamond."""
    d = b.w * inset
    return Box(b.x + d, b.y + d, b.w - 2 * d, b.h - 2 * d)
