"""PDF: a small streaming writer for any number of labels on sheets or rolls.

This is not reportlab's canvas: the canvas keeps every page in memory until ``save()``, which
makes memory grow with the print run. Here each page is compressed and written as soon as it
is full; only object offsets and the font glyphs used survive until the end, when the font
subsets are embedded. reportlab still parses and subsets the TrueType font.
"""

from __future__ import annotations

import io
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .layout import (
    MM_PER_PT,
    PT_PER_MM,
    FontFace,
    LabelData,
    dark_runs,
    diamond_points,
    font_face,
    inner_diamond,
    layout_label,
    qr_placement,
    qr_rows,
)
from .templates import LabelTemplate


class _FontSubsets:
    """Glyphs used so far, in 256-code simple-font subsets (written at the end)."""

    def __init__(self, writer: _PdfWriter, face: FontFace, index: int) -> None:
        self.writer, self.face, self.index = writer, face, index
        self.subsets: list[list[int]] = []
        self.refs: list[int] = []
        self.code_of: dict[str, tuple[int, int]] = {}

    def encode(self, text: str) -> list[tuple[str, str]]:
        """``text`` as (resource name, hex string) runs, one run per subset switch."""
        runs: list[tuple[str, list[str]]] = []
        for ch in text:
            where = self.code_of.get(ch)
            if where is None:
                if not self.subsets or len(self.subsets[-1]) == 256:
                    self.subsets.append([])
                    self.refs.append(self.writer.alloc())
                where = (len(self.subsets) - 1, len(self.subsets[-1]))
                self.subsets[-1].append(ord(ch))
                self.code_of[ch] = where
            name = f"F{self.index}s{where[0]}"
            if not runs or runs[-1][0] != name:
                runs.append((name, []))
            runs[-1][1].append(f"{where[1]:02X}")
        return [(name, "".join(codes)) for name, codes in runs]

    def write(self) -> None:
        face, w = self.face, self.writer
        base = face.path.stem
        for i, (codes, ref) in enumerate(zip(self.subsets, self.refs, strict=True)):
            tag = "".join(chr(65 + (self.index * 100 + i) // 26**k % 26) for k in range(6))
            name = f"{tag}+{base}"
            with face.lock:
                program = face.ttf.makeSubset(codes)
            ff = w.stream(program, f"/Length1 {len(program)}")
            cmap = _to_unicode(codes)
            tu = w.stream(cmap.encode("ascii"))
            t = face.ttf
            desc = w.obj(
                f"<< /Type /FontDescriptor /FontName /{name} /Flags 4 "
                f"/FontBBox [{' '.join(f'{v:.0f}' for v in t.bbox)}] /ItalicAngle 0 "
                f"/Ascent {t.ascent:.0f} /Descent {t.descent:.0f} /CapHeight {t.capHeight:.0f} "
                f"/StemV {t.stemV} /MissingWidth {face.missing:.0f} /FontFile2 {ff} 0 R >>"
            )
            widths = " ".join(f"{face.widths.get(c, face.missing):.0f}" for c in codes)
            w.obj(
                f"<< /Type /Font /Subtype /TrueType /BaseFont /{name} /FirstChar 0 "
                f"/LastChar {len(codes) - 1} /Widths [{widths}] /FontDescriptor {desc} 0 R "
                f"/ToUnicode {tu} 0 R >>",
                num=ref,
            )


def _to_unicode(codes: list[int]) -> str:
    pairs = "\n".join(
        f"<{i:02X}> <{chr(c).encode('utf-16-be').hex().upper()}>" for i, c in enumerate(codes)
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        f"{len(codes)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )


class _PdfWriter:
    """Writes objects as they come; keeps only offsets and page numbers (a few ints each)."""

    CATALOG, PAGES = 1, 2

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pos = 0
        self.offsets: dict[int, int] = {}
        self.next_num = 3
        self.pages: list[int] = []
        self.fonts = [
            _FontSubsets(self, font_face(False), 0),
            _FontSubsets(self, font_face(True), 1),
        ]
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def alloc(self) -> int:
        self.next_num += 1
        return self.next_num - 1

    def obj(self, body: str, num: int | None = None) -> int:
        num = self.alloc() if num is None else num
        self.offsets[num] = self.pos
        self._write(f"{num} 0 obj\n{body}\nendobj\n".encode("latin-1"))
        return num

    def stream(self, data: bytes, extra: str = "") -> int:
        num = self.alloc()
        packed = zlib.compress(data, 6)
        self.offsets[num] = self.pos
        head = f"{num} 0 obj\n<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n"
        self._write(head.encode("latin-1") + packed + b"\nendstream\nendobj\n")
        return num

    def page(self, width_pt: float, height_pt: float, content: str, fonts: set[str]) -> None:
        contents = self.stream(content.encode("latin-1"))
        refs = {f"F{f.index}s{i}": r for f in self.fonts for i, r in enumerate(f.refs)}
        font_dict = " ".join(f"/{n} {refs[n]} 0 R" for n in sorted(fonts))
        self.pages.append(
            self.obj(
                f"<< /Type /Page /Parent {self.PAGES} 0 R "
                f"/MediaBox [0 0 {width_pt:.2f} {height_pt:.2f}] "
                f"/Resources << /Font << {font_dict} >> >> /Contents {contents} 0 R >>"
            )
        )

    def close(self) -> None:
        for f in self.fonts:
            f.write()
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self.obj(f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>", self.PAGES)
        self.obj(f"<< /Type /Catalog /Pages {self.PAGES} 0 R >>", self.CATALOG)
        info = self.obj("<< /Producer (evidence-service labels) >>")
        xref = self.pos
        size = self.next_num
        rows = ["0000000000 65535 f \n"] + [
            f"{self.offsets[n]:010d} 00000 n \n" for n in range(1, size)
        ]
        self._write(f"xref\n0 {size}\n{''.join(rows)}".encode("ascii"))
        trailer = f"trailer\n<< /Size {size} /Root 1 0 R /Info {info} 0 R >>\n"
        self._write(f"{trailer}startxref\n{xref}\n%%EOF\n".encode("ascii"))


def _pdf_label(
    w: _PdfWriter,
    label: LabelData,
    template: LabelTemplate,
    ox: float,
    oy: float,
    page_h: float,
    ops: list[str],
    fonts: set[str],
) -> None:
    """Append the drawing operators of one label whose top-left corner is at (ox, oy) mm."""

    def X(x: float) -> float:
        return (ox + x) * PT_PER_MM

    def Y(y: float) -> float:
        return page_h - (oy + y) * PT_PER_MM

    lay = layout_label(label, template)
    rows = qr_rows(label.qr_content, template.error_correction)
    qr = qr_placement(template, label.kind, len(rows))
    # Modules of whole printer dots at the template's dpi, on its dot grid (as PNG and ZPL).
    dot = 25.4 / template.dpi
    # Module units via a y-flipping matrix: each rectangle is four small integers.
    s = qr.module_mm * PT_PER_MM
    ops.append(f"q 0 g {s:.4f} 0 0 {-s:.4f} {X(qr.x_dots * dot):.3f} {Y(qr.y_dots * dot):.3f} cm")
    ops.append(" ".join(f"{c} {r} {ln} 1 re" for r, c, ln in dark_runs(rows)))
    ops.append("f Q")
    for line in lay.lines:
        _pdf_text(w, line.text, line.bold, line.size_pt, X(line.x), Y(line.baseline), ops, fonts)
    for mark in lay.hazards:
        b = mark.box
        # A GHS/ADR diamond: a red border, an inner line, white inside (vector).
        for box, ratio, paint in ((b, 0.07, "B"), (inner_diamond(b), 0.03, "S")):
            pts = [f"{X(x):.2f} {Y(y):.2f}" for x, y in diamond_points(box)]
            lw = b.w * ratio * PT_PER_MM
            ops.append(
                f"q 1 g 0.8 0 0 RG {lw:.2f} w 1 j "
                f"{pts[0]} m {pts[1]} l {pts[2]} l {pts[3]} l h {paint} Q"
            )
        tw = font_face(True).width_mm(mark.hazard_class, mark.size_pt)
        cap = 0.73 * mark.size_pt * MM_PER_PT  # centre on the cap height of the digits
        _pdf_text(
            w,
            mark.hazard_class,
            True,
            mark.size_pt,
            X(b.x + (b.w - tw) / 2),
            Y(b.y + (b.h + cap) / 2),
            ops,
            fonts,
        )


def _pdf_text(
    w: _PdfWriter,
    text: str,
    bold: bool,
    size: float,
    x: float,
    y: float,
    ops: list[str],
    fonts: set[str],
) -> None:
    parts = [f"BT 0 g {x:.2f} {y:.2f} Td"]
    for name, hexcodes in w.fonts[1 if bold else 0].encode(text):
        fonts.add(name)
        parts.append(f"/{name} {size:.2f} Tf <{hexcodes}> Tj")
    parts.append("ET")
    ops.append(" ".join(parts))


def _check_run(template: LabelTemplate, skip: int, copies: int) -> int:
    """Labels per page, after refusing a ``skip`` or ``copies`` the template cannot take."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    per_page = template.sheet.per_page if template.sheet else 1
    if not 0 <= skip < per_page:
        raise ValueError(f"skip must be between 0 and {per_page - 1} for {template.name}")
    return per_page


def _pdf_pages(
    labels: Iterable[LabelData], template: LabelTemplate, skip: int, copies: int, out: BinaryIO
) -> Iterator[int]:
    """Write the PDF to ``out``, yielding the page count after each page and once at the end."""
    per_page = _check_run(template, skip, copies)
    if template.sheet is not None:
        page_w, page_h = template.sheet.page_mm
    else:
        page_w, page_h = template.width_mm, template.height_mm
    w = _PdfWriter(out)
    ops: list[str] = []
    fonts: set[str] = set()
    slot = skip

    def flush() -> None:
        w.page(page_w * PT_PER_MM, page_h * PT_PER_MM, "\n".join(ops), fonts)
        ops.clear()
        fonts.clear()

    for label in labels:
        for _ in range(copies):
            if template.sheet is not None:
                sh = template.sheet
                row, col = divmod(slot, sh.columns)
                ox, oy = sh.left_mm + col * sh.pitch_x_mm, sh.top_mm + row * sh.pitch_y_mm
            else:
                ox = oy = 0.0
            _pdf_label(w, label, template, ox, oy, page_h * PT_PER_MM, ops, fonts)
            slot += 1
            if slot == per_page:
                flush()
                slot = 0
                yield len(w.pages)
    if ops or not w.pages:
        flush()  # a partly filled last sheet, or an empty run (still a valid one-page PDF)
    w.close()
    yield len(w.pages)


def render_pdf(
    labels: Iterable[LabelData],
    template: LabelTemplate,
    skip: int = 0,
    copies: int = 1,
    *,
    out: BinaryIO,
) -> int:
    """Stream a PDF of ``labels`` to ``out``; returns the number of pages.

    Sheets: labels fill the grid row by row; ``skip`` leaves the first positions of the first
    sheet empty (a partly used sheet). Thermal: one page per label, page size = label size.
    """
    # The generator yields at least once (the final count); keep only the last value.
    return deque(_pdf_pages(labels, template, skip, copies, out), maxlen=1)[0]


def iter_pdf(
    labels: Iterable[LabelData], template: LabelTemplate, skip: int = 0, copies: int = 1
) -> Iterator[bytes]:
    """The PDF of :func:`render_pdf` as chunks, one per finished page (for a streamed response).

    ``skip`` and ``copies`` are checked now, so a bad request fails before any byte is sent;
    ``labels`` is consumed lazily and only the current page is ever held in memory.
    """
    _check_run(template, skip, copies)

    def chunks() -> Iterator[bytes]:
        buf = io.BytesIO()
        for _ in _pdf_pages(labels, template, skip, copies, buf):
            data = buf.getvalue()
            buf.seek(0)
            buf.truncate()
            if data:
                yield data

    return chunks()


def pdf_bytes(
    labels: Iterable[LabelData], template: LabelTemplate, skip: int = 0, copies: int = 1
) -> bytes:
    buf = io.BytesIO()
    render_pdf(labels, template, skip, copies, out=buf)
    return buf.getvalue()
