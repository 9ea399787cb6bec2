"""PNG: one label at the template's dpi."""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw

from .layout import (
    LabelData,
    Layout,
    diamond_points,
    inner_diamond,
    layout_label,
    pil_font,
    qr_placement,
    qr_rows,
    word_em,
)
from .templates import LabelTemplate

_WHITE, _BLACK, _RED = 0, 1, 2
_PALETTE = [255, 255, 255, 0, 0, 0, 204, 0, 0]


@lru_cache(maxsize=4096)
def _word_mask(word: str, bold: bool, quarter_px: int) -> tuple[Image.Image, int, int]:
    """One word rasterised once (words repeat from label to label: "Niêm", "phong", a class),
    as a 1-bit mask and its offset from the pen position on the baseline."""
    font = pil_font(bold, quarter_px / 4)
    left, top, right, bottom = (int(v) for v in font.getbbox(word, anchor="ls"))
    mask = Image.new("1", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), word, fill=1, font=font, anchor="ls")
    return mask, left, top


def _draw_line(
    draw: ImageDraw.ImageDraw, x: float, y: float, text: str, bold: bool, px: float, ink: int
) -> None:
    """``text`` with its baseline at (x, y) px, word by word at the layout's own advances."""
    quarter = math.floor(px * 4)
    space = word_em(" ", bold) * px
    for word in text.split(" "):
        if word:
            mask, dx, dy = _word_mask(word, bold, quarter)
            draw.bitmap((round(x) + dx, round(y) + dy), mask, fill=ink)
        x += word_em(word, bold) * px + space


def draw_text(
    draw: ImageDraw.ImageDraw,
    lay: Layout,
    dpi: int,
    ink: int,
    red: int,
    origin: tuple[float, float] = (0.0, 0.0),
) -> None:
    """The text lines and hazard diamonds of ``lay`` at ``dpi``, shifted by ``origin`` (mm);
    shared with the ZPL back end, which sends this drawing as a graphic."""
    px = dpi / 25.4
    ox, oy = origin
    for line in lay.lines:
        size_px = line.size_pt * dpi / 72
        _draw_line(
            draw, (line.x - ox) * px, (line.baseline - oy) * px, line.text, line.bold, size_px, ink
        )
    for mark in lay.hazards:
        for box, ratio in ((mark.box, 0.07), (inner_diamond(mark.box), 0.03)):
            draw.polygon(
                [((x - ox) * px, (y - oy) * px) for x, y in diamond_points(box)],
                outline=red,
                width=max(1, round(mark.box.w * px * ratio)),
            )
        font = pil_font(True, mark.size_pt * dpi / 72)
        b = mark.box
        centre = ((b.x + b.w / 2 - ox) * px, (b.y + b.h / 2 - oy) * px)
        draw.text(centre, mark.hazard_class, fill=ink, font=font, anchor="mm")


def render_png(label: LabelData, template: LabelTemplate) -> bytes:
    """One label as a 3-colour PNG at the template's dpi (crisp 1-bit text for thermal)."""
    px = template.dpi / 25.4
    lay = layout_label(label, template)
    img = Image.new("P", (round(lay.width * px), round(lay.height * px)), _WHITE)
    img.putpalette(_PALETTE)
    rows = qr_rows(label.qr_content, template.error_correction)
    n = len(rows)
    qr = qr_placement(template, label.kind, n)
    m = qr.module_dots
    # Whole pixels per module: a fractional module size would blur edges and hurt decoding.
    sym = Image.frombytes("P", (n, n), b"".join(rows))  # 1 = dark = the palette's black
    sym = sym.resize((n * m, n * m), Image.Resampling.NEAREST)
    img.paste(sym, (qr.x_dots, qr.y_dots))
    draw_text(ImageDraw.Draw(img), lay, template.dpi, _BLACK, _RED)
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1, dpi=(template.dpi, template.dpi))
    return out.getvalue()
