"""Fonts and fitting text: the label's TrueType faces, word widths, and paragraphs fitted into
a box (wrap before shrink, floors, ellipses). Pure: no database."""

from __future__ import annotations

import math
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase.ttfonts import TTFontFile

from .templates import default_labels_dir

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


def line_height(size_pt: float) -> float:
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


def ellipsize(text: str, size: float, bold: bool, width: float) -> str:
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


def fit_block(b: Block, size: float, width: float) -> tuple[list[str], float]:
    """Wrap before shrinking: at ``size`` if it wraps into its lines, else smaller down to
    the floor, then the last allowed line ends with an ellipsis."""
    while True:
        lines = _wrap(b.text, size, b.bold, width)
        if len(lines) <= b.max_lines or size <= b.min_pt:
            break
        size = max(b.min_pt, size * 0.94)
    if len(lines) > b.max_lines:
        kept = lines[: b.max_lines]
        kept[-1] = ellipsize(kept[-1], size, b.bold, width)
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
            lines, size = fit_block(b, max(b.min_pt, b.pt * scale), width)
            out += [(line, size, b.bold, b.field) for line in lines]
        if sum(line_height(s) for _, s, _, _ in out) <= height + 1e-9:
            return out
        if all(b.pt * scale <= b.min_pt for b in blocks):
            break
        scale *= 0.92
    kept: Fitted = []
    used = 0.0
    for line in out:
        if used + line_height(line[1]) > height + 1e-9:
            break
        kept.append(line)
        used += line_height(line[1])
    if kept and len(kept) < len(out):
        text, size, bold, name = kept[-1]
        kept[-1] = (ellipsize(text, size, bold, width), size, bold, name)
    return kept


def fit_text(
    blocks: list[tuple[str, float, bool]], width: float, height: float, min_pt: float
) -> list[tuple[str, float, bool]]:
    """:func:`fit_blocks` for plain ``(text, nominal_pt, bold)`` paragraphs of any length."""
    fitted = fit_blocks(
        [Block("", t, pt, min(min_pt, pt), bold, 99) for t, pt, bold in blocks], width, height
    )
    return [(line, size, bold) for line, size, bold, _ in fitted]


def clean_text(text: str) -> str:
    # NFC: one code point per Vietnamese letter, so wrapping never splits a letter from its
    # marks and the PDF text layer extracts the same string that was printed.
    return " ".join(unicodedata.normalize("NFC", text).split())
