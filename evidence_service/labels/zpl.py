"""ZPL II for Zebra-compatible thermal printers.

The printers' resident fonts have no Vietnamese glyphs, so text never goes into a
resident-font field. Two ways, a printer setting (``text``) chooses:

* ``graphic`` (default, any Zebra): the text and hazard diamonds are drawn with the label's
  own font at the printer's dpi and sent as one compressed graphic (``^GFA`` with ``:Z64:``
  data); the QR stays a native ``^BQ`` so it prints sharp (a graphic of whole dots per
  module where its modules are larger than ``^BQ`` magnifies);
* ``font``: the label's TrueType font is downloaded to the printer once (``~DY``, see
  :func:`font_download`) and text fields name it (``^A@…E:DEJAVU.TTF``, UTF-8 via ``^CI28``).
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections.abc import Iterable, Iterator
from typing import Literal

from PIL import Image, ImageDraw

from .layout import LabelData, Layout, QrPlacement, font_face, layout_label, qr_placement, qr_rows
from .png import draw_text
from .templates import LabelTemplate

TextMode = Literal["graphic", "font"]
# ^BQ magnifies a module to 1-10 dots; larger modules (a 70 mm symbol) go as a graphic.
MAX_BQ_MAGNIFICATION = 10
# Where the downloaded fonts live on the printer (drive E: is the flash on every Zebra).
PRINTER_FONTS = {False: "E:DEJAVU.TTF", True: "E:DEJAVUB.TTF"}


def z64(data: bytes) -> str:
    """Zebra's ``:Z64:`` encoding: deflate, base64, and the CRC-16 (CCITT) of the base64."""
    encoded = base64.b64encode(zlib.compress(data, 6))
    return f":Z64:{encoded.decode('ascii')}:{binascii.crc_hqx(encoded, 0):04X}"


def _zpl_data(text: str) -> str:
    """``^FD...^FS``; ``^`` and ``~`` would start a command, so those go hex-escaped."""
    if not any(c in text for c in "^~_"):
        return f"^FD{text}^FS"
    escaped = "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in text)
    return f"^FH^FD{escaped}^FS"


def _text_graphic(lay: Layout, dpi: int) -> str:
    """The label's text and hazard marks as one ``^GFA`` field (1 bit per dot, Z64)."""
    boxes = [ln.box for ln in lay.lines] + [h.box for h in lay.hazards]
    if not boxes:
        return ""
    dots = dpi / 25.4
    # A glyph may overhang its advance box a little: a dot of slack on every side.
    x0 = max(0, math.floor(min(b.x for b in boxes) * dots) - 2)
    y0 = max(0, math.floor(min(b.y for b in boxes) * dots) - 2)
    x1 = math.ceil(max(b.x + b.w for b in boxes) * dots) + 2
    y1 = math.ceil(max(b.y + b.h for b in boxes) * dots) + 2
    width = (x1 - x0 + 7) // 8 * 8
    img = Image.new("1", (width, y1 - y0), 0)  # 1 = a black dot, as ^GF wants it
    draw_text(ImageDraw.Draw(img), lay, dpi, 1, 1, origin=(x0 / dots, y0 / dots))
    raw = img.tobytes()
    return f"^FO{x0},{y0}^GFA,{len(raw)},{len(raw)},{width // 8},{z64(raw)}^FS"


