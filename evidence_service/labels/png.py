"""PNG: one label at the template's dpi."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .layout import (
    LabelData,
    Layout,
    diamond_points,
    inner_diamond,
    layout_label,
    pil_font,
    qr_matrix,
    qr_placement,
)
from .templates import LabelTemplate

_WHITE, _BLACK, _RED = 0, 1, 2
_PALETTE = [255, 255, 255, 0, 0, 0, 204, 0, 0]


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
        font = pil_font(line.bold, line.size_pt * dpi / 72)
        at = ((line.x - ox) * px, (line.baseline - oy) * px)
        draw.text(at, line.text, fill=ink, font=font, anchor="ls")
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
    matrix = qr_matrix(label.qr_content, template.error_correction)
    n = len(matrix)
    qr = qr_placement(template, label.kind, n)
    m = qr.module_dots
    # Whole pixels per module: a fractional module size would blur edges and hurt decoding.
    sym = Image.frombytes("P", (n, n), bytes(_BLACK if v else _WHITE for r in matrix for v in r))
    sym = sym.resize((n * m, n * m), Image.Resampling.NEAREST)
    img.paste(sym, (qr.x_dots, qr.y_dots))
    draw_text(ImageDraw.Draw(img), lay, template.dpi, _BLACK, _RED)
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1, dpi=(template.dpi, template.dpi))
    return out.getvalue()
