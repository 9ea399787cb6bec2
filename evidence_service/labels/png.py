"""PNG: one label at the template's dpi."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .layout import LabelData, diamond_points, layout_label, pil_font, qr_matrix
from .templates import LabelTemplate

_WHITE, _BLACK, _RED = 0, 1, 2
_PALETTE = [255, 255, 255, 0, 0, 0, 204, 0, 0]


def render_png(label: LabelData, template: LabelTemplate) -> bytes:
    """One label as a 3-colour PNG at the template's dpi (crisp 1-bit text for thermal)."""
    px = template.dpi / 25.4
    lay = layout_label(label, template)
    img = Image.new("P", (round(lay.width * px), round(lay.height * px)), _WHITE)
    img.putpalette(_PALETTE)
    matrix = qr_matrix(label.qr_content, template.error_correction)
    n = len(matrix)
    box_px = int(lay.qr.w * px)
    module = max(1, box_px // (n + 2 * template.quiet_zone_modules))
    # Whole pixels per module: a fractional module size would blur edges and hurt decoding.
    sym = Image.frombytes("P", (n, n), bytes(_BLACK if m else _WHITE for r in matrix for m in r))
    sym = sym.resize((n * module, n * module), Image.Resampling.NEAREST)
    offset = (box_px - n * module) // 2
    img.paste(sym, (round(lay.qr.x * px) + offset, round(lay.qr.y * px) + offset))
    draw = ImageDraw.Draw(img)
    for line in lay.lines:
        font = pil_font(line.bold, line.size_pt * template.dpi / 72)
        draw.text((line.x * px, line.baseline * px), line.text, fill=_BLACK, font=font, anchor="ls")
    for mark in lay.hazards:
        b = mark.box
        outline = max(1, round(b.w * px * 0.07))
        draw.polygon(
            [(x * px, y * px) for x, y in diamond_points(b)],
            fill=_WHITE,
            outline=_RED,
            width=outline,
        )
        font = pil_font(True, mark.size_pt * template.dpi / 72)
        centre = ((b.x + b.w / 2) * px, (b.y + b.h / 2) * px)
        draw.text(centre, mark.hazard_class, fill=_BLACK, font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1, dpi=(template.dpi, template.dpi))
    return out.getvalue()