def _qr_field(label: LabelData, template: LabelTemplate, qr: QrPlacement) -> str:
    """The QR at its planned module size: a native ``^BQ`` where the printer can magnify to
    it, else the same modules as a ``^GFA`` graphic (whole dots per module: just as sharp)."""
    if qr.module_dots <= MAX_BQ_MAGNIFICATION:
        # ^FD<ec>A,<data>: error-correction letter, then A = automatic input mode, which picks
        # alphanumeric for our upper-case payload and byte mode for a lower-case URL.
        return (
            f"^FO{qr.x_dots},{qr.y_dots}^BQN,2,{qr.module_dots}"
            f"^FD{template.error_correction}A,{label.qr_content}^FS"
        )
    rows = qr_rows(label.qr_content, template.error_correction)
    n = len(rows)
    modules = Image.frombytes("L", (n, n), b"".join(rows).replace(b"\x01", b"\xff"))
    side = n * qr.module_dots
    img = modules.resize((side, side), Image.Resampling.NEAREST)
    raw = img.convert("1", dither=Image.Dither.NONE).tobytes()  # 1 = a black dot
    row_bytes = (side + 7) // 8
    return f"^FO{qr.x_dots},{qr.y_dots}^GFA,{len(raw)},{len(raw)},{row_bytes},{z64(raw)}^FS"


def _font_fields(lay: Layout, template: LabelTemplate) -> list[str]:
    dots = template.dpi / 25.4

    def d(mm: float) -> int:
        return round(mm * dots)

    cmd = []
    for line in lay.lines:
        h = max(10, round(line.size_pt * template.dpi / 72))
        font = PRINTER_FONTS[line.bold]
        cmd.append(f"^FT{d(line.x)},{d(line.baseline)}^A@N,{h},{h},{font}{_zpl_data(line.text)}")
    for mark in lay.hazards:
        b = mark.box
        side, half = d(b.w), d(b.w) // 2
        t = max(2, round(side * 0.07))
        x, y = d(b.x), d(b.y)
        cmd += [
            f"^FO{x},{y}^GD{half},{half},{t},B,R^FS",
            f"^FO{x + half},{y}^GD{half},{half},{t},B,L^FS",
            f"^FO{x},{y + half}^GD{half},{half},{t},B,L^FS",
            f"^FO{x + half},{y + half}^GD{half},{half},{t},B,R^FS",
        ]
        h = max(10, round(mark.size_pt * template.dpi / 72))
        cmd.append(
            f"^FO{x},{y + half - h // 2}^FB{side},1,0,C^A@N,{h},{h},{PRINTER_FONTS[True]}"
            f"{_zpl_data(mark.hazard_class)}"
        )
    return cmd


def _zpl_label(label: LabelData, template: LabelTemplate, text: TextMode) -> str:
    dots = template.dpi / 25.4
    lay = layout_label(label, template)
    qr = qr_placement(
        template, label.kind, len(qr_rows(label.qr_content, template.error_correction))
    )
    cmd = ["^XA", "^CI28", f"^PW{round(lay.width * dots)}", f"^LL{round(lay.height * dots)}"]
    cmd.append("^LH0,0")
    cmd.append(_qr_field(label, template, qr))
    if text == "graphic":
        graphic = _text_graphic(lay, template.dpi)
        if graphic:
            cmd.append(graphic)
    else:
        cmd += _font_fields(lay, template)
    cmd.append("^XZ")
    return "\n".join(cmd) + "\n"


def render_zpl(
    labels: Iterable[LabelData], template: LabelTemplate, text: TextMode = "graphic"
) -> str:
    """Zebra ZPL II, one ``^XA ... ^XZ`` block per label."""
    return "".join(_zpl_label(lb, template, text) for lb in labels)


def iter_zpl(
    labels: Iterable[LabelData],
    template: LabelTemplate,
    copies: int = 1,
    text: TextMode = "graphic",
) -> Iterator[str]:
    """:func:`render_zpl` one label block at a time, each repeated ``copies`` times."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    for lb in labels:
        block = _zpl_label(lb, template, text)
        for _ in range(copies):
            yield block


def font_download() -> bytes:
    """``~DY`` commands storing the label's fonts on the printer (once per printer)."""
    out = []
    for bold, target in PRINTER_FONTS.items():
        data = font_face(bold).path.read_bytes()
        name = target.split(":")[1].removesuffix(".TTF")
        out.append(f"~DYE:{name},A,T,{len(data)},,{data.hex().upper()}\n".encode("ascii"))
    return b"".join(out)
