"""ZPL II for Zebra-compatible thermal printers (UTF-8 text via ``^CI28``, ``^BQ`` QR)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .layout import LabelData, layout_label, qr_matrix
from .templates import LabelTemplate


def _zpl_data(text: str) -> str:
    """``^FD...^FS``; ``^`` and ``~`` would start a command, so those go hex-escaped."""
    if not any(c in text for c in "^~_"):
        return f"^FD{text}^FS"
    escaped = "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in text)
    return f"^FH^FD{escaped}^FS"


def _zpl_font(template: LabelTemplate, height: int) -> str:
    if ":" in template.zpl_font:  # a TTF stored on the printer, e.g. E:DEJAVU.TTF
        return f"^A@N,{height},{height},{template.zpl_font}"
    return f"^A{template.zpl_font}N,{height},{height}"


def _zpl_label(label: LabelData, template: LabelTemplate) -> list[str]:
    dots = template.dpi / 25.4

    def d(mm: float) -> int:
        return round(mm * dots)

    lay = layout_label(label, template)
    n = len(qr_matrix(label.qr_content, template.error_correction))
    box = int(lay.qr.w * dots)
    mag = max(1, min(10, box // (n + 2 * template.quiet_zone_modules)))
    off = (box - n * mag) // 2
    cmd = ["^XA", "^CI28", f"^PW{d(lay.width)}", f"^LL{d(lay.height)}", "^LH0,0"]
    # ^FD<ec>A,<data>: error-correction letter, then A = automatic input mode, which picks
    # alphanumeric for our upper-case payload and byte mode for a lower-case URL.
    cmd.append(
        f"^FO{d(lay.qr.x) + off},{d(lay.qr.y) + off}^BQN,2,{mag}"
        f"^FD{template.error_correction}A,{label.qr_content}^FS"
    )
    for line in lay.lines:
        h = max(10, round(line.size_pt * template.dpi / 72))
        cmd.append(
            f"^FT{d(line.x)},{d(line.baseline)}{_zpl_font(template, h)}{_zpl_data(line.text)}"
        )
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
            f"^FO{x},{y + half - h // 2}^FB{side},1,0,C{_zpl_font(template, h)}"
            f"{_zpl_data(mark.hazard_class)}"
        )
    cmd.append("^XZ")
    return cmd


def render_zpl(labels: Iterable[LabelData], template: LabelTemplate) -> str:
    """Zebra ZPL II, one ``^XA ... ^XZ`` block per label, UTF-8 (``^CI28``)."""
    return "".join("\n".join(_zpl_label(lb, template)) + "\n" for lb in labels)


def iter_zpl(
    labels: Iterable[LabelData], template: LabelTemplate, copies: int = 1
) -> Iterator[str]:
    """:func:`render_zpl` one label block at a time, each repeated ``copies`` times."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    for lb in labels:
        block = "\n".join(_zpl_label(lb, template)) + "\n"
        for _ in range(copies):
            yield block
