"""Fonts, QR matrices and the layout of one label in millimetres.

One layout function places the QR box, the text lines and the hazard markers; the PNG, PDF
and ZPL back ends only paint that layout, so the three outputs agree.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import zxingcpp
from PIL import ImageFont
from reportlab.pdfbase.ttfonts import TTFontFile

from .templates import LabelTemplate, Section, default_labels_dir

MM_PER_PT = 25.4 / 72
PT_PER_MM = 72 / 25.4
# Vietnamese capitals carry stacked marks ("Ẫ" reaches 1.07 em in DejaVu Sans Bold) and
# descenders reach 0.24 em: a line box this tall keeps every glyph inside its own box, so a
# box that does not touch the QR guarantees ink that does not touch it either.
ASCENT_EM = 1.07
LINE_EM = 1.32
ELLIPSIS = "…"


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


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    qr: Box  # quiet zone included
    text_box: Box
    lines: list[TextLine]
    hazards: list[HazardMark]


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


@lru_cache(maxsize=8192)
def _word_em(word: str, bold: bool) -> float:
    return font_face(bold).width_em(word)


def word_em(word: str, bold: bool) -> float:
    return _word_em(word, bold)


def text_em(text: str, bold: bool) -> float:
    """Width in em of NFC text with single spaces (the layout's own), word by word: words
    repeat from label to label, so each is measured once."""
    words = text.split(" ")
    return sum(_word_em(w, bold) for w in words) + (len(words) - 1) * _word_em(" ", bold)


def _words(text: str, bold: bool) -> tuple[list[str], list[float], float, float]:
    """The words of ``text``, their widths and the whole width (em), and a space's width:
    so wrapping at any size is arithmetic."""
    words = text.split()
    ems = [_word_em(w, bold) for w in words]
    space = _word_em(" ", bold)
    return words, ems, sum(ems) + space * (len(words) - 1), space


def _wrap(text: str, size: float, bold: bool, width: float) -> list[str]:
    words, ems, whole, space = _words(text, bold)
    limit = width / (size * MM_PER_PT) + 1e-9  # the box's width in em at this size
    if whole <= limit:
        return [text]
    lines: list[str] = []
    cur: list[str] = []
    cur_em = 0.0
    for word, em in zip(words, ems, strict=True):
        if cur and cur_em + space + em <= limit:
            cur.append(word)
            cur_em += space + em
            continue
        if not cur and em <= limit:
            cur, cur_em = [word], em
            continue
        if cur:
            lines.append(" ".join(cur))
        if em <= limit:
            cur, cur_em = [word], em
        else:
            *full, last = _split_long_word(word, font_face(bold), size, width)
            lines.extend(full)
            cur, cur_em = [last], font_face(bold).width_em(last)
    if cur:
        lines.append(" ".join(cur))
    return lines


def _ellipsize(text: str, size: float, bold: bool, width: float) -> str:
    face = font_face(bold)
    text = text.removesuffix(ELLIPSIS)
    if face.width_mm(text + ELLIPSIS, size) <= width:
        return text + ELLIPSIS
    words = text.split()
    while len(words) > 1 and face.width_mm(" ".join(words) + ELLIPSIS, size) > width:
        words.pop()
    cut = " ".join(words)
    while cut and face.width_mm(cut + ELLIPSIS, size) > width:
        cut = cut[:-1]  # one word wider than the box: cut between letters
    return cut + ELLIPSIS


@dataclass(frozen=True)
class Block:
    """A paragraph to fit: nominal size, its floor, the lines it may take."""

    field: str
    text: str
    pt: float
    min_pt: float
    bold: bool
    max_lines: int


Fitted = list[tuple[str, float, bool, str]]  # (line, size, bold, field)


def _fit_block(b: Block, size: float, width: float) -> tuple[list[str], float]:
    """Wrap before shrinking: at ``size`` if it wraps into its lines, else smaller down to
    the floor, then the last allowed line ends with an ellipsis."""
    while True:
        lines = _wrap(b.text, size, b.bold, width)
        if len(lines) <= b.max_lines or size <= b.min_pt:
            break
        size = max(b.min_pt, size * 0.94)
    if len(lines) > b.max_lines:
        kept = lines[: b.max_lines]
        kept[-1] = _ellipsize(kept[-1], size, b.bold, width)
        lines = kept
    return lines, size


def fit_blocks(blocks: list[Block], width: float, height: float) -> Fitted:
    """Fit paragraphs into ``width`` x ``height`` mm: each wraps into its lines first, then
    everything shrinks together towards its floor; still too tall at the floors, the text is
    cut after the last whole line that fits and ends with an ellipsis."""
    if width <= 0 or height <= 0 or not blocks:
        return []
    scale = 1.0
    while True:
        out: Fitted = []
        for b in blocks:
            lines, size = _fit_block(b, max(b.min_pt, b.pt * scale), width)
            out += [(line, size, b.bold, b.field) for line in lines]
        if sum(_line_height(s) for _, s, _, _ in out) <= height + 1e-9:
            return out
        if all(b.pt * scale <= b.min_pt for b in blocks):
            break
        scale *= 0.92
    kept: Fitted = []
    used = 0.0
    for line in out:
        if used + _line_height(line[1]) > height + 1e-9:
            break
        kept.append(line)
        used += _line_height(line[1])
    if kept and len(kept) < len(out):
        text, size, bold, name = kept[-1]
        kept[-1] = (_ellipsize(text, size, bold, width), size, bold, name)
    return kept


def fit_text(
    blocks: list[tuple[str, float, bool]], width: float, height: float, min_pt: float
) -> list[tuple[str, float, bool]]:
    """:func:`fit_blocks` for plain ``(text, nominal_pt, bold)`` paragraphs of any length."""
    fitted = fit_blocks(
        [Block("", t, pt, min(min_pt, pt), bold, 99) for t, pt, bold in blocks], width, height
    )
    return [(line, size, bold) for line, size, bold, _ in fitted]


def _clean(text: str) -> str:
    # NFC: one code point per Vietnamese letter, so wrapping never splits a letter from its
    # marks and the PDF text layer extracts the same string that was printed.
    return " ".join(unicodedata.normalize("NFC", text).split())


HAZARD_GAP_MM = 1.0


def _hazard_marks(classes: list[str], s: Section, area: Box) -> tuple[list[HazardMark], float]:
    """Diamonds in a strip along the bottom of the text area; returns them and its height."""
    if not classes or area.w <= 0 or area.h <= 0:
        return [], 0.0
    gap = HAZARD_GAP_MM
    d = min(s.hazard_size_mm, (area.w - gap * (len(classes) - 1)) / len(classes))
    x = area.x + area.w - (d * len(classes) + gap * (len(classes) - 1))
    y = area.y + area.h - d
    marks = []
    for c in classes:
        em = max(font_face(True).width_em(c), 0.6)
        size = min(d * 0.45 / em, d * 0.3 / LINE_EM) * PT_PER_MM
        marks.append(HazardMark(c, Box(x, y, d, d), size))
        x += d + gap
    return marks, d + gap


def layout_label(label: LabelData, template: LabelTemplate) -> Layout:
    s = template.section(label.kind)
    qr = Box(s.qr_x_mm, s.qr_y_mm, s.qr_size_mm, s.qr_size_mm)
    area = _text_area(template, qr)
    classes = [_clean(c) for c in label.hazard_classes if c.strip()]
    hazards, strip = _hazard_marks(classes, s, area)
    text_h = area.h - strip
    values = {**label.fields, "code": label.code}
    fitted: Fitted = []
    # The preview mark, then the never-dropped secure warning, then the code (what a keeper
    # reads off the shelf) are fitted first and alone; the rest shares what is left.
    first: list[Block] = []
    if label.preview:
        first.append(Block("preview", _clean(label.preview), 7.0, 6.0, True, 1))
    for name in ("secure", "code"):
        spec = s.field(name)
        if spec is not None and values.get(name, "").strip():
            text = _clean(values[name])
            first.append(Block(name, text, spec.pt, spec.min_pt, spec.bold, spec.lines))
    for b in first:
        fitted += fit_blocks([b], area.w, text_h - sum(_line_height(f[1]) for f in fitted))
    rest = [
        Block(f.name, _clean(values[f.name]), f.pt, f.min_pt, f.bold, f.lines)
        for f in s.fields
        if f.name not in ("secure", "code", "hazard") and values.get(f.name, "").strip()
    ]
    fitted += fit_blocks(rest, area.w, text_h - sum(_line_height(f[1]) for f in fitted))
    # Print in the template's order (the preview mark on top).
    order: dict[str, int] = {"preview": -1, **{f.name: i for i, f in enumerate(s.fields)}}
    fitted.sort(key=lambda f: order.get(f[3], 99))
    lines, top = [], area.y
    for text, size, bold, name in fitted:
        width = text_em(text, bold) * size * MM_PER_PT
        lines.append(TextLine(text, area.x, top, size, bold, width, name))
        top += _line_height(size)
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
        marks, strip = _hazard_marks(["1.4G", "6.1", "8"], s, area)
        if marks[0].box.w < 5.0:
            return f"[{kind}] three hazard diamonds are {marks[0].box.w:.1f} mm (< 5 mm) wide"
        strip = max(strip, _hazard_marks(["3"], s, area)[1])
        need = 0.0
        for name, text in (("code", "VC26-000001-J"), ("secure", secure_text)):
            spec = s.field(name)
            if spec is None:
                continue
            lines, size = _fit_block(
                Block(name, text, spec.pt, spec.min_pt, spec.bold, spec.lines), spec.pt, area.w
            )
            if any(line.endswith(ELLIPSIS) for line in lines):
                return f"[{kind}] {name} {text!r} does not fit {spec.lines} line(s) at {size} pt"
            need += len(lines) * _line_height(size)
        if need + strip > area.h + 1e-9:
            return (
                f"[{kind}] code, secure-area warning and hazard diamonds need "
                f"{need + strip:.1f} mm; the text area is {area.h:.1f} mm high"
            )
    return None


def diamond_points(b: Box) -> list[tuple[float, float]]:
    cx, cy = b.x + b.w / 2, b.y + b.h / 2
    return [(cx, b.y), (b.x + b.w, cy), (cx, b.y + b.h), (b.x, cy)]


def inner_diamond(b: Box, inset: float = 0.12) -> Box:
    """The inner border line of a GHS/ADR diamond."""
    d = b.w * inset
    return Box(b.x + d, b.y + d, b.w - 2 * d, b.h - 2 * d)
